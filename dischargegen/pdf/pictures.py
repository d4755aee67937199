"""The document's pictures, drawn as ReportLab vector drawings: this patient's spine with the treated
vertebrae marked, lifting with bent knees, rolling out of bed, ice with a cloth, and "about 1 in 5".

Every word in a picture comes from the templates (through the markup's attributes), so it is already in the
patient's language: this module draws shapes and places the words it is given, and writes none of its own.
Meaning never rests on colour alone: only black, white and greys are used, and what is marked is marked by
a dark fill and a bold label (the spine), a cross (lifting) or a solid figure among outlined ones (1 in 5).

A batch draws the same few pictures for thousands of patients, so drawings are built once per set of
arguments and kept (`draw_picture` is cached); a Drawing holds no outside state and may be drawn into any
number of documents.
"""

from __future__ import annotations

import functools
import itertools
import math
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from reportlab.graphics.shapes import (
    Circle,
    Drawing,
    Group,
    Line,
    Path,
    Polygon,
    PolyLine,
    Rect,
    String,
)
from reportlab.lib.attrmap import AttrMap, AttrMapValue
from reportlab.lib.colors import Color, black, white
from reportlab.lib.validators import isBoolean, isString
from reportlab.pdfbase.pdfmetrics import stringWidth

from ..errors import ContentError, InputError
from ..levels import SPINE, parse_levels
from .fonts import BOLD, REGULAR, describe_character, first_undrawable, register_fonts

PICTURES: tuple[str, ...] = ("spine", "lifting", "rolling", "ice", "one_in_five")

# (required, optional) attributes of each picture, besides "picture" and "alt", which the markup owns.
_ATTRIBUTES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "spine": (("levels", "upper", "lower"), ("neck",)),
    "lifting": (("weight",), ()),
    "rolling": ((), ()),
    "ice": ((), ("cloth",)),
    "one_in_five": ((), ()),
}

# Greys only: a picture prints the same in black and white as in colour.
DARK = black  # what is marked: treated vertebrae, the one figure in five
FIGURE = Color(0.18, 0.18, 0.18)  # people
OUTLINE = Color(0.42, 0.42, 0.42)  # what is shown but not marked
SHADE = Color(0.86, 0.86, 0.86)  # beds, bone that is not a vertebra, the ice pack
SKIN = Color(0.93, 0.93, 0.93)  # the back under the ice

# Label sizes: about the size of the document's small print, larger in large print.
_LABEL_SIZE = {False: 10.0, True: 13.0}
_SHOWN_NAME = re.compile(r"^[a-z_]{1,30}$")


