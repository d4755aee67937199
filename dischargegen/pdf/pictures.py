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
import math
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from reportlab.graphics.shapes import Drawing, Group, Path, String
from reportlab.lib.attrmap import AttrMap, AttrMapValue
from reportlab.lib.colors import Color, black, white
from reportlab.lib.validators import isBoolean, isListOfStrings

from ..errors import ContentError, InputError
from ..levels import SPINE, parse_levels
from .fonts import (
    BOLD,
    REGULAR,
    describe_character,
    first_undrawable,
    font_runs,
    has_cjk,
    register_fonts,
)
from .fonts import text_width as drawn_width

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
SHADE = Color(0.86, 0.86, 0.86)  # beds, bone that is not a vertebra
SKIN = Color(0.86, 0.86, 0.86)  # the back under the cloth (which is white)
PACK = Color(0.62, 0.62, 0.62)  # the ice pack (its cubes white)

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
    marked = {level for shape in vertebrae(drawing) if shape.treated for level in shape.levels}
    return tuple(label for label in SPINE if label in marked)


def vertebrae(node: Any) -> list[Vertebrae]:
    """The vertebra shapes of a spine drawing: one for each treated vertebra, one for all the others."""
    if isinstance(node, Vertebrae):
        return [node]
    return [shape for child in getattr(node, "contents", ()) for shape in vertebrae(child)]


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
# (break after hyphens, type size factor), in the order tried: a word kept whole and the size kept readable.
_FIT_TRIALS = [(False, 1.0), (False, 0.95), (False, 0.9)] + [(True, 1 - 0.05 * step) for step in range(6)]


def _fit(
    picture: str, key: str, text: str, font: str, size: float, max_width: float, max_lines: int
) -> tuple[list[str], float]:
    """The label's lines and type size: wrapped at spaces to `max_width`, at most `max_lines` lines, the size
    lowered by up to a tenth; failing that, also broken after a hyphen, the size lowered by up to a quarter;
    failing that, refused as too long."""
    for hyphens, factor in _FIT_TRIALS:
        trial = size * factor
        lines: list[str] = []
        for piece, after_space in _pieces(text, hyphens):
            joined = f"{lines[-1]}{' ' if after_space else ''}{piece}" if lines else piece
            if lines and drawn_width(joined, font, trial) <= max_width:
                lines[-1] = joined
            else:
                lines.append(piece)
        if len(lines) <= max_lines and all(drawn_width(line, font, trial) <= max_width for line in lines):
            return lines, trial
    raise ContentError(
        f"picture {picture}: attribute {key} is too long for the picture at this width; use fewer or shorter words"
    )


def _pieces(text: str, hyphens: bool) -> list[tuple[str, bool]]:
    """The places a label may break: its words, and if `hyphens` the parts of a word after a hyphen
    ("Mid-" "back"); each with whether a space comes before it. Chinese has no spaces: a line may break
    before any CJK character."""
    return [
        (piece, index == 0)
        for word in text.split()
        for index, piece in enumerate(
            _CJK_BREAKS.findall(word)
            if has_cjk(word)
            else re.findall(r"[^-]*-+|[^-]+", word)
            if hyphens
            else [word]
        )
    ]


# A CJK character (with the punctuation after it, which never starts a line), or a run of anything else.
_CJK_BREAKS = re.compile(
    r"[\u2e80-\u9fff\uac00-\ud7ff\uf900-\ufaff][\u3001\u3002\uff01-\uff0f\uff1a-\uff1f]*|[^\u2e80-\u9fff\uac00-\ud7ff\uf900-\ufaff]+"
)


def _text_block(
    lines: Sequence[str], font: str, size: float, x: float, middle: float, anchor: str = "start"
) -> list[String]:
    """Lines centred vertically on `middle` (on their capital height). A line with CJK characters is one
    String a run of one font (fonts.font_runs), placed one after the other."""
    leading = size * 1.18
    cap = size * 0.714  # Noto Sans capital height
    top_baseline = middle + (len(lines) - 1) * leading / 2 - cap / 2
    strings = []
    for index, line in enumerate(lines):
        y = top_baseline - index * leading
        runs = font_runs(line, font)
        if len(runs) == 1:  # one font: the label's own, or the CJK font for a line of CJK only
            strings.append(
                String(x, y, line, fontName=runs[0][1], fontSize=size, fillColor=black, textAnchor=anchor)
            )
            continue
        left = x - drawn_width(line, font, size) * {"start": 0.0, "middle": 0.5, "end": 1.0}[anchor]
        for piece, name in runs:
            strings.append(String(left, y, piece, fontName=name, fontSize=size, fillColor=black))
            left += drawn_width(piece, name, size)
    return strings


