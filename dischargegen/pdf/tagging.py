"""Tagged PDF (PDF/UA-1, ISO 14289-1): a structure tree over the document body, its decorations and the page
frame marked as artifacts, written while ReportLab lays the document out and writes it (no second pass).

ReportLab knows nothing of tagging. What it offers is enough:

- `build_story` makes the tree as it makes the flowables (`StructureTree`): a Document, a Sect for each
  section, H1/H2/H3, P, L/LI/Lbl/LBody for bulleted, numbered and checklist items, Figure with the
  template's text alternative for each picture and for the scan-back code. Each flowable carries the element
  its drawing belongs to (`_element`); the pieces ReportLab makes of a paragraph split across pages carry the
  same one, so it stays one element with a marked-content reference on each page.
- While drawing, each tagged flowable's operators are bracketed in `/Role <</MCID n>> BDC ... EMC`
  (`PageMarks`: the numbers count from 0 on each page, and each page's list of elements becomes its entry in
  the parent tree). A list item's bullet or number, drawn by ReportLab inside the paragraph, is marked Lbl
  and the rest LBody; a checklist item's square is its Lbl. The boxes' backgrounds and borders, the
  signature rules, and the page header, footer, logo and chart-copy mark are artifacts (`artifact`).
- The chart copy (pdf/chart.py) is not tagged, and a batch packet (pypdf) keeps no structure.
- Before the document is written (`finish`), the tree becomes StructElem dictionaries with a
  StructTreeRoot, a ParentTree, /StructParents on every page and /MarkInfo in the catalog.

Untagged documents take none of these paths: their bytes are as before.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from reportlab.pdfbase.pdfdoc import (
    PDFDictionary,
    PDFDocument,
    PDFObject,
    PDFObjectReference,
    PDFPage,
    PDFString,
)
from reportlab.platypus import Paragraph, Table

from .speedups import Kit

CANVAS_ATTRIBUTE = "_dischargegen_marks"
LIST_NUMBERING = {"bullet": "Disc", "number": "Decimal", "check": "None"}


class Element:
    """A structure element: its role (H1, P, LI...), children or content, and text alternative. ReportLab copies flowables (deep copies
    while it tries splits, shallow ones for the pieces): every copy must point at this same element."""

    __slots__ = ("role", "kids", "content", "alt", "numbering")

    def __init__(self, role: str, parent: Element | None = None, alt: str | None = None) -> None:
        # No link back to the parent: without reference cycles a document's tree is freed as soon as it
        # is written, not by the cycle collector (whose passes over the speed-ups' tables cost time).
        self.role = role
        # Its child elements, or the (page index, MCID) of each piece of its content drawn: an element
        # holds one or the other (a heading, a paragraph, a label or a figure is drawn; a list or a
        # section holds elements).
        self.kids: list[Element] = []
        self.content: list[tuple[int, int]] = []
        self.alt = alt
        self.numbering = ""  # an L's ListNumbering attribute
        if parent is not None:
            parent.kids.append(self)

    def __copy__(self) -> Element:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> Element:
        return self


class StructureTree:
    """The document's structure, built in reading order with its flowables."""

    def __init__(self) -> None:
        self.document = Element("Document")

    def section(self) -> Element:
        return Element("Sect", self.document)


def list_item(kind: str, parent: Element) -> tuple[Element, Element]:
    """A new LI (`kind`: bullet, number or check) in the list it continues, or in a new list when the
    element before it in `parent` is not a list of its kind; its Lbl and LBody."""
    last = parent.kids[-1] if parent.kids else None
    numbering = LIST_NUMBERING[kind]
    if last is not None and last.role == "L" and last.numbering == numbering:
        list_element = last
    else:
        list_element = Element("L", parent)
        list_element.numbering = numbering
    item = Element("LI", list_element)
    return Element("Lbl", item), Element("LBody", item)


class PageMarks:
    """The marked content of a document being drawn: for each page, the element of each MCID."""

    def __init__(self) -> None:
        self.pages: list[list[Element]] = [[]]

    def begin(self, canvas: Any, element: Element) -> None:
        page = self.pages[-1]
        mcid = len(page)
        page.append(element)
        element.content.append((len(self.pages) - 1, mcid))
        canvas._code.append(f"/{element.role} <</MCID {mcid}>> BDC")

    def next_page(self) -> None:
        self.pages.append([])


