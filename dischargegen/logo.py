"""The site logo: checked once when the site settings load, scaled to the size it is printed at, and
turned into its PDF image once, so that each document only refers to the prepared image.

A logo is printed in a box of LOGO_BOX (1.6 x 0.6 inches) at the top right of page one, its aspect ratio
kept. More pixels than PRINT_DPI at that size cannot be seen on paper but would be in every PDF (a 2 MB
logo made every document 2 MB), so a larger image is scaled down (Pillow, which ReportLab itself uses to
read PNG files). Limits, so that a hostile or careless file cannot exhaust memory or time:
MAX_LOGO_BYTES for the file, MAX_LOGO_PIXELS for the decoded image (a small file can declare a huge one).
The HTML rendition embeds the same scaled image, encoded again as a PNG of our own (`png`): the same bytes
for the same file, and nothing of the original's metadata (text chunks, times, colour profile).
"""

from __future__ import annotations

import base64
import copy
import functools
import hashlib
import io
import os
import stat
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import SiteSettingsError

if TYPE_CHECKING:
    from PIL.Image import Image

KEY = "document.logo"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MAX_LOGO_BYTES = 8 * 1024 * 1024  # 8 MiB
MAX_LOGO_PIXELS = 4096 * 4096  # about 16.8 million pixels
LOGO_BOX = (1.6 * 72, 0.6 * 72)  # the printed box, in points: width, height
PRINT_DPI = 300
CSS_PX_PER_POINT = 96 / 72


@dataclass(frozen=True, repr=False)
class Logo:
    """A checked logo, ready to embed. Pickles (a batch hands the site settings to its workers)."""

    path: Path
    sha256: str  # of the file: the settings' repr (and so a batch's resume check) changes with the picture
    pixels: tuple[int, int]  # embedded width and height
    # ReportLab's PDFImageXObject, its stream compressed once; and the alpha channel as another, or None.
    # Not compared: two logos are equal when their files and sizes are.
    image: Any = field(compare=False)
    soft_mask: Any = field(compare=False)
    png: bytes = field(compare=False)  # the scaled image as a PNG, for the HTML rendition (html_png)

    def __repr__(self) -> str:
        return f"Logo({str(self.path)!r}, sha256={self.sha256})"

    def printed_size(self) -> tuple[float, float]:
        """Width and height in points: the largest that fits LOGO_BOX with the aspect ratio kept."""
        width, height = self.pixels
        scale = min(LOGO_BOX[0] / width, LOGO_BOX[1] / height)
        return width * scale, height * scale

    @functools.cached_property
    def data_uri(self) -> str:
        """`png` as the HTML rendition's image source: made once, not for every document."""
        return "data:image/png;base64," + base64.b64encode(self.png).decode("ascii")

    def css_size(self) -> tuple[int, int]:
        """The printed size in CSS pixels (96 per inch), rounded: the HTML rendition's <img> size."""
        width, height = self.printed_size()
        return round(width * CSS_PX_PER_POINT), round(height * CSS_PX_PER_POINT)


def read_logo(path: Path) -> Logo:
    """Check the logo file and prepare it; SiteSettingsError naming document.logo if it is unusable."""
    data = _read(path)
    width, height = _png_size(path, data)
    image = scaled_image(path, data, width, height)
    xobject, soft_mask = _xobjects(image)
    return Logo(path, hashlib.sha256(data).hexdigest(), image.size, xobject, soft_mask, html_png(image))


def _read(path: Path) -> bytes:
    try:
        # stat follows a link: a link to a FIFO or a device must not be opened (a FIFO blocks for ever).
        if not stat.S_ISREG(os.stat(path).st_mode):
            raise SiteSettingsError(KEY, f"{path} is not a regular file")
        with open(path, "rb") as handle:
            data = handle.read(MAX_LOGO_BYTES + 1)
    except FileNotFoundError:
        raise SiteSettingsError(KEY, f"no file at {path}") from None
    except OSError as error:
        raise SiteSettingsError(KEY, f"cannot read {path}: {error.strerror or 'read error'}") from None
    if len(data) > MAX_LOGO_BYTES:
        raise SiteSettingsError(KEY, f"{path} is larger than {MAX_LOGO_BYTES // (1024 * 1024)} MiB")
    return data


def _png_size(path: Path, data: bytes) -> tuple[int, int]:
    """The size the PNG header declares, checked before anything is decoded."""
    if not data.startswith(PNG_SIGNATURE):
        raise SiteSettingsError(KEY, f"{path} is not a PNG file (save the logo as PNG)")
    if len(data) < 24 or data[12:16] != b"IHDR":
        raise SiteSettingsError(KEY, f"{path} is not a readable PNG image (damaged or cut short)")
    width, height = struct.unpack(">II", data[16:24])
    if width == 0 or height == 0:
        raise SiteSettingsError(KEY, f"{path} is not a readable PNG image (damaged or cut short)")
    if width * height > MAX_LOGO_PIXELS:
        raise SiteSettingsError(
            KEY,
            f"{path} is {width}x{height} pixels; at most {MAX_LOGO_PIXELS:,} pixels (4096x4096) are allowed, "
            f"and {_target(width, height)[0]}x{_target(width, height)[1]} is enough for print",
        )
    return width, height


