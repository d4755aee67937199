"""Parse what the templates produce (a small, fixed subset of HTML) into blocks for the renderer.

Templates are autoescaped, so text that came from input arrives here escaped and leaves as plain text:
it is never read as markup. Any tag or class outside the subset is a ContentError, so a site template
cannot produce something the renderer would silently drop.
"""

from __future__ import annotations

import functools
import re
from html import unescape
from html.parser import HTMLParser
from typing import Any

from ..errors import ContentError
from .blocks import Block as Block  # re-exported: the types lived here
from .blocks import Run as Run
from .blocks import Section as Section

SECTION_KINDS = ("plain", "summary", "call", "emergency", "receipt")
LIST_KINDS = {"ul": "bullet", "ol": "number"}
INLINE = ("strong", "br")
TEXT_BLOCKS = ("h1", "h2", "h3", "p", "li", "figcaption")
PAGE_BREAK = "page-break"  # <hr class="page-break">: the next section starts a new page
# A figure's own attributes; the others are the picture's labels (pdf/pictures.py says which each takes).
FIGURE_REQUIRED = ("picture", "alt")
# <p teach="KEY"> or <li teach="KEY">: the block answers the teach-back card's question KEY (the chart copy's
# card prints its text). Not printed in the patient's document; only on these two tags.
TEACH = "teach"
TEACH_TAGS = ("p", "li")
_TEACH_KEY = re.compile(r"[a-z][a-z0-9_]{0,39}")


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.sections: list[Section] = [Section("plain")]
        self.in_section = False
        self.lists: list[tuple[str, int]] = []  # (kind, items so far)
        self.block: Block | None = None
        self.figure: Block | None = None  # an open <figure>: blocks close into it
        self.bold = 0

    # -- helpers ------------------------------------------------------------------------------------
    def _fail(self, message: str) -> None:
        line, _ = self.getpos()
        raise ContentError(f"template output line {line}: {message}")

    def _open_block(self, block: Block) -> None:
        if self.block is not None:
            self._fail(f"<{block.kind}> cannot start inside another text block")
        self.block = block

    def _close_block(self) -> None:
        if self.block is not None:
            self._place(_normalise(self.block.runs))

    def _place(self, runs: list[Run]) -> None:
        """Put the open block, with its (normalised) runs, where it belongs: a figure's caption, beside the
        picture, or in the section. A block with no words is dropped."""
        block = self.block
        assert block is not None
        self.block = None
        if block.kind == "figcaption":
            assert self.figure is not None
            self.figure.runs = runs
        elif runs or block.kind == "signature":
            block.runs = runs
            (self.figure.children if self.figure is not None else self.sections[-1].blocks).append(block)

    def _open_figure(self, attributes: dict[str, str]) -> None:
        if self.block is not None or self.figure is not None or self.lists:
            self._fail("<figure> cannot start inside another figure, a list or a text block")
        self.figure = Block("figure", attributes=attributes)

    def _close_figure(self) -> None:
        self._close_block()
        figure = self.figure
        if figure is None:
            return
        missing = [name for name in FIGURE_REQUIRED if not figure.attributes.get(name, "").strip()]
        if missing:
            self._fail(
                f'a <figure> needs the attribute {missing[0]}="..." (the picture, and its text alternative)'
            )
        if not figure.runs:
            self._fail("a <figure> needs a <figcaption> with words: every picture is captioned")
        self.figure = None
        self.sections[-1].blocks.append(figure)

    def _page_break(self, css: str) -> None:
        if css != PAGE_BREAK:
            self._fail(f'unknown rule class "{css}"; only <hr class="{PAGE_BREAK}"> is known')
        if self.in_section or self.block is not None or self.figure is not None or self.lists:
            self._fail(f'<hr class="{PAGE_BREAK}"> must stand between sections')
        self.sections[-1].blocks.append(Block("page_break"))

    def _teach_key(self, tag: str, attributes: dict[str, str]) -> str:
        if TEACH not in attributes:
            return ""
        key = attributes.pop(TEACH)
        if tag not in TEACH_TAGS:
            self._fail(f'{TEACH}="..." marks a <p> or an <li>, not a <{tag}>')
        if not _TEACH_KEY.fullmatch(key):
            # Not quoted: a template may fill it from a variable.
            self._fail(f'a {TEACH}="..." marker is a name: lower-case letters, digits and _, at most 40')
        return key

    # -- HTMLParser callbacks ------------------------------------------------------------------------
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        css = attributes.get("class", "")
        teach = self._teach_key(tag, attributes)
        if tag == "section":
            if self.in_section or self.block is not None or self.figure is not None:
                self._fail("<section> cannot be nested")
            kind = css or "plain"
            if kind not in SECTION_KINDS:
                self._fail(f'unknown section class "{kind}"; use one of: {", ".join(SECTION_KINDS)}')
            self.in_section = True
            self.sections.append(Section(kind))
        elif tag in LIST_KINDS:
            kind = "check" if (tag == "ul" and css == "checklist") else LIST_KINDS[tag]
            if css not in ("", "checklist") or (css and tag != "ul"):
                self._fail(f'unknown list class "{css}"; only <ul class="checklist"> is known')
            self.lists.append((kind, 0))
        elif tag == "li":
            if not self.lists:
                self._fail("<li> outside a list")
            kind, count = self.lists[-1]
            self.lists[-1] = (kind, count + 1)
            self._open_block(Block(kind, number=count + 1, teach=teach))
        elif tag in ("h1", "h2", "h3", "p"):
            self._open_block(Block(tag, teach=teach))
        elif tag == "figure":
            self._open_figure(attributes)
        elif tag == "figcaption":
            if self.figure is None:
                self._fail("<figcaption> outside a <figure>")
            elif self.figure.runs:
                self._fail("a <figure> has one <figcaption>")
            self._open_block(Block("figcaption"))
        elif tag == "hr":
            self._page_break(css)
        elif tag == "signature":
            self._open_block(Block("signature", attributes=attributes))
        elif tag == "strong":
            if self.block is None:
                self._fail("<strong> outside a text block")
            self.bold += 1
        elif tag == "br":
            if self.block is None:
                self._fail("<br> outside a text block")
            else:
                self.block.runs.append(Run("\n"))
        else:
            self._fail(f"unknown tag <{tag}>")

    def handle_endtag(self, tag: str) -> None:
        if tag == "section":
            self._close_block()
            if self.figure is not None:
                self._fail("a <figure> is not closed before </section>")
            self.in_section = False
            self.sections.append(Section("plain"))
        elif tag in LIST_KINDS:
            self._close_block()
            if self.lists:
                self.lists.pop()
        elif tag in ("li", "h1", "h2", "h3", "p", "signature", "figcaption"):
            self._close_block()
        elif tag == "figure":
            self._close_figure()
        elif tag == "strong":
            self.bold = max(0, self.bold - 1)

    def handle_data(self, data: str) -> None:
        if self.block is None:
            if data.strip():
                # Not quoted: the text may come from a variable, and a variable may hold patient data.
                self._fail("text outside a block; put it in a <p>, a list item or a heading")
            return
        self.block.runs.append(Run(data, bold=self.bold > 0))