def picture_attributes(name: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(required, optional) attribute names of a picture (besides "picture" and "alt", which the markup owns)."""
    if name not in _ATTRIBUTES:
        raise ContentError(f"picture {_shown(name)} is not one of: {', '.join(PICTURES)}")
    return _ATTRIBUTES[name]


def draw_picture(name: str, attributes: Mapping[str, str], width: float, large_print: bool) -> Drawing:
    """The picture `name`, `width` points wide (its height follows from its own proportions), labels
    from `attributes`. Raises ContentError naming the picture and the attribute (unknown picture, missing
    required or unknown attribute, an invalid `levels`). Same arguments give the same Drawing: it is built
    once and kept, as a batch draws the same few pictures for thousands of patients."""
    required, optional = picture_attributes(name)
    for key, value in attributes.items():
        if key not in required and key not in optional:
            allowed = ", ".join(required + optional) or "none"
            raise ContentError(
                f"picture {name}: attribute {_shown(key)} is not one it takes (it takes: {allowed})"
            )
        if not isinstance(value, str):
            raise ContentError(f"picture {name}: attribute {key} must be text")
    for key in required:
        if key not in attributes:
            raise ContentError(f"picture {name}: attribute {key} is required")
    if not (isinstance(width, int | float) and math.isfinite(width) and width > 0):
        raise ContentError(f"picture {name}: the width must be a positive number of points")
    return _drawn(name, tuple(sorted(attributes.items())), float(width), bool(large_print))


@functools.lru_cache(maxsize=256)
def _drawn(name: str, attributes: tuple[tuple[str, str], ...], width: float, large_print: bool) -> Drawing:
    register_fonts()
    labels = dict(attributes)
    for key, value in attributes:
        if key != "levels":
            _check_label(name, key, value)
    return _DRAWERS[name](labels, width, _LABEL_SIZE[large_print])


def treated_levels(drawing: Drawing) -> tuple[str, ...]:
    """The levels a spine drawing marks as treated (its dark-filled vertebrae), top to bottom."""
    return tuple(body.level for body in _vertebrae(drawing) if body.treated)


def _vertebrae(node: Any) -> list[VertebraBody]:
    if isinstance(node, VertebraBody):
        return [node]
    return [body for child in getattr(node, "contents", ()) for body in _vertebrae(child)]


def _shown(name: object) -> str:
    """A picture or attribute name as a message may show it: template text, but quoted only if it looks like
    a name (a broken template might put anything there)."""
    return repr(name) if isinstance(name, str) and _SHOWN_NAME.match(name) else "(not a name)"


def _check_label(picture: str, key: str, text: str) -> None:
    if not text.strip():
        raise ContentError(f"picture {picture}: attribute {key} is empty; give its words or leave it out")
    char = first_undrawable(text)
    if char is not None:
        raise ContentError(
            f"picture {picture}: attribute {key} contains {describe_character(char)}, which the font cannot print"
        )


# -- text that must fit ---------------------------------------------------------------------------------------
def _fit(
    picture: str, key: str, text: str, font: str, size: float, max_width: float, max_lines: int
) -> tuple[list[str], float]:
    """The label's lines and type size: wrapped at spaces to `max_width`, at most `max_lines` lines, the size
    lowered by up to a quarter; failing that, also broken after a hyphen; failing that, refused as too long."""
    for hyphens, step in itertools.product((False, True), range(6)):
        trial = size * (1 - 0.05 * step)
        lines: list[str] = []
        for piece, after_space in _pieces(text, hyphens):
            joined = f"{lines[-1]}{' ' if after_space else ''}{piece}" if lines else piece
            if lines and stringWidth(joined, font, trial) <= max_width:
                lines[-1] = joined
            else:
                lines.append(piece)
        if len(lines) <= max_lines and all(stringWidth(line, font, trial) <= max_width for line in lines):
            return lines, trial
    raise ContentError(
        f"picture {picture}: attribute {key} is too long for the picture at this width; use fewer or shorter words"
    )


def _pieces(text: str, hyphens: bool) -> list[tuple[str, bool]]:
    """The places a label may break: its words, and if `hyphens` the parts of a word after a hyphen
    ("Mid-" "back"); each with whether a space comes before it."""
    return [
        (piece, index == 0)
        for word in text.split()
        for index, piece in enumerate(re.findall(r"[^-]*-+|[^-]+", word) if hyphens else [word])
    ]


def _text_block(
    lines: Sequence[str], font: str, size: float, x: float, middle: float, anchor: str = "start"
) -> list[String]:
    """Lines centred vertically on `middle` (on their capital height)."""
    leading = size * 1.18
    cap = size * 0.714  # Noto Sans capital height
    top_baseline = middle + (len(lines) - 1) * leading / 2 - cap / 2
    return [
        String(
            x,
            top_baseline - index * leading,
            line,
            fontName=font,
            fontSize=size,
            fillColor=black,
            textAnchor=anchor,
        )
        for index, line in enumerate(lines)
    ]


def _block_height(count: int, size: float) -> float:
    return (count - 1) * size * 1.18 + size * 0.714


# -- shapes ---------------------------------------------------------------------------------------------------
class VertebraBody(Rect):  # type: ignore[misc]
    """One vertebra of the spine picture: a rounded rectangle that knows its level and whether it is marked,
    so tests (and treated_levels) read the drawing back instead of trusting the code that drew it."""

    _attrMap = AttrMap(
        BASE=Rect,
        level=AttrMapValue(isString, desc="the vertebra's label, T1-L5"),
        treated=AttrMapValue(isBoolean, desc="drawn dark: treated"),
    )

    def __init__(self, x: float, y: float, width: float, height: float, level: str, treated: bool) -> None:
        super().__init__(
            x,
            y,
            width,
            height,
            rx=height * 0.28,
            ry=height * 0.28,
            fillColor=DARK if treated else white,
            strokeColor=DARK if treated else OUTLINE,
            strokeWidth=1.0 if treated else 0.8,
        )
        self.level = level
        self.treated = treated


def _limb(points: Sequence[tuple[float, float]], thickness: float, colour: Color = FIGURE) -> PolyLine:
    """A limb or trunk: a thick line with round ends and joints (a silhouette, not a stick figure)."""
    return PolyLine(
        [coordinate for point in points for coordinate in point],
        strokeColor=colour,
        strokeWidth=thickness,
        strokeLineCap=1,
        strokeLineJoin=1,
    )


def _closed(
    points: Sequence[tuple[float, float]], fill: Color | None, stroke: Color | None, width: float = 1.0
) -> Polygon:
    return Polygon(
        [coordinate for point in points for coordinate in point],
        fillColor=fill,
        strokeColor=stroke,
        strokeWidth=width,
        strokeLineJoin=1,
    )


def _scaled(scale: float, shapes: Sequence[Any]) -> Group:
    """Shapes drawn in design units, scaled to points (labels stay outside, at their own type size)."""
    return Group(*shapes, transform=(scale, 0, 0, scale, 0, 0))


def _arrowhead(tip: tuple[float, float], tail: tuple[float, float], length: float) -> Polygon:
    dx, dy = tip[0] - tail[0], tip[1] - tail[1]
    norm = math.hypot(dx, dy) or 1.0
    ux, uy = dx / norm, dy / norm
    base = (tip[0] - ux * length, tip[1] - uy * length)
    half = length * 0.45
    return _closed(
        [tip, (base[0] - uy * half, base[1] + ux * half), (base[0] + uy * half, base[1] - ux * half)],
        DARK,
        None,
    )


# -- the spine --------------------------------------------------------------------------------------------------
def _spread(wanted: Sequence[float], gap: float, low: float, high: float) -> list[float]:
    """Label heights (descending order in, descending out) at least `gap` apart, each as near its vertebra as
    that allows, all within [low, high]: isotonic regression (pool adjacent violators), then clamping."""
    count = len(wanted)
    if count == 0:
        return []
    if count > 1:
        gap = min(gap, (high - low) / (count - 1))
    # Going down the page, position p_i = high - y_i must rise by >= gap: q_i = p_i - i * gap must not fall.
    targets = [(high - y) - index * gap for index, y in enumerate(wanted)]
    blocks: list[list[float]] = []  # [mean, weight]
    for target in targets:
        blocks.append([target, 1.0])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            mean, weight = blocks.pop()
            blocks[-1] = [
                (blocks[-1][0] * blocks[-1][1] + mean * weight) / (blocks[-1][1] + weight),
                blocks[-1][1] + weight,
            ]
    fitted = [mean for mean, weight in blocks for _ in range(int(weight))]
    top_limit, bottom_limit = 0.0, (high - low) - (count - 1) * gap
    return [high - (min(max(q, top_limit), bottom_limit) + index * gap) for index, q in enumerate(fitted)]


def _spine(labels: Mapping[str, str], width: float, size: float) -> Drawing:
    try:
        treated = set(parse_levels(labels["levels"], "levels"))
    except InputError as error:
        raise ContentError(f"picture spine: attribute levels: {error.message}") from None
    height = width / 0.55
    drawing = Drawing(width, height)
    pad = size * 0.15
    label_width = max(stringWidth(label, BOLD, size) for label in SPINE)
    leader = size * 0.9
    body_left = pad + label_width + size * 0.25 + leader
    # The column gives way (down to a narrower spine) so that the region names' longest word fits beside it.
    longest = max(
        stringWidth(piece, REGULAR, size)
        for key in ("upper", "lower", "neck")
        if key in labels
        for piece, _ in _pieces(labels[key], hyphens=False)
    )
    beside = width - body_left - size * 0.8 - pad  # column and region names, bracket excluded
    widest = min(width * 0.25, max(width * 0.16, beside - longest))
    centre = body_left + widest / 2

    # Vertebrae grow from T1 to L5, as they do; the column spans from under the neck to above the sacrum.
    neck_height, base_height = height * 0.075, height * 0.15
    relative = [1 + 0.55 * index / 16 for index in range(len(SPINE))]
    unit = (height - neck_height - base_height) / sum(r * 1.25 for r in relative)
    spans: list[tuple[float, float]] = []  # (top, bottom) of each body
    top = height - neck_height
    for r in relative:
        spans.append((top - unit * r * 0.125, top - unit * r * 1.125))
        top -= unit * r * 1.25

    # The neck: two small bones fading out upwards. Below: the sacrum and the top of the pelvis.
    stub_width, stub_height = widest * 0.62, unit * 0.8
    for index, shade in enumerate((Color(0.72, 0.72, 0.72), OUTLINE)):
        bottom = spans[0][0] + unit * 0.3 + index * 0 + (1 - index) * (stub_height + unit * 0.3)
        drawing.add(
            Rect(
                centre - stub_width / 2,
                bottom,
                stub_width,
                stub_height,
                rx=stub_height * 0.3,
                ry=stub_height * 0.3,
                fillColor=white,
                strokeColor=shade,
                strokeWidth=0.8,
            )
        )
    l5_bottom = spans[-1][1]
    sacrum_top = l5_bottom - unit * 0.3
    # The hip bones' wings, kept below L5 and clear of its label.
    for side in (-1, 1):
        drawing.add(
            _closed(
                [
                    (centre + side * widest * 0.5, sacrum_top - unit * 0.3),
                    (centre + side * widest * 0.95, sacrum_top - unit * 0.1),
                    (centre + side * widest * 1.2, sacrum_top - base_height * 0.3),
                    (centre + side * widest * 1.0, sacrum_top - base_height * 0.65),
                    (centre + side * widest * 0.5, sacrum_top - base_height * 0.5),
                ],
                SHADE,
                OUTLINE,
                0.8,
            )
        )
    drawing.add(
        _closed(
            [
                (centre - widest * 0.52, sacrum_top),
                (centre + widest * 0.52, sacrum_top),
                (centre + widest * 0.12, pad + base_height * 0.12),
                (centre - widest * 0.12, pad + base_height * 0.12),
            ],
            SHADE,
            OUTLINE,
            0.8,
        )
    )

    marked: list[tuple[str, float, float]] = []  # (label, centre height, left edge) of treated vertebrae
    for label, r, (top, bottom) in zip(SPINE, relative, spans, strict=True):
        body_width = widest * (0.7 + 0.3 * (r - 1) / 0.55)
        is_treated = label in treated
        colour = DARK if is_treated else OUTLINE
        process_width, body_height = body_width * 0.16, top - bottom
        # The spinous process, the knob felt down the middle of the back, reaching into the gap below.
        drawing.add(
            Rect(
                centre - process_width / 2,
                bottom - unit * r * 0.2,
                process_width,
                body_height * 0.6,
                rx=process_width * 0.4,
                ry=process_width * 0.4,
                fillColor=DARK if is_treated else white,
                strokeColor=colour,
                strokeWidth=0.8,
            )
        )
        drawing.add(VertebraBody(centre - body_width / 2, bottom, body_width, body_height, label, is_treated))
        if is_treated:
            marked.append((label, (top + bottom) / 2, centre - body_width / 2))

    # Labels of treated vertebrae, moved apart where neighbours are treated, each with an arrow to its bone.
    # Many treated levels at a small width: smaller labels, rather than labels on top of each other.
    room = height - 2 * pad - size
    label_size = min(size, room / (1.12 * (len(marked) - 1))) if len(marked) > 1 else size
    cap = label_size * 0.714
    heights = _spread([y for _, y, _ in marked], label_size * 1.12, pad + cap / 2, height - pad - cap / 2)
    text_right = pad + label_width
    for (label, y, left), label_y in zip(marked, heights, strict=True):
        drawing.add(
            String(
                text_right,
                label_y - cap / 2,
                label,
                fontName=BOLD,
                fontSize=label_size,
                fillColor=DARK,
                textAnchor="end",
            )
        )
        start, tip = (text_right + size * 0.2, label_y), (left - size * 0.1, y)
        drawing.add(Line(start[0], start[1], tip[0], tip[1], strokeColor=DARK, strokeWidth=1.1))
        drawing.add(_arrowhead(tip, start, size * 0.5))

    # Regions, bracketed and named on the other side.
    bracket_x = centre + widest / 2 + size * 0.35
    text_left = bracket_x + size * 0.45
    text_width = width - text_left - pad
    regions: list[tuple[str, float, float]] = [
        ("upper", spans[0][0], spans[11][1]),
        ("lower", spans[12][0], spans[16][1]),
    ]
    if "neck" in labels:
        regions.insert(
            0, ("neck", spans[0][0] + unit * 0.3 + 2 * stub_height + unit * 0.3, spans[0][0] + unit * 0.5)
        )
    tick = size * 0.3
    for key, top, bottom in regions:
        drawing.add(
            PolyLine(
                [bracket_x - tick, top, bracket_x, top, bracket_x, bottom, bracket_x - tick, bottom],
                strokeColor=black,
                strokeWidth=0.9,
                strokeLineJoin=1,
            )
        )
        lines, text_size = _fit("spine", key, labels[key], REGULAR, size, text_width, 4)
        half = _block_height(len(lines), text_size) / 2
        middle = min(max((top + bottom) / 2, pad + half), height - pad - half)
        for string in _text_block(lines, REGULAR, text_size, text_left, middle):
            drawing.add(string)
    return drawing


# -- lifting ----------------------------------------------------------------------------------------------------
def _lifting(labels: Mapping[str, str], width: float, size: float) -> Drawing:
    height = width
    scale = width / 100
    floor = 5.0
    shapes: list[Any] = [Line(2, floor, 98, floor, strokeColor=OUTLINE, strokeWidth=1.2)]
    # The right way, facing right: squatting, back straight, the jug held close between the knees' reach.
    shapes += [
        _limb([(24, 33), (50, 40), (45, floor + 5)], 10),  # thigh and shin: a deep squat
        _limb([(42, floor + 3), (55, floor + 3)], 6),  # foot, heel down
        _limb([(24, 36), (37, 64)], 15),  # trunk: straight, leaning a little forward
        Circle(41.5, 77, 8, fillColor=FIGURE, strokeColor=None),
        _limb([(36, 62), (45, 50), (58, 47)], 6.5),  # arm, hand on the handle
    ]
    # A gallon jug: handle on the body's side, where the hand holds it; neck and cap away from it.
    jug_left, jug_right, jug_bottom, shoulder = 55.0, 87.0, floor + 0.6, 34.0
    jug = Path(fillColor=white, strokeColor=black, strokeWidth=1.8, strokeLineJoin=1)
    jug.moveTo(jug_left + 4, jug_bottom)
    jug.lineTo(jug_right - 4, jug_bottom)
    jug.curveTo(jug_right, jug_bottom, jug_right, jug_bottom, jug_right, jug_bottom + 4)
    jug.lineTo(jug_right, shoulder)
    jug.lineTo(jug_right - 6, shoulder + 9)  # shoulder up to the neck
    jug.lineTo(jug_right - 6, shoulder + 13)
    jug.lineTo(jug_right - 15, shoulder + 13)
    jug.lineTo(jug_left + 10, shoulder + 13)  # top of the handle
    jug.curveTo(jug_left + 2, shoulder + 13, jug_left, shoulder + 9, jug_left, shoulder + 4)
    jug.lineTo(jug_left, jug_bottom + 4)
    jug.curveTo(jug_left, jug_bottom, jug_left, jug_bottom, jug_left + 4, jug_bottom)
    jug.closePath()
    jug_top = shoulder
    shapes += [
        jug,
        Rect(
            jug_left + 6, shoulder + 2, 11, 7, rx=3, ry=3, fillColor=white, strokeColor=black, strokeWidth=1.4
        ),
        Rect(
            jug_right - 16,
            shoulder + 13,
            11,
            4,
            rx=1,
            ry=1,
            fillColor=black,
            strokeColor=black,
            strokeWidth=1,
        ),
        _limb([(56, 47.5), (61, 47)], 5.5),  # fingers round the handle
    ]
    # The wrong way, small and crossed out: bending at the waist with straight legs.
    bend = 0.42
    ox, oy = 70.0, 60.0
    wrong = [
        _limb([(ox + bend * p[0], oy + bend * p[1]) for p in points], bend * thickness, OUTLINE)
        for points, thickness in (
            (((30, 0), (30, 40)), 9),  # straight legs
            (((30, 40), (62, 48)), 13),  # trunk bent over
            (((58, 46), (62, 22)), 6),  # arm hanging to the floor
        )
    ]
    wrong.append(Circle(ox + bend * 72, oy + bend * 46, bend * 7, fillColor=OUTLINE, strokeColor=None))
    wrong.append(Line(ox, oy, ox + bend * 70, oy, strokeColor=OUTLINE, strokeWidth=1))
    cross = [
        Line(ox - 1, oy - 3, ox + 31, oy + 27, strokeColor=black, strokeWidth=3.2, strokeLineCap=1),
        Line(ox - 1, oy + 27, ox + 31, oy - 3, strokeColor=black, strokeWidth=3.2, strokeLineCap=1),
    ]
    drawing = Drawing(width, height)
    drawing.add(_scaled(scale, shapes + wrong + cross))
    lines, text_size = _fit(
        "lifting", "weight", labels["weight"], BOLD, size, (jug_right - jug_left - 4) * scale, 2
    )
    for string in _text_block(
        lines,
        BOLD,
        text_size,
        (jug_left + jug_right) / 2 * scale,
        (jug_bottom + jug_top) / 2 * scale,
        anchor="middle",
    ):
        drawing.add(string)
    return drawing


# -- rolling out of bed --------------------------------------------------------------------------------------
def _bed(x: float, *, pillow: bool) -> list[Any]:
    """A bed seen from its side, its top drawn with some depth so legs can point towards the reader."""
    shapes: list[Any] = [
        Line(x + 4, 14, x + 96, 14, strokeColor=OUTLINE, strokeWidth=0.8),  # floor
        Rect(x + 8, 14, 3, 14, fillColor=OUTLINE, strokeColor=None),  # bed legs
        Rect(x + 86, 14, 3, 14, fillColor=OUTLINE, strokeColor=None),
        Rect(x + 5, 22, 4, 38, fillColor=OUTLINE, strokeColor=None),  # headboard
        _closed([(x + 9, 36), (x + 92, 36), (x + 96, 46), (x + 13, 46)], SHADE, OUTLINE, 0.8),  # top
        Rect(x + 9, 28, 83, 8, fillColor=SHADE, strokeColor=OUTLINE, strokeWidth=0.8),  # front
    ]
    if pillow:
        shapes.append(
            Rect(x + 12, 41, 16, 5, rx=2.5, ry=2.5, fillColor=white, strokeColor=OUTLINE, strokeWidth=0.8)
        )
    return shapes


def _rolling(labels: Mapping[str, str], width: float, size: float) -> Drawing:
    height = width / 3
    scale = width / 300
    shapes: list[Any] = []
    for panel in range(3):
        x = panel * 100.0
        shapes.append(
            Rect(x + 1.5, 1.5, 97, 97, rx=4, ry=4, fillColor=None, strokeColor=OUTLINE, strokeWidth=0.8)
        )
    # 1: on the back, legs straight.
    x = 0.0
    shapes += _bed(x, pillow=True)
    shapes += [
        Circle(x + 21, 50, 6, fillColor=FIGURE, strokeColor=None),
        _limb([(x + 30, 47), (x + 55, 47)], 11),
        _limb([(x + 55, 46), (x + 87, 45), (x + 89, 51)], 7),
    ]
    # 2: rolled onto the side, facing the edge, knees bent towards it; the arrow shows the roll.
    x = 100.0
    shapes += _bed(x, pillow=True)
    shapes += [
        Circle(x + 21, 52, 6, fillColor=FIGURE, strokeColor=None),
        _limb([(x + 30, 49), (x + 52, 47)], 11),
        _limb([(x + 53, 46), (x + 66, 38), (x + 80, 40)], 7),
        _limb([(x + 32, 47), (x + 40, 40)], 4.5),  # upper arm, hand in front
        _curved_arrow(x + 36, 64, x + 60, 64),
    ]
    # 3: sitting up at the end of the bed, legs down over it, pushing up with the arm.
    x = 200.0
    shapes += _bed(x, pillow=True)
    shapes += [
        _limb([(x + 66, 45), (x + 88, 44), (x + 90, 17)], 7),  # thigh on the bed, shin down to the floor
        _limb([(x + 90, 16.5), (x + 96, 16.5)], 4.5),  # foot on the floor
        _limb([(x + 66, 47), (x + 68, 68)], 12),  # trunk upright
        Circle(x + 70, 80, 6.5, fillColor=FIGURE, strokeColor=None),
        _limb([(x + 65, 66), (x + 57, 56), (x + 55, 46)], 4.5),  # arm pushing on the bed
        _arrowhead((x + 49, 75), (x + 49, 60), 6),
        Line(x + 49, 58, x + 49, 71, strokeColor=black, strokeWidth=1.8, strokeLineCap=1),
    ]
    drawing = Drawing(width, height)
    drawing.add(_scaled(scale, shapes))
    # The step numbers, as digits in black discs, at the type size of the labels.
    radius = size * 0.72
    for panel in range(3):
        cx, cy = (panel * 100 + 4) * scale + radius, height - 4 * scale - radius
        drawing.add(Circle(cx, cy, radius, fillColor=black, strokeColor=None))
        drawing.add(
            String(
                cx,
                cy - size * 0.357,
                str(panel + 1),
                fontName=BOLD,
                fontSize=size,
                fillColor=white,
                textAnchor="middle",
            )
        )
    return drawing


def _curved_arrow(x0: float, y0: float, x1: float, y1: float) -> Group:
    """An arc from (x0, y0) over to (x1, y1), with its head at the end: turning over."""
    rise = (x1 - x0) * 0.35
    arc = Path(fillColor=None, strokeColor=black, strokeWidth=1.8, strokeLineCap=1)
    arc.moveTo(x0, y0)
    arc.curveTo(x0 + 2, y0 + rise, x1 - 2, y1 + rise, x1, y1 + 1)
    return Group(arc, _arrowhead((x1 + 0.5, y1 - 3), (x1 - 0.5, y1 + 4), 6))


# -- ice with a cloth ------------------------------------------------------------------------------------------
def _ice(labels: Mapping[str, str], width: float, size: float) -> Drawing:
    height = width / 1.3
    scale = width / 130
    has_label = "cloth" in labels
    cx = 45.0 if has_label else 65.0
    shapes: list[Any] = [
        # The back, from behind: head, shoulders, waist, hips.
        Circle(cx, 87, 10, fillColor=SKIN, strokeColor=OUTLINE, strokeWidth=1),
        _closed(
            [
                (cx - 6, 78),
                (cx - 7, 74),
                (cx - 34, 68),
                (cx - 38, 60),
                (cx - 31, 38),
                (cx - 34, 10),
                (cx - 36, 0),
                (cx + 36, 0),
                (cx + 34, 10),
                (cx + 31, 38),
                (cx + 38, 60),
                (cx + 34, 68),
                (cx + 7, 74),
                (cx + 6, 78),
            ],
            SKIN,
            OUTLINE,
            1,
        ),
        Line(cx, 70, cx, 4, strokeColor=OUTLINE, strokeWidth=0.8, strokeDashArray=[2, 2]),  # the spine's line
    ]
    # The cloth on the skin, larger than the pack on every side; its hem stitched, as cloth is.
    cloth = (cx - 26, 10, 52, 42)
    shapes += [
        Rect(*cloth, fillColor=white, strokeColor=black, strokeWidth=1.3),
        Rect(
            cloth[0] + 2.5,
            cloth[1] + 2.5,
            cloth[2] - 5,
            cloth[3] - 5,
            fillColor=None,
            strokeColor=OUTLINE,
            strokeWidth=0.7,
            strokeDashArray=[1.5, 1.5],
        ),
    ]
    # The ice pack on the cloth, with cubes of ice in it.
    shapes.append(Rect(cx - 18, 17, 36, 28, rx=6, ry=6, fillColor=SHADE, strokeColor=black, strokeWidth=1.6))
    for ix, iy, turn in ((cx - 9, 37, 0.3), (cx + 5, 37, -0.2), (cx - 8, 24, -0.15), (cx + 7, 24, 0.25)):
        corners = [(-5.0, -5.0), (5.0, -5.0), (5.0, 5.0), (-5.0, 5.0)]
        cos, sin = math.cos(turn), math.sin(turn)
        shapes.append(
            _closed([(ix + cos * a - sin * b, iy + cos * b + sin * a) for a, b in corners], white, black, 1.0)
        )
    drawing = Drawing(width, height)
    drawing.add(_scaled(scale, shapes))
    if has_label:
        text_left = 90 * scale
        lines, text_size = _fit(
            "ice", "cloth", labels["cloth"], BOLD, size, width - text_left - size * 0.15, 4
        )
        middle = 24 * scale
        for string in _text_block(lines, BOLD, text_size, text_left, middle):
            drawing.add(string)
        start = (text_left - size * 0.3, middle)
        tip = ((cloth[0] + cloth[2] - 2.5) * scale, 13 * scale)
        drawing.add(Line(start[0], start[1], tip[0], tip[1], strokeColor=black, strokeWidth=1.1))
        drawing.add(Circle(tip[0], tip[1], size * 0.22, fillColor=black, strokeColor=None))
    return drawing


# -- about 1 in 5 ---------------------------------------------------------------------------------------------
def _person(x: float, marked: bool) -> Group:
    """One figure, 1 unit wide and 2.37 tall: solid when marked, outlined when not."""
    fill, stroke = (DARK, DARK) if marked else (white, FIGURE)
    body = Path(fillColor=fill, strokeColor=stroke, strokeWidth=0.07, strokeLineJoin=1)
    body.moveTo(x + 0.12, 0)
    body.lineTo(x + 0.12, 1.2)
    body.curveTo(x + 0.12, 1.55, x + 0.28, 1.65, x + 0.5, 1.65)
    body.curveTo(x + 0.72, 1.65, x + 0.88, 1.55, x + 0.88, 1.2)
    body.lineTo(x + 0.88, 0)
    body.lineTo(x + 0.56, 0)
    body.lineTo(x + 0.56, 0.7)
    body.lineTo(x + 0.44, 0.7)
    body.lineTo(x + 0.44, 0)
    body.closePath()
    head = Circle(x + 0.5, 2.05, 0.29, fillColor=fill, strokeColor=stroke, strokeWidth=0.07)
    return Group(body, head)


def _one_in_five(labels: Mapping[str, str], width: float, size: float) -> Drawing:
    height = width / 3.5
    figure_height = 2.4  # units, head top included, with the stroke
    scale = height / figure_height
    step = width / scale / 5  # units from one figure to the next
    figures = [_person(step * index + (step - 1) / 2, marked=index == 0) for index in range(5)]
    drawing = Drawing(width, height)
    drawing.add(Group(*figures, transform=(scale, 0, 0, scale, 0, scale * 0.04)))
    return drawing


_DRAWERS: dict[str, Callable[[Mapping[str, str], float, float], Drawing]] = {
    "spine": _spine,
    "lifting": _lifting,
    "rolling": _rolling,
    "ice": _ice,
    "one_in_five": _one_in_five,
}
