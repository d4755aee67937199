"""The command line: parses options, prompts for what is missing, and turns library errors into one
clear line and an exit code. All the work happens in the library.

Each command lives in its own module (render, batch, check, languages, serve), which imports _common for what they share;
this module defines the group and adds the commands. Nothing here is imported back by a command module.
"""

from __future__ import annotations

import click

from .._version import __version__
from . import batch, check, languages, render, serve
from ._common import InterruptibleGroup


@click.group(cls=InterruptibleGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="dischargegen")
def cli() -> None:
    """Personalised, plain-language discharge instructions after kyphoplasty or vertebroplasty."""


cli.add_command(render.render)
cli.add_command(batch.batch)
cli.add_command(check.check)
cli.add_command(serve.serve)
cli.add_command(languages.languages)

__all__ = ["cli"]
