from __future__ import annotations

import dataclasses
import re
import typing
from pathlib import Path

import pytest

from dischargegen import SiteSettingsError, load_site
from dischargegen.site import DEFAULT_SITE, SiteSettings
from tests.helpers import REPO


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "site.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_no_file_gives_the_shipped_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DISCHARGEGEN_SITE", raising=False)
    assert load_site() == DEFAULT_SITE
    assert DEFAULT_SITE.limits.lifting_limit_lb == 10
    assert DEFAULT_SITE.limits.fever_f == 100.4
    assert DEFAULT_SITE.institution.emergency_number == "911"


def test_environment_variable_names_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISCHARGEGEN_SITE", str(write(tmp_path, '[institution]\nname = "North Clinic"\n')))
    assert load_site().institution.name == "North Clinic"


def test_sample_site_file_documents_every_key() -> None:
    sample = REPO / "samples" / "site.toml"
    text = sample.read_text(encoding="utf-8")
    hints = typing.get_type_hints(SiteSettings)
    for section in dataclasses.fields(SiteSettings):
        if section.name == "source":
            continue
        assert f"[{section.name}]" in text, f"samples/site.toml lacks [{section.name}]"
        for key in dataclasses.fields(hints[section.name]):
            # Optional keys may be shown commented out, but every key is there with its explanation.
            pattern = rf"^(# )?{key.name} =|^\[{section.name}\.{key.name}\]"
            assert re.search(pattern, text, re.MULTILINE), (
                f"samples/site.toml lacks {section.name}.{key.name}"
            )
    load_site(sample)


@pytest.mark.parametrize(
    ("text", "key", "fragment"),
    [
        ("[limits]\nlifting_limit_lb = 100\n", "limits.lifting_limit_lb", "between 2 and 25"),
        ("[limits]\nfever_f = 'hot'\n", "limits.fever_f", "must be a number"),
        ("[limits]\nactivity_limit_days = 4.5\n", "limits.activity_limit_days", "whole number"),
        ("[limits]\nlifting = 5\n", "limits.lifting", "not a known setting"),
        ("[hospital]\nname = 'x'\n", "hospital", "not a known section"),
        ("[document]\npaper = 'legal'\n", "document.paper", "letter, a4"),
        ("[content]\nlast_reviewed = '2026-01-01'\n", "content.last_reviewed", "TOML date"),
        ("[content]\ntemplates_dir = 'nowhere'\n", "content.templates_dir", "no folder"),
        ("[document]\nlogo = 'missing.png'\n", "document.logo", "no file"),
        ("[limits]\nfollow_up_days_min = 20\n", "limits.follow_up_days_min", "not be larger"),
        ("[institution]\nname = ''\n", "institution.name", "non-empty"),
        ("not toml at all [", "file", "not valid TOML"),
    ],
)
def test_bad_settings_name_the_key(tmp_path: Path, text: str, key: str, fragment: str) -> None:
    with pytest.raises(SiteSettingsError) as caught:
        load_site(write(tmp_path, text))
    assert caught.value.key == key
    assert fragment in caught.value.message


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SiteSettingsError, match="no settings file"):
        load_site(tmp_path / "absent.toml")


def test_relative_paths_are_read_from_the_settings_folder(tmp_path: Path) -> None:
    (tmp_path / "overrides").mkdir()
    site = load_site(write(tmp_path, "[content]\ntemplates_dir = 'overrides'\n"))
    assert site.content.templates_dir == tmp_path / "overrides"