def _normalise(runs: list[Run]) -> list[Run]:
    """Fold white space as HTML does; join neighbours of the same weight; trim the ends."""
    merged: list[Run] = []
    previous_space = True
    for run in runs:
        if run.text == "\n":
            merged.append(Run("\n", run.bold))
            previous_space = True
            continue
        text = " ".join(run.text.split())
        if run.text[:1].isspace() and not previous_space and text:
            text = " " + text
        elif run.text[:1].isspace() and not previous_space and not text:
            text = " "
        if run.text[-1:].isspace() and text and not text.endswith(" "):
            text += " "
        if not text:
            continue
        previous_space = text.endswith(" ")
        if merged and merged[-1].bold == run.bold and merged[-1].text != "\n":
            merged[-1].text += text
        else:
            merged.append(Run(text, run.bold))
    while merged and not merged[-1].text.strip():
        merged.pop()
    if merged:
        merged[-1].text = merged[-1].text.rstrip()
        merged[0].text = merged[0].text.lstrip()
    return [run for run in merged if run.text]


# The plain shape the shipped templates produce: lower-case tags, double-quoted attributes, no "<" in text.
_PLAIN_TAG = re.compile(r'<(/?)([a-z][a-z0-9]*)((?:\s+[a-z][a-z-]*="[^"<>]*")*)\s*(/?)>')
_PLAIN_ATTRIBUTE = re.compile(r'([a-z][a-z-]*)="([^"<>]*)"')


_INLINE_TAGS = {("", "strong", "", ""), ("/", "strong", "", ""), ("", "br", "", ""), ("", "br", "", "/")}


def _scan(html: str, start: int, end: int, parser: _Parser, whole_sections: bool = True) -> int | None:
    """Feed html[start:end] to `parser` as HTMLParser would; return the index where scanning stopped,
    or None when the text leaves the plain shape. With `whole_sections`, a section seen before is taken
    from memory whole."""
    position = start
    while position < end:
        tag_start = html.find("<", position, end)
        if tag_start < 0:
            tag_start = end
        if tag_start > position:
            parser.handle_data(unescape(html[position:tag_start]))
        if tag_start == end:
            break
        if whole_sections and html.startswith("<section", tag_start) and _clean(parser):
            taken = _take_section(html, tag_start, end, parser)
            if taken is not None:
                position = taken
                continue
        tag = _PLAIN_TAG.match(html, tag_start, end)
        if tag is None:
            return None
        closing, name, attributes, self_closing = tag.groups()
        if closing:
            if attributes or self_closing:
                return None
            parser.handle_endtag(name)
        else:
            pairs = _PLAIN_ATTRIBUTE.findall(attributes)
            parser.handle_starttag(name, [(key, unescape(value)) for key, value in pairs])
            if self_closing:
                parser.handle_endtag(name)
        position = tag.end()
        if parser.block is not None and name in TEXT_BLOCKS and not closing and not self_closing:
            # A text block just opened: its words are mostly the same template sentence for every
            # patient, so take them from memory when they are plain.
            position = _take_block(html, position, end, name, parser)
    return position