def marks_of(canvas: Any) -> PageMarks | None:
    """The canvas's marks, None when the document is not tagged."""
    marks: PageMarks | None = getattr(canvas, CANVAS_ATTRIBUTE, None)
    return marks


@contextlib.contextmanager
def marked(canvas: Any, element: Element | None) -> Iterator[None]:
    """What is drawn inside, marked as content of `element` (nothing when untagged or no element)."""
    marks = marks_of(canvas)
    if marks is None or element is None:
        yield
        return
    marks.begin(canvas, element)
    yield
    canvas._code.append("EMC")


@contextlib.contextmanager
def artifact(canvas: Any, subtype: str | None = None) -> Iterator[None]:
    """What is drawn inside, marked as an artifact: a pagination artifact (`subtype` Header or Footer), or
    a layout one (a box's background and border, a rule). Nothing when the document is not tagged."""
    if marks_of(canvas) is None:
        yield
        return
    if subtype is None:
        canvas._code.append("/Artifact <</Type /Layout>> BDC")
    else:
        canvas._code.append(f"/Artifact <</Type /Pagination /Subtype /{subtype}>> BDC")
    yield
    canvas._code.append("EMC")


def tag(flowable: Any, element: Element) -> Any:
    flowable._element = element
    return flowable


class TaggedParagraphMixin:
    """A paragraph whose drawing is marked as its element's content. A list item's paragraph (its element
    an LBody, with `_label` its Lbl) marks the bullet or number ReportLab draws first as the Lbl."""

    _element: Element | None = None
    _label: Element | None = None
    bulletText: Any

    def drawOn(self, canvas: Any, x: float, y: float, _sW: float = 0) -> None:  # noqa: N802, N803
        marks = marks_of(canvas)
        element = self._element
        if marks is None or element is None:
            super().drawOn(canvas, x, y, _sW)  # type: ignore[misc]
            return
        if self._label is None or not self.bulletText:
            marks.begin(canvas, element)
            super().drawOn(canvas, x, y, _sW)  # type: ignore[misc]
            canvas._code.append("EMC")
            return
        code = canvas._code
        start = len(code)
        super().drawOn(canvas, x, y, _sW)  # type: ignore[misc]
        drawn = "\n".join(code[start:])
        # ReportLab draws the bullet first, as a text object of its own, then the paragraph's text.
        bullet_start = drawn.index("BT ")
        bullet_end = drawn.index(" ET", bullet_start) + 3
        del code[start:]
        code.append(drawn[:bullet_start])
        marks.begin(canvas, self._label)
        code.append(drawn[bullet_start:bullet_end])
        code.append("EMC")
        marks.begin(canvas, element)
        code.append(drawn[bullet_end:])
        code.append("EMC")

    def split(self, availWidth: float, availHeight: float) -> list[Any]:  # noqa: N803
        parts: list[Any] = super().split(availWidth, availHeight)  # type: ignore[misc]
        for part in parts:
            part._element, part._label = self._element, self._label
        return parts


class TaggedTableMixin:
    """A table whose backgrounds, rules and text cells (the signature lines' empty cells) are artifacts;
    the flowables in its cells mark themselves."""

    canv: Any

    def _drawBkgrnd(self) -> None:  # noqa: N802 (ReportLab's name)
        with artifact(self.canv):
            super()._drawBkgrnd()  # type: ignore[misc]

    def _drawLines(self) -> None:  # noqa: N802
        with artifact(self.canv):
            super()._drawLines()  # type: ignore[misc]

    def _drawCell(self, cellval: Any, cellstyle: Any, pos: Any, size: Any) -> None:  # noqa: N802
        if isinstance(cellval, str):
            with artifact(self.canv):
                super()._drawCell(cellval, cellstyle, pos, size)  # type: ignore[misc]
        else:
            super()._drawCell(cellval, cellstyle, pos, size)  # type: ignore[misc]


_TAGGED_CLASSES: dict[tuple[type, type], type] = {}


def _tagged_class(mixin: type, base: type) -> Any:
    """`base` with `mixin` first, made once per pair and kept."""
    made = _TAGGED_CLASSES.get((mixin, base))
    if made is None:
        made = _TAGGED_CLASSES[(mixin, base)] = type(
            f"Tagged{base.__name__}", (mixin, base), {"__module__": __name__}
        )
    return made


