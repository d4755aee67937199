"""Layout classes that skip work ReportLab repeats for nothing: the same layout, the same bytes."""

from __future__ import annotations

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


class MeasuredKeepTogether(KeepTogether):  # type: ignore[misc]
    """KeepTogether measures its content against a deep copy of the page frame, for flowables that add
    to the frame while measured (footnotes and the like). Ours never do, and every heading is kept with
    what follows it, so the copies are many and wasted: measure with the frame out of sight."""

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        template: Any = getattr(getattr(self, "canv", None), "_doctemplate", None)
        frame = getattr(template, "frame", None)
        if frame is None:
            return super().wrap(availWidth, availHeight)  # type: ignore[no-any-return]
        template.frame = None
        try:
            return super().wrap(availWidth, availHeight)  # type: ignore[no-any-return]
        finally:
            template.frame = frame


class MeasuredImageAndFlowables(ImageAndFlowables):  # type: ignore[misc]
    """A picture with its words, measured as MeasuredKeepTogether measures: ReportLab measures the words
    below a picture against a deep copy of the page frame, on every wrap and split, for flowables that
    add to the frame while measured; ours never do. The part left after a split is measured the same way."""

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        template: Any = getattr(getattr(self, "canv", None), "_doctemplate", None)
        frame = getattr(template, "frame", None)
        if frame is None:
            return super().wrap(availWidth, availHeight)  # type: ignore[no-any-return]
        template.frame = None
        try:
            return super().wrap(availWidth, availHeight)  # type: ignore[no-any-return]
        finally:
            template.frame = frame

    def split(self, availWidth: float, availHeight: float) -> list[Any]:  # noqa: N803
        template: Any = getattr(getattr(self, "canv", None), "_doctemplate", None)
        frame = getattr(template, "frame", None)
        if template is not None:
            template.frame = None
        try:
            parts: list[Any] = super().split(availWidth, availHeight)
        finally:
            if template is not None:
                template.frame = frame
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
