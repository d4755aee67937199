"""Printing what a batch run made: its packet(s), each in turn, or else each document in input order.

manifest.csv's print_job column records the CUPS job that printed each document, so a rerun prints only
what no earlier run printed (unless `reprint`). For a packet that means a print-only packet of the new
documents, built by the packet code into a private temporary folder and removed after; when every document
of a packet is new, the printer gets exactly the packet file's bytes. The manifest is rewritten with the job
ids when printing ends, also when it stops part-way: what printed is recorded.
"""

from __future__ import annotations

import dataclasses
import io
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import PrintError
from ..printing import CHART_COPY_JOB_TITLE, PrintedJob, PrintOptions, print_pdf
from .manifest import MANIFEST, Entry, read_entries, record_print_jobs
from .packet import PacketOptions, PacketWritten, build_packet, group_items
from .results import BatchResult, PacketItem

# Page sizes in points, for the media option of a job: the paper of its first page.
_PAPER_POINTS = {"letter": (612.0, 792.0), "a4": (595.28, 841.89)}


@dataclass(frozen=True)
class SentJob:
    """One job sent: the job, how many documents it holds, and the packet it printed (None: a document;
    `partial`: only the documents of that packet not printed before). `chart_copies`: the job holds the
    chart copies of the job before it."""

    job: PrintedJob
    documents: int
    packet: Path | None = None
    partial: bool = False
    chart_copies: bool = False


@dataclass
class BatchPrinted:
    sent: list[SentJob] = field(default_factory=list)
    # Documents an earlier run printed, not printed again (no `reprint`).
    already: int = 0

    @property
    def documents(self) -> int:
        return sum(sent.documents for sent in self.sent if not sent.chart_copies)


def joined(pdfs: Sequence[bytes]) -> bytes:
    """One PDF of `pdfs` in turn (the chart copies of a packet's patients, for one job)."""
    if len(pdfs) == 1:
        return pdfs[0]
    from pypdf import PdfWriter

    writer = PdfWriter()
    for pdf in pdfs:
        writer.append(io.BytesIO(pdf))
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def paper_of(pdf: bytes, default: str) -> str:
    """The paper of the PDF's first page ("letter" or "a4"), else `default`."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        box = PdfReader(io.BytesIO(pdf)).pages[0].mediabox
        size = (float(box.width), float(box.height))
    except (PyPdfError, IndexError, ValueError):
        return default
    for paper, (width, height) in _PAPER_POINTS.items():
        if abs(size[0] - width) < 2 and abs(size[1] - height) < 2:
            return paper
    return default


def packet_groups(items: Sequence[PacketItem], options: PacketOptions) -> list[list[PacketItem]]:
    """The documents of each packet, in the order the packet code writes the packets."""
    if options.group_by is None:
        return [list(items)]
    return list(group_items(items).values())


class _Printer:
    def __init__(
        self,
        out_dir: Path,
        options: PrintOptions,
        paper: str,
        reprint: bool,
        on_sent: Callable[[SentJob], None] | None,
        chart_copy: Callable[[int], bytes] | None,
    ) -> None:
        self.out_dir, self.options, self.paper, self.reprint = out_dir, options, paper, reprint
        self.on_sent, self.chart_copy = on_sent, chart_copy
        self.entries: dict[int, Entry] = {
            entry.line: entry
            for entry in read_entries(out_dir / MANIFEST)
            if entry.status in ("written", "unchanged") and entry.file
        }
        self.jobs: dict[int, str] = {}
        self.done = BatchPrinted()

    def is_new(self, line: int) -> bool:
        entry = self.entries.get(line)
        return self.reprint or entry is None or not entry.print_job

    def send(
        self, pdf: bytes, lines: Sequence[int], packet: Path | None = None, partial: bool = False
    ) -> None:
        # Made before the documents print: a chart copy that cannot be made stops the job before it starts.
        charts = joined([self.chart_copy(line) for line in lines]) if self.chart_copy is not None else None
        job = print_pdf(pdf, self.options, paper_of(pdf, self.paper))
        self.jobs.update(dict.fromkeys(lines, job.job_id))
        self._sent(SentJob(job, len(lines), packet, partial))
        if charts is not None:
            # One copy whatever the copies asked: they go in the charts, not home.
            chart_job = print_pdf(
                charts,
                dataclasses.replace(self.options, copies=1),
                paper_of(charts, self.paper),
                title=CHART_COPY_JOB_TITLE,
            )
            self._sent(SentJob(chart_job, len(lines), packet, partial, chart_copies=True))

    def _sent(self, sent: SentJob) -> None:
        self.done.sent.append(sent)
        if self.on_sent is not None:
            self.on_sent(sent)

    def documents(self) -> None:
        for line, entry in sorted(self.entries.items()):
            if not self.is_new(line):
                self.done.already += 1
                continue
            self.send((self.out_dir / entry.file).read_bytes(), [line])

    def packets(
        self, items: Sequence[PacketItem], options: PacketOptions, packets: Sequence[PacketWritten]
    ) -> None:
        if not packets:  # no documents, no packet
            return
        for written, members in zip(packets, packet_groups(items, options), strict=True):
            new = [item for item in members if self.is_new(item.line)]
            self.done.already += len(members) - len(new)
            if not new:
                continue
            lines = [item.line for item in new]
            if len(new) == len(members):
                self.send(written.path.read_bytes(), lines, written.path)
                continue
            with tempfile.TemporaryDirectory(prefix="dischargegen-print-") as folder:
                path = Path(folder) / "new.pdf"
                build_packet(new, self.out_dir, dataclasses.replace(options, path=path), path)
                pdf = path.read_bytes()
            self.send(pdf, lines, written.path, partial=True)


def print_run(
    out_dir: Path,
    result: BatchResult,
    options: PrintOptions,
    paper: str,
    *,
    reprint: bool = False,
    packet: PacketOptions | None = None,
    packets: Sequence[PacketWritten] = (),
    on_sent: Callable[[SentJob], None] | None = None,
    chart_copy: Callable[[int], bytes] | None = None,
) -> BatchPrinted:
    """Print a finished run's packets (with `packet`: each of `packets` in turn), or else its documents in
    input order, skipping what an earlier run printed unless `reprint`; record the job ids in manifest.csv.
    `paper` is the media for a PDF whose page size is neither letter nor A4. Call it inside the run's lock
    (run_batch's on_finish). With `chart_copy` (input line -> that patient's chart copy), each job is
    followed by one more holding the chart copies of its documents, in the same order. Raises PrintError,
    saying how many documents printed before it stopped."""
    printer = _Printer(out_dir, options, paper, reprint, on_sent, chart_copy)
    try:
        if packet is not None:
            printer.packets(result.packet_items, packet, packets)
        else:
            printer.documents()
    except PrintError as error:
        done = printer.done.documents
        if done:
            raise PrintError(
                f"{error}; {done} document(s) printed before it, their jobs recorded in {MANIFEST}"
            ) from None
        raise
    except OSError as error:
        raise PrintError(f"cannot read a document to print: {error.strerror}") from None
    finally:
        if printer.jobs:
            record_print_jobs(out_dir, printer.jobs)
    return printer.done