def tagged_kit(kit: Kit) -> Kit:
    """`kit` with paragraphs and tables that mark what they draw."""
    paragraph: type[Paragraph] = _tagged_class(TaggedParagraphMixin, kit.paragraph)
    table: type[Table] = _tagged_class(TaggedTableMixin, kit.table)
    return Kit(
        paragraph,
        table,
        kit.keep_together,
        kit.frame,
        reuses_drawings=kit.reuses_drawings,
        image_and_flowables=kit.image_and_flowables,
    )


class TaggedPage(PDFPage):  # type: ignore[misc]
    """ReportLab's page, which writes only the keys it lists, with StructParents among them."""

    __NoDefault__ = [*PDFPage.__NoDefault__, "StructParents", "Tabs"]


class _Written(PDFObject):  # type: ignore[misc]
    """An object written before ReportLab writes the document: its bytes are made in `finish`, where
    every object number is known already (ReportLab numbers an object when it is registered). A document
    has a hundred or more structure elements; ReportLab's general formatting of dictionaries, and a
    second pass over parts here, each cost more than the rest of the tagging."""

    def __init__(self) -> None:
        self.data = b""

    def format(self, document: PDFDocument) -> bytes:
        return self.data


def _pruned(element: Element) -> bool:
    """Drop the elements with no content drawn beneath them (an empty paragraph); whether `element` has
    content left."""
    if element.kids:
        element.kids = [kid for kid in element.kids if _pruned(kid)]
        return bool(element.kids)
    return bool(element.content)


class _Numbers:
    """Object numbers, as `N 0 R` text, of what `finish` writes and of the pages."""

    def __init__(self, document: PDFDocument) -> None:
        self.document = document
        self.numbers = document.idToObjectNumberAndVersion
        self.pages = [self.of(page) for page in document.Pages.pages]

    def of(self, obj: Any) -> str:
        """`obj`'s reference, registering it if it is new."""
        number, version = self.numbers[self.document.Reference(obj).name]
        return f"{number} {version} R"


def _element_bytes(element: Element, parent: str, kids: list[str], numbers: _Numbers) -> bytes:
    """A StructElem dictionary. Content all on one page (most elements) is written as its MCIDs with the
    page as the element's /Pg; content on several pages (a paragraph split across them) as marked-content
    references, each naming its page."""
    extra = ""
    if element.numbering:
        extra = f" /A << /O /List /ListNumbering /{element.numbering} >>"
    content = element.content
    if not content:
        written = " ".join(kids)
    elif content[0][0] == content[-1][0]:  # one page: the pieces of a page are drawn in order
        extra += f" /Pg {numbers.pages[content[0][0]]}"
        written = " ".join([str(mcid) for _, mcid in content])
    else:
        pages = numbers.pages
        written = " ".join([f"<< /Type /MCR /Pg {pages[page]} /MCID {mcid} >>" for page, mcid in content])
    text = f"<< /Type /StructElem /S /{element.role} /P {parent}{extra} /K [{written}]".encode("ascii")
    if element.alt is not None:
        text += b" /Alt " + PDFString(element.alt).format(numbers.document)
    return text + b" >>"


def finish(document: PDFDocument, tree: StructureTree, marks: PageMarks) -> None:
    """Write the structure tree into `document` before it is written, after its pages: StructElem
    dictionaries, the StructTreeRoot with its ParentTree, /StructParents on each page, /MarkInfo."""
    _pruned(tree.document)
    numbers = _Numbers(document)
    root = _Written()
    root_reference = numbers.of(root)
    references: dict[int, str] = {}

    def add(element: Element, parent: str) -> str:
        written = _Written()
        reference = references[id(element)] = numbers.of(written)
        kids = [add(kid, reference) for kid in element.kids]
        written.data = _element_bytes(element, parent, kids, numbers)
        return reference

    document_reference = add(tree.document, root_reference)
    pages = document.Pages.pages
    entries = []
    for index, page in enumerate(pages):
        page.__class__ = TaggedPage
        page.StructParents = index
        elements = " ".join(references[id(element)] for element in marks.pages[index])
        entries.append(f"{index} [{elements}]")
    parent_tree = _Written()
    parent_tree.data = f"<< /Nums [{' '.join(entries)}] >>".encode("ascii")
    root.data = (
        f"<< /Type /StructTreeRoot /K {document_reference} /ParentTree {numbers.of(parent_tree)}"
        f" /ParentTreeNextKey {len(pages)} >>"
    ).encode("ascii")
    document.Catalog.StructTreeRoot = PDFObjectReference(document.Reference(root).name)
    document.Catalog.MarkInfo = PDFDictionary({"Marked": "true"})
