"""Font subsets made once per process: a TrueType font that remembers the parts of itself it embeds.

Every document embeds the part of the font it uses. Documents with the same characters (their codes are
fixed up front, see paragraphs.fix_font_codes) need the same part, so it is made once: making it reads
and rewrites the font's tables, and compressing it is costly, each time. The same goes for each part's
width table (some 250 numbers, formatted one by one) and for the compressing of its character map
(which writer.character_map writes out once). With the speed-ups off (see switch.py) the font behaves
as ReportLab's own.
"""

from __future__ import annotations

import functools
from typing import Any

from reportlab.pdfbase import pdfdoc
from reportlab.pdfbase.ttfonts import TTFont, TTFontFace

from .switch import active

SUBSET_ENTRIES = 64  # per font; a subset file is some 20-40 KiB


class _FormattedArray(pdfdoc.PDFArray):  # type: ignore[misc]
    """A PDF array of plain numbers, formatted once: the same bytes in every document that embeds it."""

    def __init__(self, formatted: bytes) -> None:
        super().__init__(())
        self.formatted = formatted

    def format(self, document: Any, IND: bytes = b"\n ") -> bytes:  # noqa: N803 (ReportLab's name)
        return self.formatted


@functools.lru_cache(maxsize=SUBSET_ENTRIES * 4)
def _formatted_widths(widths: tuple[Any, ...]) -> _FormattedArray:
    return _FormattedArray(pdfdoc.PDFArray(widths).format(None))


@functools.lru_cache(maxsize=SUBSET_ENTRIES * 4)
def _compressed(content: bytes) -> bytes:
    return bytes(pdfdoc.PDFZCompress.encode(content))


def _compress_once(stream: Any) -> None:
    """Compress `stream` as PDFStream.format would with its filter, remembering the result: ReportLab
    leaves a stream that already names a Filter alone."""
    if (
        stream is not None
        and stream.filters == [pdfdoc.PDFZCompress]
        and "Filter" not in stream.dictionary.dict
    ):
        stream.content = _compressed(stream.content)
        stream.dictionary["Filter"] = pdfdoc.PDFArray([pdfdoc.PDFName(pdfdoc.PDFZCompress.pdfname)])


class RememberingFace(TTFontFace):  # type: ignore[misc]
    """The font file of a RememberingTTFont: its subsets made, and their files compressed, once."""

    _made: Any  # the remembered TTFontFace.makeSubset of this face

    def makeSubset(self, subset: list[int]) -> bytes:  # noqa: N802 (ReportLab's name)
        if not active():
            return bytes(super().makeSubset(subset))
        return bytes(self._made(tuple(subset)))

    def addSubsetObjects(self, doc: Any, fontname: str, subset: list[int]) -> Any:  # noqa: N802
        reference = super().addSubsetObjects(doc, fontname, subset)
        if active():
            _compress_once(doc.idToObject.get(f"fontFile:{self.filename}({fontname})"))
        return reference


class RememberingTTFont(TTFont):  # type: ignore[misc]
    """A TTFont whose subsets, width tables and compressed streams are made once per process."""

    def __init__(self, name: str, filename: str) -> None:
        # asciiReadable as ReportLab ships it, not rl_config's (RL_ttfAsciiReadable=0 changed the bytes).
        super().__init__(name, filename, asciiReadable=1)
        face = self.face
        # TTFont makes a TTFontFace of the file; this is the same object with the remembering methods.
        face.__class__ = RememberingFace
        face._made = functools.lru_cache(maxsize=SUBSET_ENTRIES)(
            lambda subset: bytes(TTFontFace.makeSubset(face, list(subset)))
        )

    def addObjects(self, doc: Any) -> None:  # noqa: N802 (ReportLab's name)
        super().addObjects(doc)
        if not active():
            return
        prefix = f"Font {self.fontName} subset "
        for pdf_font in doc.idToObject["BasicFonts"].dict.values():
            if (
                getattr(pdf_font, "__Comment__", "").startswith(prefix)
                and type(pdf_font.Widths) is pdfdoc.PDFArray
            ):
                pdf_font.Widths = _formatted_widths(tuple(pdf_font.Widths.sequence))
                _compress_once(doc.idToObject.get(pdf_font.ToUnicode.name))
