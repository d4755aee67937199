"""Pictures drawn once per process and replayed into every document that shows them again.

A document shows up to five vector pictures (pdf/pictures.py), and a batch shows the same few to
thousands of patients: `draw_picture` builds each Drawing once, but ReportLab's renderer walks its shapes
and writes their operators again in every document, some 1-3 ms a picture, about as much as the rest of
a document's drawing together. What the renderer writes for a Drawing depends only on the Drawing and on
what the document has given its labels' characters (their font names and subset codes, fixed up front by
`fix_font_codes`, as for remembered paragraphs): it sets every graphics state it uses itself and brackets
its operators in a save and restore of the graphics state, so the canvas is left as it found it. So the
operators are kept, keyed by the Drawing and that document state, and written straight in the next time.

A drawing is kept only when drawing it changed nothing but its own operators: no font named, no character
code given, no object, graphics-state resource or PDF version added to the document, nothing of the
canvas's own state left changed. Anything the operators could depend on that the key does not hold turns
replay off for that picture (it is drawn the ordinary way): a canvas that enforces a colour space, a
transparency set before it, ReportLab's boundary-drawing debug setting. tests/test_picture_replay.py and
tests/test_speedups.py compare the bytes against drawing every picture.

The table is bounded (its values keep their Drawings alive, so an id in a key is never another's).
"""

from __future__ import annotations

from typing import Any

from reportlab import rl_config
from reportlab.graphics.shapes import Drawing, Group, String

from .paragraphs import _beyond_ascii, _Bounded, _document_state, _side_effects
from .switch import active

# A kept drawing is a few kilobytes of operators; a batch uses a few dozen (a spine per set of levels,
# print size and paper width, a lifting picture per weight, the others per print size and width).
PICTURE_ENTRIES = 256

_kept: _Bounded[tuple[Any, ...], tuple[str, Drawing]] = _Bounded(PICTURE_ENTRIES)
_characters: _Bounded[int, tuple[str, Drawing]] = _Bounded(PICTURE_ENTRIES)


def clear_pictures() -> None:
    _kept.clear()
    _characters.clear()


def draw(drawing: Drawing, canvas: Any) -> None:
    """`drawing.drawOn(canvas, 0, 0)`: from memory when this Drawing was drawn before into a document
    that gives its labels the same font codes, else drawn (and kept when it can be)."""
    key = _key(drawing, canvas) if active() else None
    if key is None:
        drawing.drawOn(canvas, 0, 0)
        return
    hit = _kept.get(key)
    if hit is not None:
        canvas._code.append(hit[0])
        return
    code = canvas._code
    start = len(code)
    # ReportLab may fold an operator into the one before it (two moves become one): a drawing that did
    # so changed code outside its own, and is not kept. Values of the canvas's own state are compared by
    # identity: a save and restore of the graphics state puts the very objects back.
    before = (_changes(canvas), code[start - 1] if start else None)
    state = dict(canvas.__dict__)
    drawing.drawOn(canvas, 0, 0)
    if (
        len(code) > start
        and (_changes(canvas), code[start - 1] if start else None) == before
        and _same_state(state, canvas.__dict__)
    ):
        # One string: the page joins its operators with line ends, so the bytes are the same.
        _kept.put(key, ("\n".join(code[start:]), drawing))


def _key(drawing: Drawing, canvas: Any) -> tuple[Any, ...] | None:
    """What the drawing's operators depend on besides the Drawing itself, or None: not replayable here."""
    if canvas._enforceColorSpace is not None or canvas._extgstate._d or rl_config.showBoundary:
        return None
    document = _document_state(canvas, _label_characters(drawing))
    if document is None:
        return None  # a label character without its code yet: drawing it gives it one
    # rl_config.invariant orders the renderer's state changes; the PDF version a drawing asks for (its
    # colours' transparency) is added only if the document is below it.
    return (id(drawing), document, canvas._doc._pdfVersion, rl_config.invariant)


def _label_characters(drawing: Drawing) -> str:
    """The characters of the drawing's strings beyond ASCII, the ones whose codes vary by document."""
    known = _characters.get(id(drawing))
    if known is None or known[1] is not drawing:
        known = (_beyond_ascii("".join(_texts(drawing))), drawing)
        _characters.put(id(drawing), known)
    return known[0]


def _texts(node: Any) -> list[str]:
    if isinstance(node, String):
        return [node.text]
    if isinstance(node, Group):
        return [text for child in node.contents for text in _texts(child)]
    return []


def _changes(canvas: Any) -> tuple[Any, ...]:
    """Counters of what a drawing could add to the document besides its operators."""
    return (*_side_effects(canvas), canvas._doc._pdfVersion)


def _same_state(before: dict[str, Any], after: dict[str, Any]) -> bool:
    return before.keys() == after.keys() and all(
        after[name] is value for name, value in before.items() if name != "_code"
    )
