"""`dischargegen serve`: the nurse's form in a browser, from typing to paper in one page (see docs/serve.md).

create_app builds the WSGI application on the library: the same case rules, the same documents, the same
printing. The command line (cli/serve.py) runs it under waitress."""

from __future__ import annotations

from .app import MAX_REQUEST_BYTES, PDF_FILE_NAME, create_app, loopback_hosts

__all__ = ["MAX_REQUEST_BYTES", "PDF_FILE_NAME", "create_app", "loopback_hosts"]
