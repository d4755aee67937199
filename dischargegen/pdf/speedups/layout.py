"""Layout classes that skip work ReportLab repeats for nothing: the same layout, the same bytes."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from reportlab.platypus import Frame, ImageAndFlowables, KeepTogether, Table


class MeasuredTable(Table):  # type: ignore[misc]
    """A Table that does not measure itself again for nothing. ReportLab measures a table (every row's
    cells) on each wrap and again on each split, and a table in a keep-together group is measured once
    at an unlimited height, then again where it lands, mostly to the same answer. A measurement is reused at the same width when the height is the same, or when the
    table was measured whole and fits in the new height: ReportLab stops measuring rows early only past
    the height it was given (and only in a table with row spans), so a whole measurement is the same at
    any height it fits in."""

    _measured: tuple[float, float, bool] | None = None  # width, height, whole

    def _calc(self, availWidth: float, availHeight: float) -> None:  # noqa: N803 (ReportLab's names)
        measured = self._measured
        if (
            measured is not None
            and measured[0] == availWidth
            and (measured[1] == availHeight or (measured[2] and self._height <= availHeight))
        ):
            return
        super()._calc(availWidth, availHeight)
        self._measured = (availWidth, availHeight, self._hmax == len(self._cellvalues))


@contextlib.contextmanager
def _frame_out_of_sight(flowable: Any) -> Iterator[None]:
    """ReportLab measures a list of flowables against a deep copy of the page frame (_listWrapOn), for
    flowables that add to the frame while measured (footnotes and the like). Ours never do: while this
    holds, the document shows no frame, so there is nothing to copy."""
    template: Any = getattr(getattr(flowable, "canv", None), "_doctemplate", None)
    frame = getattr(template, "frame", None)
    if frame is None:
        yield
        return
    template.frame = None
    try:
        yield
    finally:
        template.frame = frame


class MeasuredKeepTogether(KeepTogether):  # type: ignore[misc]
    """KeepTogether, measured with the frame out of sight: the 911 box and the receipt are measured
    whenever they are placed, each time against a wasted copy of the frame."""

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        with _frame_out_of_sight(self):
            return super().wrap(availWidth, availHeight)  # type: ignore[no-any-return]


class MeasuredImageAndFlowables(ImageAndFlowables):  # type: ignore[misc]
    """A picture with its words, measured with the frame out of sight: ReportLab measures the words below
    the picture against a copy of the frame on every wrap and split. The part left after a split is one
    of these too."""

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        with _frame_out_of_sight(self):
            return super().wrap(availWidth, availHeight)  # type: ignore[no-any-return]

    def split(self, availWidth: float, availHeight: float) -> list[Any]:  # noqa: N803
        with _frame_out_of_sight(self):
            parts: list[Any] = super().split(availWidth, availHeight)
        if parts and type(parts[0]) is ImageAndFlowables:
            parts[0].__class__ = MeasuredImageAndFlowables
        return parts


class BodyFrame(Frame):  # type: ignore[misc]
    """The page's text frame. ReportLab asks every frame, for every flowable placed, whether it holds
    generated content or frame backgrounds, with getattr and a default; Frame answers a missing attribute
    through a Python __getattr__ that raises, for every one of those questions. Saying "none" up front gives the
    same answers: the instance attributes ReportLab sets when there are some still come first."""

    _generated_content = None
    _frameBGs = None  # noqa: N815 (ReportLab's name)
