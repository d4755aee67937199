"""Where the shipped templates are: inside the installed package, or at the top of a source checkout.
A module of its own so that the date formatting (which reads each language's messages.toml) and the
template environment both find them without importing each other."""

from __future__ import annotations

from pathlib import Path

_PACKAGED = Path(__file__).resolve().parent.parent / "templates"
_SOURCE_TREE = Path(__file__).resolve().parent.parent.parent / "templates"


def default_templates_dir() -> Path:
    """The shipped templates: inside the installed package, or at the top of a source checkout."""
    return _PACKAGED if _PACKAGED.is_dir() else _SOURCE_TREE
