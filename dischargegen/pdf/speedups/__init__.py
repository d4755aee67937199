"""Everything that trades ReportLab internals for speed, in one place, behind one switch.

The PDF builder asks `kit()` for the classes it lays a document out with; the fonts remember their
subsets (subsets.py); pictures are replayed from memory (pictures.py); batch and check workers put quicker functions into ReportLab's PDF writer
(`process_wide`, writer.py). Each gives exactly the bytes plain ReportLab gives: tests/test_speedups.py
renders every kind of document with all of them on and all of them off and compares. `switched_off()`
or DISCHARGEGEN_SPEEDUPS=0 turns them all off, and so does a ReportLab version that test has not run on
(switch.py). docs/performance.md has what each one saves.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass

from reportlab.platypus import Frame, ImageAndFlowables, KeepTogether, Paragraph, Table

from . import pictures, writer
from .layout import BodyFrame, MeasuredImageAndFlowables, MeasuredKeepTogether, MeasuredTable
from .paragraphs import MemoParagraph
from .switch import ENVIRONMENT_VARIABLE, TESTED_REPORTLAB_VERSIONS, active, switched_off_here

__all__ = [
    "ENVIRONMENT_VARIABLE",
    "TESTED_REPORTLAB_VERSIONS",
    "Kit",
    "MeasuredKeepTogether",
    "PLAIN",
    "QUICK",
    "active",
    "install_in_worker",
    "kit",
    "pictures",
    "process_wide",
    "switched_off",
]


@dataclass(frozen=True)
class Kit:
    """The classes the PDF builder lays a document out with, and whether it may reuse the operators it
    drew for a page's header and footer on the next page."""

    paragraph: type[Paragraph]
    table: type[Table]
    keep_together: type[KeepTogether]
    frame: type[Frame]
    reuses_drawings: bool
    image_and_flowables: type[ImageAndFlowables] = ImageAndFlowables


QUICK = Kit(
    MemoParagraph,
    MeasuredTable,
    MeasuredKeepTogether,
    BodyFrame,
    reuses_drawings=True,
    image_and_flowables=MeasuredImageAndFlowables,
)
PLAIN = Kit(Paragraph, Table, KeepTogether, Frame, reuses_drawings=False)


def kit() -> Kit:
    """The classes to build a document with now: the quick ones, unless the speed-ups are off."""
    return QUICK if active() else PLAIN


@contextlib.contextmanager
def switched_off() -> Iterator[None]:
    """All speed-ups off for a while, ReportLab's own writer functions included (if a worker had put
    the quicker ones in); everything as it was after."""
    with switched_off_here(), writer.as_reportlab_ships():
        yield


def install_in_worker() -> None:
    """In a worker process dischargegen owns: the quicker writer functions for the rest of its life."""
    if active():
        writer.install()


@contextlib.contextmanager
def process_wide() -> Iterator[None]:
    """In a process dischargegen owns for a while (a batch run with --jobs 1): the quicker writer
    functions for that while; ReportLab's modules are as they were after."""
    if not active():
        yield
        return
    with writer.installed():
        yield
