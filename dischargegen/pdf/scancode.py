"""The scan-back code on the signature page: a QR code of the payload (barcode.py) with the payload in
text beneath, for the document-imaging system that files the signed page (docs/scan-back.md).

ReportLab's own QR encoder makes the symbol, with error correction M (15% of it may be lost to a pen mark
or a fold); the dark modules are drawn as one filled path, in black, so a scanner sees no seams between
them. The symbol is one inch wide whatever its version; with at most 41 modules a side (barcode.py limits
the payload), a module is at least 0.0244 inch (0.62 mm): about 5 pixels of a 200 dpi scan, 7 of a 300 dpi
one. Four modules of white on every side (the quiet zone QR asks for) are part of the flowable, and
nothing else is drawn there.
"""

from __future__ import annotations

import functools
import itertools
import re
from typing import Any

from reportlab.graphics.barcode import qrencoder
from reportlab.lib import colors
from reportlab.lib.units import inch
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable

from ..barcode import SEPARATORS
from .fonts import REGULAR
from .tagging import Element, marked

SYMBOL_SIZE = 1.0 * inch  # the dark modules' square, quiet zone excluded
QUIET_ZONE_MODULES = 4
ERROR_CORRECTION = qrencoder.QRErrorCorrectLevel.M
# ReportLab tries all eight mask patterns and keeps the one with the fewest look-alike finder patterns and
# blocks: about 12-20 ms of pure Python for each code, as long as the rest of a document's rendering. Every
# reader decodes every mask; this one scored nearest the best on sample payloads (docs/scan-back.md).
MASK_PATTERN = 4
TEXT_LEADING = 1.2  # the text lines' spacing, as a share of the type size


class _OneMaskQRCode(qrencoder.QRCode):  # type: ignore[misc]
    """ReportLab's QR code with its mask pattern given, not searched for, and its codewords (the data and
    its Reed-Solomon error correction) computed by `codewords` below: ReportLab's own polynomial code
    takes half of the symbol's time, rebuilding the generator polynomial for every code."""

    def make(self) -> None:
        # Made with no version given (qr_modules): the smallest that holds the data, as ReportLab's make.
        version = self.version = self.calculate_version()
        # makeImpl takes the codewords from dataCache when they are there.
        self.dataCache = codewords(version, self.errorCorrectLevel, self.dataList)
        self.makeImpl(False, MASK_PATTERN)


# Arithmetic in GF(256) with QR's polynomial x^8 + x^4 + x^3 + x^2 + 1, through exponent and logarithm
# tables (the exponents twice over, so that a sum of two logarithms needs no modulo).
_EXPONENT = [0] * 510
_LOGARITHM = [0] * 256
_value = 1
for _power in range(255):
    _EXPONENT[_power] = _EXPONENT[_power + 255] = _value
    _LOGARITHM[_value] = _power
    _value <<= 1
    if _value & 0x100:
        _value ^= 0x11D


@functools.cache
def _generator(degree: int) -> tuple[int, ...]:
    """The Reed-Solomon generator polynomial of `degree`, (x - 1)(x - a)...(x - a^(degree - 1)), as the
    logarithms of its coefficients after the leading 1. A code uses one or two degrees: computed once."""
    coefficients = [1]
    for power in range(degree):
        product = [*coefficients, 0]
        for index, coefficient in enumerate(coefficients):
            if coefficient:
                product[index + 1] ^= _EXPONENT[_LOGARITHM[coefficient] + power]
        coefficients = product
    return tuple(_LOGARITHM[coefficient] for coefficient in coefficients[1:])


def error_correction(data: list[int], degree: int) -> list[int]:
    """The `degree` error-correction codewords of a block of data codewords: the remainder of dividing
    the data (times x^degree) by the generator polynomial."""
    generator = _generator(degree)
    remainder = [*data, *([0] * degree)]
    for index in range(len(data)):
        lead = remainder[index]
        if lead:
            shift = _LOGARITHM[lead]
            for offset, logarithm in enumerate(generator, start=index + 1):
                remainder[offset] ^= _EXPONENT[logarithm + shift]
    return remainder[len(data) :]


def codewords(version: int, level: int, data_list: list[Any]) -> list[int]:
    """The symbol's codewords as ReportLab's QRCode.createData makes them: the data bits, terminator and
    padding, cut into ReportLab's blocks for the version and level, then the blocks' data and
    error-correction codewords interleaved."""
    blocks = qrencoder.QRRSBlock.getRSBlocks(version, level)
    buffer = qrencoder.QRBitBuffer()
    for data in data_list:
        data.write(buffer, version)
    capacity = 8 * sum(block.dataCount for block in blocks)
    if buffer.getLengthInBits() > capacity:
        raise AssertionError("the payload is longer than barcode.py allows")  # a programming error
    if buffer.getLengthInBits() + 4 <= capacity:
        buffer.put(0, 4)  # the terminator
    while buffer.getLengthInBits() % 8:
        buffer.putBit(False)
    pads = itertools.cycle((qrencoder.QRCode.PAD0, qrencoder.QRCode.PAD1))
    while buffer.getLengthInBits() < capacity:
        buffer.put(next(pads), 8)
    data_blocks: list[list[int]] = []
    correction_blocks: list[list[int]] = []
    offset = 0
    for block in blocks:
        data_blocks.append(buffer.buffer[offset : offset + block.dataCount])
        offset += block.dataCount
        correction_blocks.append(error_correction(data_blocks[-1], block.totalCount - block.dataCount))
    return [
        codeword
        for group in (data_blocks, correction_blocks)
        for column in itertools.zip_longest(*group)
        for codeword in column
        if codeword is not None
    ]


