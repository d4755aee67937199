"""What a rendered document is made of, between the templates and the PDF: sections of blocks of runs.
markup.py builds them from the templates' HTML; the PDF builder and the check read them."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Run:
    text: str
    bold: bool = False


@dataclass
class Block:
    kind: str  # h1 h2 h3 p bullet number check signature
    runs: list[Run] = field(default_factory=list)
    number: int = 0  # position in an <ol>
    attributes: dict[str, str] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return "".join(run.text for run in self.runs)


@dataclass
class Section:
    kind: str
    blocks: list[Block] = field(default_factory=list)