def _within(middle: float, count: int, size: float, low: float, high: float) -> float:
    """`middle` for a block of `count` lines moved, if need be, so that the block (accents and descenders
    included) stays between `low` and `high`."""
    spread = (count - 1) * size * 1.18 / 2
    cap, ascent, descent = size * 0.714, size * 1.069, size * 0.293  # Noto Sans
    return min(max(middle, low + spread + cap / 2 + descent), high - (spread - cap / 2 + ascent))


# -- shapes ---------------------------------------------------------------------------------------------------
# Shapes of one style are drawn as one Path of several parts: ReportLab's renderer costs about the same for
# each shape whatever its size, and these are drawn into every document of a batch.
class Vertebrae(Path):  # type: ignore[misc]
    """Vertebrae of the spine picture that know their levels and whether they are marked: one shape for each
    treated vertebra, one for all the others. Tests (and treated_levels) read the drawing back with them."""

    _attrMap = AttrMap(
        BASE=Path,
        levels=AttrMapValue(isListOfStrings, desc="the vertebrae's labels, T1-L5, top to bottom"),
        treated=AttrMapValue(isBoolean, desc="drawn dark: treated"),
    )

    def __init__(self, levels: tuple[str, ...], treated: bool) -> None:
        super().__init__(
            fillColor=DARK if treated else white,
            strokeColor=DARK if treated else OUTLINE,
            strokeWidth=1.0 if treated else 0.8,
            strokeLineJoin=1,
        )
        self.levels = levels
        self.treated = treated


def _drawing(width: float, height: float) -> Drawing:
    """A Drawing that starts in the document font: ReportLab's renderer otherwise sets Helvetica, a font
    PDF/A refuses because it is not embedded, before drawing anything."""
    drawing = Drawing(width, height)
    drawing.initialFontName = REGULAR
    return drawing


def _shape(fill: Color | None, stroke: Color | None, width: float = 1.0, **more: Any) -> Path:
    return Path(fillColor=fill, strokeColor=stroke, strokeWidth=width, strokeLineJoin=1, **more)


def _strokes(
    parts: Sequence[Sequence[tuple[float, float]]], thickness: float, colour: Color = FIGURE
) -> Path:
    """Limbs and trunks: thick lines with round ends and joints (a silhouette, not a stick figure)."""
    path = _shape(None, colour, thickness, strokeLineCap=1)
    for points in parts:
        path.moveTo(*points[0])
        for point in points[1:]:
            path.lineTo(*point)
    return path


def _add_polygon(path: Path, points: Sequence[tuple[float, float]]) -> Path:
    path.moveTo(*points[0])
    for point in points[1:]:
        path.lineTo(*point)
    path.closePath()
    return path


_ARC = 0.5523  # Bezier handle length for a quarter circle


def _add_circle(path: Path, cx: float, cy: float, r: float) -> Path:
    k = r * _ARC
    path.moveTo(cx + r, cy)
    path.curveTo(cx + r, cy + k, cx + k, cy + r, cx, cy + r)
    path.curveTo(cx - k, cy + r, cx - r, cy + k, cx - r, cy)
    path.curveTo(cx - r, cy - k, cx - k, cy - r, cx, cy - r)
    path.curveTo(cx + k, cy - r, cx + r, cy - k, cx + r, cy)
    path.closePath()
    return path