def _target(width: int, height: int) -> tuple[int, int]:
    """Pixels for PRINT_DPI at the printed size: never more than the image has."""
    scale = min(LOGO_BOX[0] / width, LOGO_BOX[1] / height) * PRINT_DPI / 72
    if scale >= 1:
        return width, height
    return max(1, round(width * scale)), max(1, round(height * scale))


def scaled_image(path: Path, data: bytes, width: int, height: int) -> Image:
    """The decoded logo as 8-bit RGB or RGBA (alpha only if some pixel is not opaque), scaled down to
    PRINT_DPI at its printed size. Decoding reads every byte, so a file cut short is found here."""
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data), formats=["PNG"]) as opened:
            if opened.size != (width, height):
                raise ValueError("the image size is not the size the header declares")
            opened.load()
            has_alpha = "A" in opened.getbands() or "transparency" in opened.info
            image = opened.convert("RGBA" if has_alpha else "RGB")
        target = _target(width, height)
        if target != image.size:
            if has_alpha:
                # Scaled with the colour weighted by its alpha, so transparent pixels leave no fringe.
                image = image.convert("RGBa").resize(target, Image.Resampling.LANCZOS).convert("RGBA")
            else:
                image = image.resize(target, Image.Resampling.LANCZOS)
        if has_alpha and image.getchannel("A").getextrema() == (255, 255):
            image = image.convert("RGB")
    # Pillow's decoders raise many kinds of exception for a damaged file (OSError, SyntaxError,
    # ValueError, EOFError, zlib and struct errors, ...): every one of them means the same to the user.
    except Exception:
        raise SiteSettingsError(KEY, f"{path} is not a readable PNG image (damaged or cut short)") from None
    return image


def html_png(image: Image) -> bytes:
    """`image` as a PNG made here: only its pixels (an image's info, such as a colour profile or text
    carried over from the file, is not written), at a fixed compression, without Pillow's optimize pass."""
    from PIL import Image as PillowImage

    pixels_only = PillowImage.frombytes(image.mode, image.size, image.tobytes())
    buffer = io.BytesIO()
    pixels_only.save(buffer, format="PNG", compress_level=9, optimize=False)
    return buffer.getvalue()


def _xobjects(image: Image) -> tuple[Any, Any]:
    """The PDF image (and its alpha mask) exactly as ReportLab's drawImage makes them from this image."""
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfbase.pdfdoc import PDFImageXObject
    from reportlab.pdfgen.canvas import _digester

    reader = ImageReader(image)
    pixels = reader.getRGBData()  # sets _dataA, the alpha channel, if there is one
    alpha = reader._dataA
    name = _digester(pixels + (alpha.getRGBData() if alpha else b"auto"))
    xobject = PDFImageXObject(name, reader, mask="auto")
    xobject.name = name
    soft_mask = getattr(xobject, "_smask", None)
    if soft_mask is not None:
        del xobject._smask
    return xobject, soft_mask


def draw_logo(canvas: Any, logo: Logo, right: float, top: float) -> None:
    """Draw the logo with its top right corner at (right, top), as canvas.drawImage would draw the scaled
    image with preserveAspectRatio in LOGO_BOX, anchor "ne": the same operators and objects, without
    reading and compressing the image again for every document."""
    document = canvas._doc
    name = logo.image.name
    registered = document.getXObjectName(name)
    canvas._currentPageHasImages = 1
    if document.idToObject.get(registered) is None:
        image = copy.copy(logo.image)  # a document sets the mask reference on its own copy
        canvas._setXObjects(image)
        document.Reference(image, registered)
        document.addForm(name, image)
        if logo.soft_mask is not None:
            mask_name = document.getXObjectName(logo.soft_mask.name)
            if document.idToObject.get(mask_name) is None:
                mask = copy.copy(logo.soft_mask)
                canvas._setXObjects(mask)
                image.smask = document.Reference(mask, mask_name)
            else:
                from reportlab.pdfbase.pdfdoc import PDFObjectReference

                image.smask = PDFObjectReference(mask_name)
    from reportlab.lib.boxstuff import aspectRatioFix

    box_width, box_height = LOGO_BOX
    x, y, width, height, _ = aspectRatioFix(
        True, "ne", right - box_width, top - box_height, box_width, box_height, *logo.pixels
    )
    canvas.saveState()
    canvas.translate(x, y)
    canvas.scale(width, height)
    canvas._code.append(f"/{registered} Do")
    canvas.restoreState()
    canvas._formsinuse.append(name)
