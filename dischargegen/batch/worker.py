"""The worker side of a batch: render one row and write its PDF, in a process of the pool (or in the
command's own process with --jobs 1). Fonts and templates load once a process; answers are plain data."""

from __future__ import annotations

import contextlib
import gc
import hashlib
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..case import Case
from ..content.templating import TemplateFailure
from ..errors import ContentError, InputError, SiteSettingsError
from ..files import write_atomically
from ..interrupts import ignore_in_worker
from ..pdf import speedups
from ..render import render_document, render_document_and_html
from ..site import SiteSettings

PARENT_CHECK_SECONDS = 0.5
# Net allocations between runs of Python's cyclic garbage collector over new objects (Python's default
# is 700). ReportLab's canvas, frames and flowables point at each other, so each document leaves objects
# in reference cycles and the collector must run; most of what a document allocates is freed by
# reference counting long before, so a run every 10,000 finds little more to free than one every 700
# and costs far less in all (docs/performance.md).
YOUNG_GENERATION_THRESHOLD = 10_000


@dataclass(frozen=True)
class Job:
    line: int
    case: Case
    file: str
    html_file: str = ""  # batch --also-html: the HTML rendition's name beside the PDF; "": none


@dataclass(frozen=True)
class Done:
    """A worker's answer. Plain strings only: exceptions with custom arguments do not cross processes."""

    line: int
    sha256: str = ""
    pages: int = 0
    html_sha256: str = ""
    field: str = ""
    message: str = ""


_worker: dict[str, Any] = {}


def warm_up(site: SiteSettings) -> None:
    """Load fonts and compile templates before the first row, once per process."""
    from ..content import DOCUMENT_TEMPLATE
    from ..content.templating import cached_environment
    from ..pdf.fonts import register_fonts

    register_fonts()
    # Only the site's languages: a row in another one is rendered in English (engine.in_an_enabled_language).
    for language in site.content.enabled_languages:
        with contextlib.suppress(Exception):  # a missing language fails its own rows, with a message
            cached_environment(site.content.templates_dir, language).get_template(
                DOCUMENT_TEMPLATE.format(language=language)
            )


def settle_for_rendering() -> None:
    """Once warm: leave what is loaded (fonts, compiled templates, remembered paragraphs) out of the
    collector's walks, and let it run less often: its walks, now and then over every object in the
    process, cost every document a share (see docs/performance.md). Objects
    frozen earlier by the host process are its own business: then nothing is frozen here."""
    if gc.get_freeze_count() == 0:
        gc.freeze()
    _, middle, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_GENERATION_THRESHOLD, middle, oldest)


@contextlib.contextmanager
def settled_for_rendering() -> Iterator[None]:
    """settle_for_rendering for a while, in a process that goes on afterwards (--jobs 1, library use),
    with the speed-ups that replace ReportLab functions process-wide: the collector's settings and
    ReportLab's functions are put back at the end. Forked workers start from these settings."""
    threshold, frozen = gc.get_threshold(), gc.get_freeze_count()
    settle_for_rendering()
    try:
        with speedups.process_wide():
            yield
    finally:
        gc.set_threshold(*threshold)
        if frozen == 0:
            gc.unfreeze()


def start_worker(site: SiteSettings, out_dir: Path) -> None:
    _worker["site"], _worker["out_dir"] = site, out_dir
    ignore_in_worker(stop_signals=True)  # the command's process winds the run down (interrupts.py)
    _exit_with_parent()
    warm_up(site)
    speedups.install_in_worker()  # a process of our own: ReportLab's functions are ours to replace
    settle_for_rendering()


def _exit_with_parent() -> None:
    """A worker whose parent was killed (SIGKILL, the OOM killer) would wait on its queue for ever: it
    holds a copy of the queue's write end, so it never sees end-of-file. Watch the parent and leave."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK_SECONDS)
        os._exit(1)  # no cleanup to run: every file is written atomically

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def render_in_worker(jobs: list[Job]) -> list[Done]:
    """A task of a few rows (batch.ROWS_PER_TASK), rendered in turn."""
    return [render_to_file(job, _worker["site"], _worker["out_dir"]) for job in jobs]


def render_to_file(job: Job, site: SiteSettings, out_dir: Path) -> Done:
    """Render one row and write its PDF atomically (and its HTML first, with --also-html). Every failure
    becomes a message free of patient data."""
    html = b""
    try:
        if job.html_file:
            data, pages, html = render_document_and_html(job.case, site)
        else:
            data, pages = render_document(job.case, site)
    except InputError as error:
        return Done(job.line, field=error.field, message=error.message)
    except SiteSettingsError as error:
        return Done(job.line, field="site", message=f"{error.key}: {error.message}")
    except TemplateFailure as error:
        # Names the template file, line and kind of error, never a value: safe for errors.csv. The row
        # fails alone: a template that fails for every row fails every row, each with this reason.
        return Done(job.line, field="template", message=str(error))
    except ContentError:
        # Markup errors can quote the template's output, which holds patient data: name no details.
        return Done(
            job.line,
            field="template",
            message=f"the {job.case.language} templates failed for this row; check them with dischargegen render",
        )
    except Exception as error:  # a bug must not stop the other patients' documents
        return Done(
            job.line, field="internal", message=f"unexpected {type(error).__name__}; please report it"
        )
    try:
        # On disk later: the command's process flushes them before the manifest lists them (batch._Run).
        if job.html_file:
            write_atomically(out_dir / job.html_file, html, to_disk=False)
        write_atomically(out_dir / job.file, data, to_disk=False)
    except OSError as error:
        return Done(job.line, field="output", message=f"cannot write the file: {error.strerror}")
    html_sha256 = hashlib.sha256(html).hexdigest() if job.html_file else ""
    return Done(job.line, sha256=hashlib.sha256(data).hexdigest(), pages=pages, html_sha256=html_sha256)