# The chart copy draws the same patient's code again: the matrix is kept for a few payloads.
@functools.lru_cache(maxsize=8)
def qr_modules(payload: str) -> tuple[str, ...]:
    """The symbol's modules, row by row from the top, "1" for dark and "0" for light. The payload is
    printable ASCII (barcode.py escapes everything else), written in byte mode."""
    code = _OneMaskQRCode(None, ERROR_CORRECTION)
    code.addData(qrencoder.QR8bitByte(payload.encode("ascii")))
    code.make()
    return tuple("".join("1" if module else "0" for module in row) for row in code.modules)


def text_lines(text: str, font_size: float, width: float) -> list[str]:
    """`text` in lines no wider than `width`: broken after a separator where one is near the end of the
    line, else wherever the line is full (a payload has no spaces to break at)."""
    # ReportLab adds up character widths (no kerning), so a line's width is the sum of its characters'.
    widths = [stringWidth(char, REGULAR, font_size) for char in text]
    lines: list[str] = []
    start = 0
    while start < len(text):
        end, used = start + 1, widths[start]
        while end < len(text) and used + widths[end] <= width:
            used += widths[end]
            end += 1
        if end < len(text):
            after = max(text.rfind(separator, start, end) for separator in SEPARATORS) + 1
            if after - start >= (end - start) / 2:
                end = after
        lines.append(text[start:end])
        start = end
    return lines


class ScanCode(Flowable):  # type: ignore[misc]
    """The QR code with its quiet zone, centred in `width`, and the payload in text beneath it."""

    def __init__(self, payload: str, width: float, font_size: float) -> None:
        super().__init__()
        self.payload = payload
        self.font_size = font_size
        self.modules = qr_modules(payload)
        self.module = SYMBOL_SIZE / len(self.modules)
        self.quiet = QUIET_ZONE_MODULES * self.module
        self.lines = text_lines(payload, font_size, width)
        self.width = width
        self.height = SYMBOL_SIZE + 2 * self.quiet + len(self.lines) * font_size * TEXT_LEADING
        self.figure: Element | None = None
        self.text: Element | None = None

    def tag(self, parent: Element | None, alt: str) -> None:
        """In a tagged document: the symbol a Figure of `parent` with the text alternative `alt` (generic
        words: the payload holds the MRN), the text beneath it a paragraph, as printed."""
        if parent is not None:
            self.figure = Element("Figure", parent, alt=alt)
            self.text = Element("P", parent)

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        canvas = self.canv
        canvas.saveState()
        # In module units from the symbol's bottom left: every coordinate a small whole number.
        canvas.translate((self.width - SYMBOL_SIZE) / 2, self.height - self.quiet - SYMBOL_SIZE)
        canvas.scale(self.module, self.module)
        canvas.setFillColor(colors.black)
        # The path's operators written directly (canvas.addLiteral, ReportLab's public way): every
        # coordinate is a small whole number, which ReportLab's general number formatting costs five
        # times as much to write. One fill of the whole path: no seams between modules.
        with marked(canvas, self.figure):
            canvas.addLiteral(
                "\n".join(f"{x} {y} {w} {h} re" for x, y, w, h in dark_rectangles(self.modules)) + " f"
            )
        canvas.restoreState()
        canvas.saveState()
        canvas.setFillColor(colors.black)
        canvas.setFont(REGULAR, self.font_size)
        baseline = self.height - 2 * self.quiet - SYMBOL_SIZE
        with marked(canvas, self.text):
            for line in self.lines:
                baseline -= self.font_size * TEXT_LEADING
                canvas.drawCentredString(self.width / 2, baseline + self.font_size * 0.25, line)
        canvas.restoreState()


_DARK_RUN = re.compile("1+")


def dark_rectangles(modules: tuple[str, ...]) -> list[tuple[int, int, int, int]]:
    """The dark modules as rectangles (left, bottom, width, height, in modules from the bottom left): one
    for each run of dark modules in a row."""
    size = len(modules)
    return [
        (start, size - 1 - row_number, end - start, 1)
        for row_number, row in enumerate(modules)
        for start, end in (match.span() for match in _DARK_RUN.finditer(row))
    ]
