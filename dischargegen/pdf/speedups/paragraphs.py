"""Paragraphs that remember their parsing, line breaking and drawing across documents in one process.

A batch renders the same sentences thousands of times: most of a document is template text, only names,
dates and numbers change. ReportLab parses every paragraph's markup and breaks it into lines from scratch
each time, a large part of the rendering time. This keeps both results, keyed by the exact markup, style
and width, so the output is byte-for-byte what plain Paragraphs give (tests/test_speedups.py compares
against rendering with the speed-ups switched off).

Only a paragraph's first wrap from freshly parsed text is remembered, and a paragraph asked again at the
same width keeps its lines; ReportLab's re-wraps at another width and the pieces it makes when it splits a
paragraph across pages go the ordinary way. Splitting edits the line structure in place, so a paragraph
that shares remembered state splits a private copy.

Drawing is remembered too: a paragraph is drawn after a move to its place on the page, so its drawing
operators do not depend on where it lands, only on its lines and on the codes its characters have in the
document's font subsets. ReportLab gives ASCII fixed codes and other characters the next free code when
first drawn; `fix_font_codes` hands those out up front, in code-point order, so that the same template
sentence gets the same codes in every document with the same set of characters. The codes are part of the
key, and a drawing is kept only when it changed nothing in the document besides its own operators (no new
font, character code, object or graphics state), so a replay can never refer to something missing. A
replay also writes the save, move and restore that place it directly, without ReportLab's state keeping.

Every table is bounded, so memory stays flat over any number of documents.
"""

from __future__ import annotations

import copy
import functools
import itertools
from collections import OrderedDict
from typing import Any, Generic, TypeVar

from reportlab.lib.rl_accel import fp_str
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import Paragraph
from reportlab.platypus.paragraph import _processed_frags
from reportlab.platypus.paraparser import ParaFrag

K = TypeVar("K")
V = TypeVar("V")

PARSED_ENTRIES = 2048
WRAPPED_ENTRIES = 2048
# A drawing is a few hundred bytes of operators plus its key; there is one per sentence and set of font
# codes, and a batch keeps thousands in use: a table too small evicts drawings still in use. What the
# tables hold when full, and how many entries a batch uses: docs/performance.md.
DRAWN_ENTRIES = 8192
STATE_ENTRIES = 1024  # a state per set of characters beyond ASCII in the documents' text
# What Paragraph.wrap (with breakLines) sets on the instance.
_WRAP_STATE = (
    "width",
    "_wrapWidths",
    "blPara",
    "height",
    "_width_max",
    "_splitLongWordCount",
    "_hyphenations",
)


