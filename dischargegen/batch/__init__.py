"""The batch: records in, one PDF per patient out, with a manifest, an error list, resume and a packet.

The engine (engine.py) runs the rows; worker.py renders them in the pool; manifest.py keeps the record of
what was written; naming.py makes the file names; packet.py binds the documents into one printable PDF.
"""

from __future__ import annotations

from ..errors import BatchSetupError, PacketError, PatternError
from .engine import WINDOW_PER_WORKER, content_digest, default_jobs, run_batch
from .manifest import LOCK_FILE
from .results import BatchResult, PacketItem

__all__ = [
    "LOCK_FILE",
    "WINDOW_PER_WORKER",
    "BatchResult",
    "BatchSetupError",
    "PacketError",
    "PacketItem",
    "PatternError",
    "content_digest",
    "default_jobs",
    "run_batch",
]
