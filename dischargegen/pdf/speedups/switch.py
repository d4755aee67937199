"""Whether the speed-ups are on: the one switch that turns them all off.

They are off inside `switched_off()`, when the environment sets DISCHARGEGEN_SPEEDUPS=0, and on a
ReportLab version the byte test has not run on: they lean on ReportLab's internals, so an untested
version renders the ordinary way (the same bytes, more slowly) rather than trust them.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
from collections.abc import Iterator

import reportlab

# The ReportLab versions tests/test_speedups.py has compared on-and-off bytes on. Keep in step with the
# bound on reportlab in pyproject.toml.
TESTED_REPORTLAB_VERSIONS = ("5.1.0",)
ENVIRONMENT_VARIABLE = "DISCHARGEGEN_SPEEDUPS"

_log = logging.getLogger(__name__)
_switched_off = 0  # how many switched_off() blocks are open


@functools.cache
def _tested_reportlab(version: str) -> bool:
    tested = version in TESTED_REPORTLAB_VERSIONS
    if not tested:
        _log.debug("ReportLab %s is not among the versions the speed-ups were tested on: off", version)
    return tested


def active() -> bool:
    """True when the speed-ups may be used now."""
    return (
        _switched_off == 0
        and os.environ.get(ENVIRONMENT_VARIABLE, "1") != "0"
        and _tested_reportlab(reportlab.Version)
    )


@contextlib.contextmanager
def switched_off_here() -> Iterator[None]:
    """The counter alone; speedups.switched_off also puts ReportLab's writer functions back."""
    global _switched_off
    _switched_off += 1
    try:
        yield
    finally:
        _switched_off -= 1
