"""The Jinja2 environment: shipped templates, site overrides, sandbox, autoescape, StrictUndefined.

Loader chain (the datasette pattern): a name such as "en/discharge.html" is looked up first in the site's
templates folder, then in the shipped folder; "default:en/discharge.html" always means the shipped one, so a
site template can `{% extends "default:en/discharge.html" %}` and replace single blocks.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment

_PACKAGED = Path(__file__).resolve().parent / "templates"
_SOURCE_TREE = Path(__file__).resolve().parent.parent / "templates"


def default_templates_dir() -> Path:
    """The shipped templates: inside the installed package, or at the top of a source checkout."""
    return _PACKAGED if _PACKAGED.is_dir() else _SOURCE_TREE


def make_environment(site_dir: Path | None, filters: dict[str, Callable[..., Any]]) -> jinja2.Environment:
    shipped = jinja2.FileSystemLoader(str(default_templates_dir()))
    loaders: list[jinja2.BaseLoader] = []
    if site_dir is not None:
        loaders.append(jinja2.FileSystemLoader(str(site_dir)))
    loaders += [shipped, jinja2.PrefixLoader({"default": shipped}, delimiter=":")]
    # Everything runs sandboxed, shipped templates too: one environment, one set of rules to reason about.
    environment = ImmutableSandboxedEnvironment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    environment.filters.update(filters)
    return environment


@functools.lru_cache(maxsize=8)
def cached_environment(site_dir: Path | None, language: str) -> jinja2.Environment:
    """One environment per (site folder, language) per process: templates compile once per worker."""
    from .formatting import filters_for  # late import: formatting depends on Babel, loaded on first use

    return make_environment(site_dir, filters_for(language))
