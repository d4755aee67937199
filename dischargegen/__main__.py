"""`python -m dischargegen`: the same as the `dischargegen` command."""

from .cli import cli

cli(prog_name="dischargegen")
