"""The parts of docs/*.md that must match the code, written by cog from the public entry points.

After changing a command's options, `dischargegen/vocab.py` or the FHIR code tables, run
`cog -r -I docs docs/*.md`; `tests/test_docs.py` fails while a generated part is stale.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from click.testing import CliRunner

from dischargegen import vocab
from dischargegen.cli import cli
from dischargegen.sources.fhir import codes


def command_help(command: str) -> str:
    """`dischargegen COMMAND --help` as a fenced block, wrapped at 80 columns whatever the terminal."""
    result = CliRunner().invoke(cli, [command, "--help"], prog_name="dischargegen", terminal_width=80)
    if result.exit_code != 0:
        raise RuntimeError(f"dischargegen {command} --help exited {result.exit_code}: {result.output}")
    return f"```\n$ dischargegen {command} --help\n{result.output.rstrip()}\n```\n"


def _code(words: Iterable[str]) -> str:
    return ", ".join(f"`{word}`" for word in words)


def _synonyms(canonical: str, table: Mapping[str, str]) -> str:
    """`canonical` (`synonym`, ...): the canonical value first, then its other spellings in table order."""
    others = [word for word, value in table.items() if value == canonical and word != canonical]
    return f"`{canonical}` ({_code(others)})" if others else f"`{canonical}`"


def _choices(canonical_values: Iterable[str], table: Mapping[str, str]) -> str:
    return "; ".join(_synonyms(value, table) for value in canonical_values)


def _yes_no(words: frozenset[str]) -> str:
    # Words before digits, then alphabetical: the frozensets have no order of their own.
    return _code(sorted(words, key=lambda word: (word.isdigit(), word)))


def accepted_values() -> str:
    """The table of values batch input accepts, from dischargegen/vocab.py."""
    rows = [
        ("`procedure`", _choices(vocab.PROCEDURES, vocab.PROCEDURE_SYNONYMS)),
        ("`anesthesia`", _choices(vocab.ANESTHESIA, vocab.ANESTHESIA_SYNONYMS)),
        (
            "`overnight`, `brace`, `blood_thinner`, `physical_therapy`, `large_print`",
            f"yes: {_yes_no(vocab.TRUE_WORDS)}; no: {_yes_no(vocab.FALSE_WORDS)}",
        ),
        (
            "dates (`dob`, `procedure_date`, `discharge_date`, `blood_thinner_restart`)",
            "`YYYY-MM-DD` or `MM/DD/YYYY`",
        ),
        ("`follow_up`", "a date as above and a time, `2027-01-12 14:30` (or with a `T`, or `:00` seconds)"),
        ("`procedure_time`", "`HH:MM`, 24-hour"),
        ("`cause`", _choices(vocab.CAUSES, vocab.CAUSE_SYNONYMS)),
        ("`language`", _choices(vocab.LANGUAGES, vocab.LANGUAGE_SYNONYMS)),
        ("`paper`", _choices(vocab.PAPER_SIZES, vocab.PAPER_SYNONYMS)),
    ]
    lines = ["| field | accepted |", "|---|---|", *(f"| {field} | {accepted} |" for field, accepted in rows)]
    return "\n".join(lines) + "\n"


def column_names() -> str:
    """The other header names CSV input reads as a field, from dischargegen/vocab.py."""
    rows = [f"| `{field}` | {_code(names)} |" for field, names in vocab.COLUMN_SYNONYMS.items()]
    return "\n".join(["| field | also read from a column named |", "|---|---|", *rows]) + "\n"


# The AMA descriptors (abridged) of the CPT codes in codes.py. A code added there without a descriptor here
# stops cog with a KeyError, so the table can never silently lose a row.
CPT_DESCRIPTORS: Mapping[str, str] = {
    "22510": "percutaneous vertebroplasty, 1 vertebral body; cervicothoracic",
    "22511": "percutaneous vertebroplasty, 1 vertebral body; lumbosacral",
    "22512": "percutaneous vertebroplasty; each additional cervicothoracic or lumbosacral vertebral body",
    "22513": "percutaneous vertebral augmentation, including cavity creation (e.g. kyphoplasty), "
    "1 vertebral body; thoracic",
    "22514": "percutaneous vertebral augmentation, including cavity creation (e.g. kyphoplasty), "
    "1 vertebral body; lumbar",
    "22515": "percutaneous vertebral augmentation; each additional thoracic or lumbar vertebral body",
}


def cpt_table() -> str:
    """The CPT codes the FHIR reader takes, from dischargegen/sources/fhir/codes.py."""
    kinds = {
        **dict.fromkeys(codes.CPT_FIRST_LEVEL, "first level"),
        **dict.fromkeys(codes.CPT_ADD_ON, "add-on level"),
    }
    procedures = {**codes.CPT_FIRST_LEVEL, **codes.CPT_ADD_ON}
    systems = sorted(codes.CPT_SYSTEMS, key=lambda system: (system.startswith("urn:"), system))
    lines = [
        f"`Procedure.code.coding` with system {' or '.join(f'`{system}`' for system in systems)}:",
        "",
        "| CPT | descriptor (AMA, abridged) | procedure | counts as |",
        "|---|---|---|---|",
        *(
            f"| {code} | {CPT_DESCRIPTORS[code]} | {procedures[code]} | {kinds[code]} |"
            for code in sorted(procedures)
        ),
    ]
    return "\n".join(lines) + "\n"


def vertebra_table() -> str:
    """The SNOMED CT vertebra codes, thoracic and lumbar in columns, then the cervical ones."""
    by_level = {level: code for code, level in codes.SNOMED_VERTEBRAE.items()}
    columns = [
        [level for level in by_level if level.startswith(region)][start : start + 6]
        for region, start in (("T", 0), ("T", 6), ("L", 0))
    ]
    lines = ["| level | SNOMED CT | level | SNOMED CT | level | SNOMED CT |", "|---|---|---|---|---|---|"]
    for row in range(max(len(column) for column in columns)):
        cells = [
            f"{column[row]} | {by_level[column[row]]}" if row < len(column) else " | " for column in columns
        ]
        lines.append("| " + " | ".join(cells) + " |")
    cervical = [level for level in by_level if level.startswith("C")]
    lines += [
        "",
        f"{cervical[0]}-{cervical[-1]} ({', '.join(by_level[level] for level in cervical)}) are recognised only "
        f'so that the error can say "{cervical[-1]} is not a vertebra this tool treats".',
    ]
    return "\n".join(lines) + "\n"


def encounter_class_table() -> str:
    """Encounter.class codes that answer "did the patient stay overnight?"."""
    systems = sorted(codes.ACT_CODE_SYSTEMS)
    lines = [
        "| `Encounter.class` | overnight |",
        "|---|---|",
        *(
            f"| `{code}` (v3 ActCode) | {'yes' if overnight else 'no'} |"
            for code, overnight in codes.OVERNIGHT_CLASSES.items()
        ),
        *(
            f"| code or display `{word}` (a local class) | {'yes' if overnight else 'no'} |"
            for word, overnight in codes.OVERNIGHT_CLASS_WORDS.items()
        ),
        "",
        f"v3 ActCode systems: {_code(systems)}.",
    ]
    return "\n".join(lines) + "\n"
