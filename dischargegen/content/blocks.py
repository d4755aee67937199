"""What a rendered document is made of, between the templates and the PDF: sections of blocks of runs.
markup.py builds them from the templates' HTML; the PDF builder and the check read them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field


@dataclass
class Run:
    text: str
    bold: bool = False


@dataclass
class Block:
    # h1 h2 h3 p bullet number check signature page_break, or figure: a picture (attributes: `picture`,
    # `alt` and the picture's labels), its caption as runs and the blocks set beside it as children.
    kind: str
    runs: list[Run] = field(default_factory=list)
    number: int = 0  # position in an <ol>
    attributes: dict[str, str] = field(default_factory=dict)
    children: list[Block] = field(default_factory=list)
    # The teach-back question this block answers (`teach="KEY"` on a <p> or <li>), or "": read by the
    # chart copy's card (content/teach_back.py), never printed in the patient's document.
    teach: str = ""

    @property
    def text(self) -> str:
        return "".join(run.text for run in self.runs)


@dataclass
class Section:
    kind: str
    blocks: list[Block] = field(default_factory=list)

    def all_blocks(self) -> Iterator[Block]:
        """Every block in reading order: a figure (its caption), then the blocks beside it."""
        for block in self.blocks:
            yield block
            yield from block.children
