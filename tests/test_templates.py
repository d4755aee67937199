"""Site template overrides: block by block, sandboxed, strict, and limited to the documented markup."""

from __future__ import annotations

from pathlib import Path

import jinja2
import pytest

from dischargegen import ContentError, content, load_site
from dischargegen.content.templating import cached_environment
from dischargegen.site import SiteSettings
from tests.helpers import render, render_text


def site_with(tmp_path: Path, template: str, settings: str = "") -> SiteSettings:
    folder = tmp_path / "overrides" / "en"
    folder.mkdir(parents=True)
    (folder / "discharge.html").write_text(template, encoding="utf-8")
    path = tmp_path / "site.toml"
    path.write_text(f'[content]\ntemplates_dir = "overrides"\n{settings}', encoding="utf-8")
    return load_site(path)


def test_a_site_overrides_one_block_and_keeps_the_rest(tmp_path: Path) -> None:
    site = site_with(
        tmp_path,
        '{% extends "default:en/discharge.html" %}\n'
        "{% block driving %}<section><h2>Driving at Riverside</h2>"
        "<p>Do not drive until your surgeon says it is safe.</p></section>{% endblock %}",
    )
    text = render_text(site)
    assert "Driving at Riverside" in text
    assert "Do not drive until your surgeon says it is safe." in text
    assert "The first day, and driving" not in text  # the shipped block is replaced
    assert "Needle spots and bathing" in text  # the other blocks remain
    assert "Call 911 now for any of these" in text


def test_super_keeps_the_shipped_block(tmp_path: Path) -> None:
    site = site_with(
        tmp_path,
        '{% extends "default:en/discharge.html" %}\n'
        "{% block driving %}{{ super() }}<p>Our parking desk can call you a taxi.</p>{% endblock %}",
    )
    text = render_text(site)
    assert "The first day, and driving" in text and "Our parking desk can call you a taxi." in text


def test_site_numbers_change_the_text(tmp_path: Path) -> None:
    path = tmp_path / "site.toml"
    path.write_text(
        "[institution]\nclinic_phone = '(555) 010-2200'\nemergency_number = '112'\n"
        "[limits]\nlifting_limit_lb = 5\nfever_f = 101.0\nactivity_limit_days = 90\n",
        encoding="utf-8",
    )
    text = render_text(load_site(path))
    assert "Lift no more than 5 pounds (2.3 kg)" in text
    assert "a fever of 101 °F (38.3 °C) or higher" in text
    assert "Protect your back through Thursday, April 1" in text  # 90 days after Friday, January 1, 2027
    assert "(555) 010-2200" in text
    assert "Call 112 now for any of these" in text and "911" not in text


def test_the_sandbox_blocks_python_internals(tmp_path: Path) -> None:
    site = site_with(tmp_path, "<p>{{ ''.__class__.__mro__[1].__subclasses__() }}</p>")
    with pytest.raises(ContentError):
        render_text(site)


def test_a_misspelt_variable_is_an_error_not_a_blank(tmp_path: Path) -> None:
    site = site_with(tmp_path, "<p>Hello {{ patient.nickname }}</p>")
    with pytest.raises(ContentError, match="nickname"):
        render_text(site)


@pytest.mark.parametrize(
    ("markup", "fragment"),
    [
        ("<p>Hi <em>there</em></p>", "unknown tag <em>"),
        ('<section class="fancy"><p>Hi</p></section>', 'unknown section class "fancy"'),
        ("Loose text", "text outside a block"),
        ("<p>Unclosed <p>again</p>", "cannot start inside another text block"),
        ('<img src="x.png">', "unknown tag <img>"),
    ],
)
def test_markup_outside_the_subset_is_an_error(tmp_path: Path, markup: str, fragment: str) -> None:
    site = site_with(tmp_path, markup)
    with pytest.raises(ContentError, match=fragment.replace("(", r"\(")):
        render_text(site)


def test_template_text_the_font_cannot_draw_is_an_error(tmp_path: Path) -> None:
    site = site_with(tmp_path, "<p>Smile \U0001f600</p>")
    with pytest.raises(ContentError, match="U\\+1F600"):
        render_text(site)


def test_site_templates_cannot_include_files_outside_their_folders(tmp_path: Path) -> None:
    (tmp_path / "secret.html").write_text("<p>secret</p>", encoding="utf-8")
    site = site_with(tmp_path, '{% include "../secret.html" %}')
    with pytest.raises(ContentError, match="not found"):
        render_text(site)


def test_a_block_taller_than_a_page_is_a_content_error(tmp_path: Path) -> None:
    # A boxed section puts each block in a table row, and a row cannot break across pages.
    site = site_with(
        tmp_path, '<section class="call"><p>' + "A very long paragraph. " * 600 + "</p></section>"
    )
    with pytest.raises(ContentError, match="taller than a page"):
        render_text(site)


def test_a_site_template_that_is_not_utf8_is_a_content_error(tmp_path: Path) -> None:
    site = site_with(tmp_path, "")
    (tmp_path / "overrides" / "en" / "discharge.html").write_bytes("<p>Se\xf1or</p>".encode("cp1252"))
    with pytest.raises(ContentError, match="not UTF-8"):
        render_text(site)


def test_a_site_logo_is_drawn_on_page_one_only(tmp_path: Path) -> None:
    from io import BytesIO

    import pypdf
    from PIL import Image

    Image.new("RGB", (240, 90), (31, 78, 121)).save(tmp_path / "logo.png")
    path = tmp_path / "site.toml"
    path.write_text('[document]\nlogo = "logo.png"\n', encoding="utf-8")
    pdf = render(load_site(path))
    pages = pypdf.PdfReader(BytesIO(pdf)).pages
    assert len(pages[0].images) == 1
    assert all(len(page.images) == 0 for page in pages[1:])


def test_messages_are_read_once_per_environment_and_handed_out_as_copies(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    environment = cached_environment(None, "es")
    assert environment.loader is not None
    reads: list[str] = []
    original = type(environment.loader).get_source

    def counting(self: jinja2.BaseLoader, env: jinja2.Environment, name: str) -> object:
        reads.append(name)
        return original(self, env, name)  # type: ignore[arg-type]

    monkeypatch.setattr(type(environment.loader), "get_source", counting)
    content._remembered_messages.cache_clear()
    first = content.load_messages(environment, "es")
    first["title"] = "changed by a caller"
    again = content.load_messages(environment, "es")
    assert reads == ["es/messages.toml"]
    assert again["title"] != "changed by a caller"
