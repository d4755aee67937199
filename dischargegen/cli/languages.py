"""`dischargegen languages`: every language the program ships, its review status, and whether this site
has enabled it. The list is the library's (dischargegen.languages); this only prints it."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import DischargeGenError
from ..languages import languages as all_languages
from ._common import display_width, load_site_or_fail, site_option, user_error

COLUMNS = ("code", "language", "review", "reviewed by", "reviewed on", "enabled")


@click.command("languages")
@site_option
def languages(site_path: Path | None) -> None:
    """List every language: code, name, review status (draft or reviewed, by whom and when) and whether
    this site enables it ([content] enabled_languages in the site settings).

    A site enables a language only after its own qualified medical translator has reviewed it.
    Exit status 0; 2 for bad site settings or a language's files.
    """
    site = load_site_or_fail(site_path)
    try:
        rows = [
            (
                language.code,
                language.name,
                language.review.status,
                language.review.reviewed_by or "-",
                language.review.reviewed_on or "-",
                "yes" if language.enabled else "no",
            )
            for language in all_languages(site)
        ]
    except DischargeGenError as error:
        raise user_error(error) from None
    widths = [max(display_width(row[index]) for row in [COLUMNS, *rows]) for index in range(len(COLUMNS))]
    for row in [COLUMNS, *rows]:
        cells = (cell + " " * (width - display_width(cell)) for cell, width in zip(row, widths, strict=True))
        click.echo("  ".join(cells).rstrip())
    click.echo(
        f"\nEnabled for this site: {', '.join(site.content.enabled_languages)}"
        " (site settings: [content] enabled_languages)."
    )
