"""What a batch run hands back: its counts and, for the packet, one item a written document. The engine
fills them and the packet reads them; neither imports the other for them."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..case import Case
from .naming import NameAllocator


@dataclass(frozen=True)
class PacketItem:
    line: int
    file: str
    title: str
    sort_key: str
    # The value of the column named in a --packet placeholder: one packet per distinct value.
    group: str = ""


@dataclass
class BatchResult:
    written: int = 0
    unchanged: int = 0
    failed: int = 0
    skipped: int = 0
    # Documents (written or unchanged) in English because the row's language is not enabled for the site.
    in_english_instead: int = 0
    failed_lines: list[int] = field(default_factory=list)
    packet_items: list[PacketItem] = field(default_factory=list)
    # The names handed out in out_dir, kept so per-unit packets written there never take a document's name.
    names: NameAllocator = field(default_factory=NameAllocator)
    # Each row's Case by input line, only when asked for (run_batch's keep_cases): chart copies need them.
    cases: dict[int, Case] = field(default_factory=dict)

    @property
    def documents(self) -> int:
        return self.written + self.unchanged