def _add_round_rect(path: Path, x: float, y: float, w: float, h: float, r: float) -> Path:
    r = min(r, w / 2, h / 2)
    k = r * (1 - _ARC)
    path.moveTo(x + r, y)
    path.lineTo(x + w - r, y)
    path.curveTo(x + w - k, y, x + w, y + k, x + w, y + r)
    path.lineTo(x + w, y + h - r)
    path.curveTo(x + w, y + h - k, x + w - k, y + h, x + w - r, y + h)
    path.lineTo(x + r, y + h)
    path.curveTo(x + k, y + h, x, y + h - k, x, y + h - r)
    path.lineTo(x, y + r)
    path.curveTo(x, y + k, x + k, y, x + r, y)
    path.closePath()
    return path


def _add_bevelled_rect(path: Path, x: float, y: float, w: float, h: float, r: float) -> Path:
    """A rectangle with its corners cut: looks rounded at the vertebrae's size, with half the numbers of a
    rounded one to write (seventeen are drawn in every document)."""
    r = min(r, w / 2, h / 2)
    return _add_polygon(
        path,
        [
            (x + r, y),
            (x + w - r, y),
            (x + w, y + r),
            (x + w, y + h - r),
            (x + w - r, y + h),
            (x + r, y + h),
            (x, y + h - r),
            (x, y + r),
        ],
    )


def _scaled(scale: float, shapes: Sequence[Any]) -> Group:
    """Shapes drawn in design units, scaled to points (labels stay outside, at their own type size)."""
    return Group(*shapes, transform=(scale, 0, 0, scale, 0, 0))