class _Bounded(Generic[K, V]):
    """A least-recently-used table of at most `size` entries."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._items: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K) -> V | None:
        value = self._items.get(key)
        if value is not None:
            self._items.move_to_end(key)
        return value

    def put(self, key: K, value: V) -> None:
        self._items[key] = value
        if len(self._items) > self._size:
            self._items.popitem(last=False)

    def clear(self) -> None:
        self._items.clear()


# Values hold the style object itself, so the id() in a key can never be reused by another style.
_parsed: _Bounded[tuple[Any, ...], tuple[Any, ...]] = _Bounded(PARSED_ENTRIES)
_wrapped: _Bounded[tuple[Any, ...], dict[str, Any]] = _Bounded(WRAPPED_ENTRIES)
_drawn: _Bounded[tuple[Any, ...], str] = _Bounded(DRAWN_ENTRIES)


def clear_caches() -> None:
    _parsed.clear()
    _wrapped.clear()
    _drawn.clear()
    _state_numbers.clear()


def _beyond_ascii(text: str) -> str:
    # No-break space is always drawn as code 32, so it never takes a code of its own.
    return "".join(sorted(char for char in set(text) if ord(char) > 127 and char != "\xa0"))


# For paragraphs, which repeat; a whole document's text never does, so it must not fill this table.
@functools.lru_cache(maxsize=PARSED_ENTRIES)
def _paragraph_beyond_ascii(text: str, bullet: str | None) -> str:
    return _beyond_ascii(text + (bullet or ""))


def fix_font_codes(canvas: Any, text: str, font_names: tuple[str, ...]) -> None:
    """Give every character of `text` beyond ASCII its code in each font's subsets now, in code-point
    order, and name each font in the document, so drawings do not depend on which sentence came first."""
    characters = _beyond_ascii(text)
    for name in font_names:
        font = pdfmetrics.getFont(name)
        font.splitString(characters, canvas._doc)
        font.getSubsetInternalName(0, canvas._doc)


def _font_states(doc: Any) -> list[Any]:
    """The subset state of each font named in the document; None for a standard (non-subset) font."""
    return [getattr(pdfmetrics.getFont(name), "state", {}).get(doc) for name in doc.fontMapping]


def _document_state(canvas: Any, characters: str) -> int | None:
    """What a drawing of these characters depends on beyond its own lines, as a number (equal numbers,
    equal states), or None: not fixed yet.

    Asked for every paragraph drawn, so each canvas keeps its answers. An answer can only change when a
    font is named in the document: ReportLab never takes a name or a character's code back, so a
    mapping of the same length is the same mapping, and a code once given stays. A None (a character
    still without a code) is not kept: the drawing itself may give it one."""
    mapped = len(canvas._doc.fontMapping)
    memo: tuple[int, dict[str, int]] | None = canvas.__dict__.get(_STATES_ATTRIBUTE)
    if memo is None or memo[0] != mapped:
        memo = (mapped, {})
        setattr(canvas, _STATES_ATTRIBUTE, memo)
    known = memo[1].get(characters)
    if known is None:
        state = _current_document_state(canvas, characters)
        if state is None:
            return None
        known = memo[1][characters] = _state_number(state)
    return known


_STATES_ATTRIBUTE = "_dischargegen_document_states"
# A state is a tuple of some dozen names and codes, hashed and compared on every lookup of a drawing;
# a number is cheaper. Numbers are never given twice, so clearing the table only costs a few redrawings.
_state_numbers: dict[tuple[Any, ...], int] = {}
_numbers_given = itertools.count()


def _state_number(state: tuple[Any, ...]) -> int:
    number = _state_numbers.get(state)
    if number is None:
        if len(_state_numbers) >= STATE_ENTRIES:
            _state_numbers.clear()
        number = _state_numbers[state] = next(_numbers_given)
    return number


def _current_document_state(canvas: Any, characters: str) -> tuple[Any, ...] | None:
    doc = canvas._doc
    codes: list[Any] = [tuple(doc.fontMapping.items())]
    for state in _font_states(doc):
        if state is None:
            continue
        assignments = state.assignments
        for char in characters:
            code = assignments.get(ord(char))
            if code is None:
                return None  # this character would take its first code in the drawing itself
            codes.append(code)
    return tuple(codes)


def _side_effects(canvas: Any) -> tuple[Any, ...]:
    """Counters of everything a drawing could add to the document besides its operators."""
    doc = canvas._doc
    return (
        len(doc.fontMapping),
        tuple(None if state is None else state.nextCode for state in _font_states(doc)),
        len(doc.idToObject),
        len(canvas._extgstate._c),
        len(canvas._annotationrefs),
        canvas._annotationCount,
    )


class MemoParagraph(Paragraph):  # type: ignore[misc]
    """A drop-in Paragraph for markup that is already escaped (see pdf._markup)."""

    frags: Any
    blPara: Any
    canv: Any
    _shared: bool = False
    _draw_key: tuple[Any, ...] | None = None

    def __init__(
        self, text: str | None, style: Any, bulletText: Any = None, frags: Any = None, **kw: Any
    ) -> None:
        self._memo_key: tuple[Any, ...] | None = None
        if frags is not None or text is None:  # a piece of a split paragraph: not remembered
            super().__init__(text, style, bulletText, frags, **kw)
            return
        key = (text, id(style), bulletText)
        hit = _parsed.get(key)
        if hit is None:
            super().__init__(text, style, bulletText, **kw)
            _parsed.put(key, (self.text, self.frags, self.style, self.bulletText, style))
        else:
            cleaned, parsed, parsed_style, parsed_bullet, _ = hit
            super().__init__(cleaned, parsed_style, parsed_bullet, frags=parsed, **kw)
        self._memo_key = key

    def _rememberable(self) -> bool:
        """Only a first wrap from freshly parsed runs; ReportLab re-wraps its processed runs itself."""
        if self._memo_key is None:
            return False
        frags = self.frags
        if frags and type(frags[0]) is ParaFrag:
            # ReportLab's test indexes the first run, and catches the error a parsed run raises: the
            # same answer without raising, asked for every paragraph placed.
            return True
        return not _processed_frags(frags)

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        if self._draw_key is not None and self._draw_key[-1] == availWidth:
            # Asked again at the same width (a table wraps each cell for its row heights and again to
            # draw it): the lines are the ones already made, and breaking them again would give the same.
            return self.width, self.height
        self._draw_key = None
        if self._memo_key is None or not self._rememberable():
            width, height = super().wrap(availWidth, availHeight)
            return width, height
        # Flat keys: a tuple's hash is not kept, so every lookup hashes each tuple nested in it.
        key = (*self._memo_key, availWidth)
        hit = _wrapped.get(key)
        if hit is not None:
            self.__dict__.update(hit)
            self._wrapWidths = list(hit["_wrapWidths"])
            self._shared = True
            self._draw_key = key
            return self.width, self.height
        width, height = super().wrap(availWidth, availHeight)
        if getattr(self, "blPara", None) is not None:
            state = {name: getattr(self, name) for name in _WRAP_STATE if hasattr(self, name)}
            state["_wrapWidths"] = list(state.get("_wrapWidths", ()))
            state["frags"] = self.frags  # breakLines replaces a many-run paragraph's runs by its words
            _wrapped.put(key, state)
            self._shared = True
            self._draw_key = key
        return width, height

    def _remembered_drawing(self, canvas: Any) -> tuple[tuple[Any, ...] | None, str | None]:
        """The key of this paragraph's drawing in this document (None: not rememberable), and the drawing
        if it is remembered."""
        if self._draw_key is None or self._memo_key is None:
            return None, None
        text, _, bullet = self._memo_key
        document = _document_state(canvas, _paragraph_beyond_ascii(text, bullet))
        if document is None:
            return None, None
        key = (*self._draw_key, document)
        return key, _drawn.get(key)

    def drawOn(self, canvas: Any, x: float, y: float, _sW: float = 0) -> None:  # noqa: N802, N803
        """Flowable.drawOn, with a remembered drawing written straight in. Flowable.drawOn brackets the
        drawing in save/restore of the graphics state (which leaves the canvas as it was) and a move
        that cannot fold into the operator before it (a save); the same operators, without the work."""
        if not getattr(self, "_showBoundary", False):
            _, hit = self._remembered_drawing(canvas)
            if hit is not None:
                x = self._hAlignAdjust(x, _sW)
                canvas._code.extend(("q", f"{fp_str(1, 0, 0, 1, x, y)} cm", hit, "Q"))
                return
        super().drawOn(canvas, x, y, _sW)

    def draw(self) -> None:
        canvas = self.canv
        key, hit = self._remembered_drawing(canvas)
        if key is None:
            super().draw()
            return
        if hit is not None:
            canvas._code.append(hit)
            return
        code = canvas._code
        start = len(code)
        # ReportLab may fold an operator into the one before it (two moves become one): a drawing that
        # did so changed code outside its own, and is not kept.
        before = (_side_effects(canvas), code[start - 1] if start else None)
        super().draw()
        if len(code) > start and (_side_effects(canvas), code[start - 1] if start else None) == before:
            # One string: the page joins its operators with line ends, so the bytes are the same.
            _drawn.put(key, "\n".join(code[start:]))

    def deepcopy(self) -> MemoParagraph:
        """The copy ReportLab's cdeepcopy takes before it tries a split (a picture's words, measured beside
        it: ImageAndFlowables): a shallow one that splits a private copy of its lines, as a remembered
        paragraph does. The same split, without deep-copying every run, word and style a few times per
        figure (deep copies were a fifth of a document with figures)."""
        twin = copy.copy(self)
        twin._shared = True  # its lines and runs are the original's: split() copies them first
        return twin

    def split(self, availWidth: float, availHeight: float) -> list[Any]:
        # Splitting edits the line structure in place (ReportLab adds spaces to words at line ends): work
        # on a private copy, so the remembered one stays as it was made.
        if not hasattr(self, "blPara"):
            self.wrap(availWidth, availHeight)
        self._draw_key = None
        if self._shared and hasattr(self, "blPara"):
            self.blPara, self.frags = copy.deepcopy((self.blPara, self.frags))
            self._shared = False
        return list(super().split(availWidth, availHeight))