def _clean(parser: _Parser) -> bool:
    """Nothing open that a section's reading would depend on or leave behind."""
    return (
        parser.block is None
        and parser.figure is None
        and not parser.in_section
        and not parser.lists
        and not parser.bold
    )


# A remembered section, compact (tuples hold some 3 KiB a section where the dataclasses held 7):
# (kind, blocks), each block (kind, number, attributes, runs, children, teach), each run (text, bold); a
# figure's children are blocks of the same shape, with no children of their own.
_CompactBlock = tuple[
    str, int, tuple[tuple[str, str], ...], tuple[tuple[str, bool], ...], tuple[Any, ...], str
]
_CompactSection = tuple[str, tuple[_CompactBlock, ...]]


def _compact(block: Block) -> _CompactBlock:
    return (
        block.kind,
        block.number,
        tuple(block.attributes.items()),
        tuple((run.text, run.bold) for run in block.runs),
        tuple(_compact(child) for child in block.children),
        block.teach,
    )


def _expand(compact: _CompactBlock) -> Block:
    kind, number, attributes, runs, children, teach = compact
    return Block(
        kind,
        [Run(text, bold) for text, bold in runs],
        number,
        dict(attributes),
        [_expand(c) for c in children],
        teach,
    )


@functools.lru_cache(maxsize=1024)
def _section_blocks(source: str) -> _CompactSection | None:
    """A whole `<section ...>...</section>` read on its own; None unless it closes everything it opens
    (read in place, it would leave something open for what follows)."""
    parser = _Parser()
    if _scan(source, 0, len(source), parser, whole_sections=False) is None or not _clean(parser):
        return None
    if len(parser.sections) != 3:
        return None
    before, section, after = parser.sections
    if before.blocks or after.blocks:
        return None
    return section.kind, tuple(_compact(block) for block in section.blocks)


def _take_section(html: str, position: int, end: int, parser: _Parser) -> int | None:
    """Read a section from memory when the same markup was read before: a batch's documents share most
    sections word for word. The index after it, or None to read it the ordinary way."""
    close = html.find("</section>", position, end)
    if close < 0:
        return None
    close += len("</section>")
    remembered = _section_blocks(html[position:close])
    if remembered is None:
        return None
    kind, blocks = remembered
    section = Section(kind, [_expand(block) for block in blocks])
    parser.sections += [section, Section("plain")]  # as handle_endtag leaves them
    return close


@functools.lru_cache(maxsize=4096)
def _block_runs(inner: str) -> tuple[tuple[str, bool], ...] | None:
    """The runs of a text block's inside, when it holds only words, <strong> and <br>; else None."""
    parser = _Parser()
    parser.block = Block("p")
    for tag in _PLAIN_TAG.finditer(inner):
        if tag.groups() not in _INLINE_TAGS:
            return None
    if _scan(inner, 0, len(inner), parser) is None or parser.bold:
        return None
    return tuple((run.text, run.bold) for run in _normalise(parser.block.runs))


def _take_block(html: str, position: int, end: int, name: str, parser: _Parser) -> int:
    closing_tag = f"</{name}>"
    close = html.find(closing_tag, position, end)
    if close < 0 or parser.bold or parser.block is None:
        return position
    runs = _block_runs(html[position:close])
    if runs is None:
        return position  # not plain: the general path reads it (or reports its fault)
    parser._place([Run(text, bold) for text, bold in runs])  # as _close_block, without normalising again
    return close + len(closing_tag)


def parse_plain(html: str) -> list[Section] | None:
    """Parse `html` as HTMLParser would, when it has the plain shape; None when it has not. HTMLParser's
    general scanner was about 40% of the parsing time, which a batch spends once per patient."""
    parser = _Parser()
    if _scan(html, 0, len(html), parser) is None:
        return None
    if parser.block is not None or parser.in_section or parser.figure is not None:
        return None
    return [section for section in parser.sections if section.blocks]


def parse_with_htmlparser(html: str) -> list[Section]:
    """The reference parse: any input, with line numbers in its messages."""
    parser = _Parser()
    parser.feed(html)
    parser.close()
    if parser.block is not None or parser.in_section or parser.figure is not None:
        parser._fail("a block, figure or section is not closed")
    return [section for section in parser.sections if section.blocks]


def parse_document(html: str) -> list[Section]:
    try:
        sections = parse_plain(html)
    except ContentError:
        sections = None
    # Not the plain shape, or a fault: HTMLParser parses it, or tells the fault with its line number.
    return parse_with_htmlparser(html) if sections is None else sections