def _add_arrowhead(path: Path, tip: tuple[float, float], tail: tuple[float, float], length: float) -> Path:
    dx, dy = tip[0] - tail[0], tip[1] - tail[1]
    norm = math.hypot(dx, dy) or 1.0
    ux, uy = dx / norm, dy / norm
    base = (tip[0] - ux * length, tip[1] - uy * length)
    half = length * 0.45
    return _add_polygon(
        path, [tip, (base[0] - uy * half, base[1] + ux * half), (base[0] + uy * half, base[1] - ux * half)]
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


def _add_vertebra(path: Path, centre: float, top: float, bottom: float, body_width: float) -> None:
    """A vertebra seen from the back: its body, and below it the spinous process (the knob felt down the
    middle of the back) reaching into the gap under it."""
    height = top - bottom
    _add_bevelled_rect(path, centre - body_width / 2, bottom, body_width, height, height * 0.25)
    knob = body_width * 0.1
    _add_polygon(
        path,
        [
            (centre - knob, bottom),
            (centre + knob, bottom),
            (centre + knob * 0.6, bottom - height * 0.26),
            (centre - knob * 0.6, bottom - height * 0.26),
        ],
    )


def _spine(labels: Mapping[str, str], width: float, size: float) -> Drawing:
    try:
        treated = set(parse_levels(labels["levels"], "levels"))
    except InputError as error:
        raise ContentError(f"picture spine: attribute levels: {error.message}") from None
    height = width / 0.55
    drawing = _drawing(width, height)
    pad = size * 0.15
    label_width = max(drawn_width(label, BOLD, size) for label in SPINE)
    leader = size * 0.9
    body_left = pad + label_width + size * 0.25 + leader
    # The column gives way (down to a narrower spine) so that the region names' longest word fits beside it.
    longest = max(
        drawn_width(piece, REGULAR, size)
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

    # The neck above, two small bones in grey: not part of what is treated.
    neck = _shape(white, Color(0.62, 0.62, 0.62), 0.8)
    stub_width, stub_height = widest * 0.62, unit * 0.8
    neck_top = spans[0][0] + unit * 0.6 + 2 * stub_height
    for index in range(2):
        bottom = spans[0][0] + unit * 0.3 + index * (stub_height + unit * 0.3)
        _add_bevelled_rect(neck, centre - stub_width / 2, bottom, stub_width, stub_height, stub_height * 0.25)
    drawing.add(neck)

    # Below: the sacrum and the wings of the hip bones, shaded, kept clear of L5's label.
    sacrum_top = spans[-1][1] - unit * 0.3
    pelvis = _shape(SHADE, OUTLINE, 0.8)
    reach = min(widest * 1.2, centre - pad - 0.5)  # the wings' outer edge, inside the picture
    for side in (-1, 1):
        _add_polygon(
            pelvis,
            [
                (centre + side * widest * 0.5, sacrum_top - unit * 0.3),
                (centre + side * reach * 0.8, sacrum_top - unit * 0.1),
                (centre + side * reach, sacrum_top - base_height * 0.3),
                (centre + side * reach * 0.85, sacrum_top - base_height * 0.65),
                (centre + side * widest * 0.5, sacrum_top - base_height * 0.5),
            ],
        )
    _add_polygon(
        pelvis,
        [
            (centre - widest * 0.52, sacrum_top),
            (centre + widest * 0.52, sacrum_top),
            (centre + widest * 0.12, pad + base_height * 0.12),
            (centre - widest * 0.12, pad + base_height * 0.12),
        ],
    )
    drawing.add(pelvis)

    others = Vertebrae(tuple(label for label in SPINE if label not in treated), treated=False)
    marked: list[tuple[str, float, float]] = []  # (label, centre height, left edge) of treated vertebrae
    for label, r, (top, bottom) in zip(SPINE, relative, spans, strict=True):
        body_width = widest * (0.7 + 0.3 * (r - 1) / 0.55)
        if label in treated:
            vertebra = Vertebrae((label,), treated=True)
            _add_vertebra(vertebra, centre, top, bottom, body_width)
            drawing.add(vertebra)
            marked.append((label, (top + bottom) / 2, centre - body_width / 2))
        else:
            _add_vertebra(others, centre, top, bottom, body_width)
    if others.levels:
        drawing.add(others)

    # Labels of treated vertebrae, moved apart where neighbours are treated, each with an arrow to its bone.
    # Many treated levels at a small width: smaller labels, rather than labels on top of each other.
    room = height - 2 * pad - size
    label_size = min(size, room / (1.12 * (len(marked) - 1))) if len(marked) > 1 else size
    cap = label_size * 0.714
    heights = _spread([y for _, y, _ in marked], label_size * 1.12, pad + cap / 2, height - pad - cap / 2)
    text_right = pad + label_width
    leaders = _shape(None, DARK, 1.1, strokeLineCap=1)
    arrowheads = _shape(DARK, None)
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
        leaders.moveTo(*start)
        leaders.lineTo(*_towards(tip, start, size * 0.3))  # the line stops inside the arrowhead
        _add_arrowhead(arrowheads, tip, start, size * 0.5)
    drawing.add(leaders)
    drawing.add(arrowheads)

    # Regions, bracketed and named on the other side.
    bracket_x = centre + widest / 2 + size * 0.35
    text_left = bracket_x + size * 0.45
    text_width = width - text_left - pad
    regions: list[tuple[str, float, float]] = [
        ("upper", spans[0][0], spans[11][1]),
        ("lower", spans[12][0], spans[16][1]),
    ]
    if "neck" in labels:
        regions.insert(0, ("neck", neck_top, spans[0][0] + unit * 0.5))
    tick = size * 0.3
    brackets = _shape(None, black, 0.9)
    for key, top, bottom in regions:
        brackets.moveTo(bracket_x - tick, top)
        brackets.lineTo(bracket_x, top)
        brackets.lineTo(bracket_x, bottom)
        brackets.lineTo(bracket_x - tick, bottom)
        lines, text_size = _fit("spine", key, labels[key], REGULAR, size, text_width, 4)
        middle = _within((top + bottom) / 2, len(lines), text_size, pad, height - pad)
        for string in _text_block(lines, REGULAR, text_size, text_left, middle):
            drawing.add(string)
    drawing.add(brackets)
    return drawing


def _towards(point: tuple[float, float], other: tuple[float, float], distance: float) -> tuple[float, float]:
    """`point` moved `distance` towards `other`."""
    dx, dy = other[0] - point[0], other[1] - point[1]
    norm = math.hypot(dx, dy) or 1.0
    return point[0] + dx / norm * distance, point[1] + dy / norm * distance


# -- lifting ----------------------------------------------------------------------------------------------------
def _lifting(labels: Mapping[str, str], width: float, size: float) -> Drawing:
    height = width
    scale = width / 100
    floor = 5.0
    shapes: list[Any] = [_strokes([[(2, floor), (98, floor)]], 1.2, OUTLINE)]
    # The right way, facing right: a deep squat, back straight, the jug held close.
    shapes += [
        _strokes([[(24, 33), (50, 40), (45, floor + 5)]], 10),  # thigh and shin
        _strokes([[(42, floor + 3), (55, floor + 3)]], 6),  # foot, heel down
        _strokes([[(24, 36), (37, 64)]], 15),  # trunk: straight, leaning a little forward
        _add_circle(_shape(FIGURE, None), 41.5, 77, 8),
        _strokes([[(36, 62), (45, 50), (58, 47)], [(56, 47.5), (61, 47)]], 6),  # arm, hand round the handle
    ]
    # A gallon jug: handle on the body's side, where the hand holds it; neck and cap away from it.
    jug_left, jug_right, jug_bottom, shoulder = 55.0, 87.0, floor + 0.6, 34.0
    jug = _shape(white, black, 1.8)
    jug.moveTo(jug_left + 4, jug_bottom)
    jug.lineTo(jug_right - 4, jug_bottom)
    jug.curveTo(jug_right, jug_bottom, jug_right, jug_bottom, jug_right, jug_bottom + 4)
    jug.lineTo(jug_right, shoulder)
    jug.lineTo(jug_right - 6, shoulder + 9)  # shoulder up to the neck
    jug.lineTo(jug_right - 6, shoulder + 13)
    jug.lineTo(jug_left + 10, shoulder + 13)  # top of the handle
    jug.curveTo(jug_left + 2, shoulder + 13, jug_left, shoulder + 9, jug_left, shoulder + 4)
    jug.lineTo(jug_left, jug_bottom + 4)
    jug.curveTo(jug_left, jug_bottom, jug_left, jug_bottom, jug_left + 4, jug_bottom)
    jug.closePath()
    shapes += [
        jug,
        _add_round_rect(_shape(white, black, 1.4), jug_left + 6, shoulder + 2, 11, 7, 3),  # the handle's hole
        _add_round_rect(_shape(black, None), jug_right - 16.5, shoulder + 12.5, 12, 5, 1),  # cap
    ]
    # The wrong way, small, grey and crossed out: bending at the waist with straight legs.
    ox, oy, bend = 65.0, 60.0, 0.42

    def small(points: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
        return [(ox + bend * x, oy + bend * y) for x, y in points]

    shapes += [
        _strokes([small([(0, 0), (70, 0)])], 1, OUTLINE),
        _strokes([small([(30, 0), (30, 40)])], bend * 9, OUTLINE),  # straight legs
        _strokes([small([(30, 40), (62, 48)])], bend * 13, OUTLINE),  # trunk bent over
        _strokes([small([(58, 46), (62, 22)])], bend * 6, OUTLINE),  # arm down to the floor
        _add_circle(_shape(OUTLINE, None), ox + bend * 72, oy + bend * 46, bend * 7),
        _strokes(
            [[(ox - 1, oy - 3), (ox + 31, oy + 27)], [(ox - 1, oy + 27), (ox + 31, oy - 3)]], 3.2, black
        ),
    ]
    drawing = _drawing(width, height)
    drawing.add(_scaled(scale, shapes))
    lines, text_size = _fit(
        "lifting", "weight", labels["weight"], BOLD, size, (jug_right - jug_left - 4) * scale, 2
    )
    middle = (jug_bottom + shoulder) / 2 * scale
    for string in _text_block(lines, BOLD, text_size, (jug_left + jug_right) / 2 * scale, middle, "middle"):
        drawing.add(string)
    return drawing


# -- rolling out of bed --------------------------------------------------------------------------------------
def _rolling(labels: Mapping[str, str], width: float, size: float) -> Drawing:
    height = width / 3
    scale = width / 300
    frames = _shape(None, OUTLINE, 0.8)
    floors = _shape(None, OUTLINE, 0.8)
    wood = _shape(OUTLINE, None)  # bed legs and headboards
    beds = _shape(SHADE, OUTLINE, 0.8)  # a bed seen from its side, its top drawn with some depth
    pillows = _shape(white, OUTLINE, 0.8)
    for x in (0.0, 100.0, 200.0):
        _add_round_rect(frames, x + 1.5, 1.5, 97, 97, 4)
        floors.moveTo(x + 4, 14)
        floors.lineTo(x + 96, 14)
        for left, bottom, w, h in ((8, 14, 3, 14), (86, 14, 3, 14), (5, 22, 4, 38)):
            _add_polygon(
                wood,
                [
                    (x + left, bottom),
                    (x + left + w, bottom),
                    (x + left + w, bottom + h),
                    (x + left, bottom + h),
                ],
            )
        _add_polygon(beds, [(x + 9, 36), (x + 92, 36), (x + 96, 46), (x + 13, 46)])
        _add_polygon(beds, [(x + 9, 28), (x + 92, 28), (x + 92, 36), (x + 9, 36)])
        _add_round_rect(pillows, x + 12, 41, 16, 5, 2.5)
    heads = _shape(FIGURE, None)
    for head_x, head_y, r in ((21, 50, 6), (121, 52, 6), (270, 80, 6.5)):
        _add_circle(heads, head_x, head_y, r)
    shapes: list[Any] = [frames, floors, wood, beds, pillows, heads]
    shapes += [
        # Trunks: 1 on the back; 2 rolled onto the side; 3 sitting up at the end of the bed.
        _strokes([[(30, 47), (55, 47)], [(130, 49), (152, 47)], [(266, 47), (268, 68)]], 11.5),
        # Legs: 1 straight; 2 knees bent towards the edge; 3 thigh on the bed, shin down to the floor.
        _strokes(
            [
                [(55, 46), (87, 45), (89, 51)],
                [(153, 46), (166, 38), (180, 40)],
                [(266, 45), (288, 44), (290, 17)],
            ],
            7,
        ),
        # Arms: 2 the upper hand in front; 3 pushing on the bed. A foot on the floor in 3.
        _strokes(
            [[(132, 47), (140, 40)], [(265, 66), (257, 56), (255, 46)], [(290, 16.5), (296, 16.5)]], 4.5
        ),
    ]
    # Arrows: rolling over (2), pushing up (3).
    arrows = _shape(None, black, 1.8, strokeLineCap=1)
    arrows.moveTo(136, 64)
    arrows.curveTo(138, 72.4, 158, 72.4, 159.6, 66)
    arrows.moveTo(249, 58)
    arrows.lineTo(249, 71)
    heads_of_arrows = _shape(black, None)
    _add_arrowhead(heads_of_arrows, (160.5, 61), (159.5, 68), 6)
    _add_arrowhead(heads_of_arrows, (249, 75), (249, 60), 6)
    shapes += [arrows, heads_of_arrows]
    drawing = _drawing(width, height)
    drawing.add(_scaled(scale, shapes))
    # The step numbers, as digits in black discs, at the type size of the labels.
    radius = size * 0.72
    discs = _shape(black, None)
    centres = [((panel * 100 + 4) * scale + radius, height - 4 * scale - radius) for panel in range(3)]
    for cx, cy in centres:
        _add_circle(discs, cx, cy, radius)
    drawing.add(discs)
    for number, (cx, cy) in enumerate(centres, start=1):
        drawing.add(
            String(
                cx,
                cy - size * 0.357,
                str(number),
                fontName=BOLD,
                fontSize=size,
                fillColor=white,
                textAnchor="middle",
            )
        )
    return drawing


# -- ice with a cloth ------------------------------------------------------------------------------------------
def _ice(labels: Mapping[str, str], width: float, size: float) -> Drawing:
    height = width / 1.3
    scale = width / 130
    has_label = "cloth" in labels
    cx = 45.0 if has_label else 65.0
    # The back, from behind: head, shoulders, waist, hips; the spine's line down the middle.
    back = _shape(SKIN, OUTLINE)
    _add_circle(back, cx, 87, 10)
    _add_polygon(
        back,
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
    )
    spine_line = _shape(None, OUTLINE, 0.8, strokeDashArray=[2, 2])
    spine_line.moveTo(cx, 70)
    spine_line.lineTo(cx, 4)
    # The cloth on the skin, larger than the pack on every side; its hem stitched, as cloth is.
    cloth = (cx - 26, 10, 52, 42)
    hem = _shape(None, OUTLINE, 0.7, strokeDashArray=[1.5, 1.5])
    _add_polygon(
        hem,
        [
            (cloth[0] + 2.5, cloth[1] + 2.5),
            (cloth[0] + cloth[2] - 2.5, cloth[1] + 2.5),
            (cloth[0] + cloth[2] - 2.5, cloth[1] + cloth[3] - 2.5),
            (cloth[0] + 2.5, cloth[1] + cloth[3] - 2.5),
        ],
    )
    # The ice pack on the cloth, with cubes of ice in it.
    cubes = _shape(white, black, 1.0)
    for ix, iy, turn in ((cx - 9, 37, 0.3), (cx + 5, 37, -0.2), (cx - 8, 24, -0.15), (cx + 7, 24, 0.25)):
        cos, sin = math.cos(turn), math.sin(turn)
        corners = [(-5.0, -5.0), (5.0, -5.0), (5.0, 5.0), (-5.0, 5.0)]
        _add_polygon(cubes, [(ix + cos * a - sin * b, iy + cos * b + sin * a) for a, b in corners])
    shapes = [
        back,
        spine_line,
        _add_polygon(
            _shape(white, black, 1.3),
            [
                (cloth[0], cloth[1]),
                (cloth[0] + cloth[2], cloth[1]),
                (cloth[0] + cloth[2], cloth[1] + cloth[3]),
                (cloth[0], cloth[1] + cloth[3]),
            ],
        ),
        hem,
        _add_round_rect(_shape(PACK, black, 1.6), cx - 18, 17, 36, 28, 6),
        cubes,
    ]
    drawing = _drawing(width, height)
    drawing.add(_scaled(scale, shapes))
    if has_label:
        text_left = 90 * scale
        lines, text_size = _fit(
            "ice", "cloth", labels["cloth"], BOLD, size, width - text_left - size * 0.15, 4
        )
        middle = _within(24 * scale, len(lines), text_size, size * 0.15, height * 0.8)
        for string in _text_block(lines, BOLD, text_size, text_left, middle):
            drawing.add(string)
        tip = ((cloth[0] + cloth[2] - 2.5) * scale, 13 * scale)
        pointer = _shape(black, black, 1.1)
        pointer.moveTo(text_left - size * 0.3, middle)
        pointer.lineTo(*tip)
        _add_circle(pointer, tip[0], tip[1], size * 0.22)
        drawing.add(pointer)
    return drawing


# -- about 1 in 5 ---------------------------------------------------------------------------------------------
def _person(x: float, marked: bool) -> Path:
    """One figure, 1 unit wide and 2.37 tall: solid when marked, outlined when not."""
    fill, stroke = (DARK, DARK) if marked else (white, FIGURE)
    figure = _shape(fill, stroke, 0.07)
    figure.moveTo(x + 0.12, 0)
    figure.lineTo(x + 0.12, 1.2)
    figure.curveTo(x + 0.12, 1.55, x + 0.28, 1.65, x + 0.5, 1.65)
    figure.curveTo(x + 0.72, 1.65, x + 0.88, 1.55, x + 0.88, 1.2)
    figure.lineTo(x + 0.88, 0)
    figure.lineTo(x + 0.56, 0)
    figure.lineTo(x + 0.56, 0.7)
    figure.lineTo(x + 0.44, 0.7)
    figure.lineTo(x + 0.44, 0)
    figure.closePath()
    return _add_circle(figure, x + 0.5, 2.05, 0.29)


def _one_in_five(labels: Mapping[str, str], width: float, size: float) -> Drawing:
    height = width / 3.5
    figure_height = 2.4  # units, head top included, with the stroke
    scale = height / figure_height
    step = width / scale / 5  # units from one figure to the next
    figures = [_person(step * index + (step - 1) / 2, marked=index == 0) for index in range(5)]
    drawing = _drawing(width, height)
    drawing.add(Group(*figures, transform=(scale, 0, 0, scale, 0, scale * 0.04)))
    return drawing


_DRAWERS: dict[str, Callable[[Mapping[str, str], float, float], Drawing]] = {
    "spine": _spine,
    "lifting": _lifting,
    "rolling": _rolling,
    "ice": _ice,
    "one_in_five": _one_in_five,
}
