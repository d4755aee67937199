"""The Jinja2 environment: shipped templates, site overrides, sandbox, autoescape, StrictUndefined.

Loader chain (the datasette pattern): a name such as "en/discharge.html" is looked up first in the site's
templates folder, then in the shipped folder; "default:en/discharge.html" always means the shipped one, so a
site template can `{% extends "default:en/discharge.html" %}` and replace single blocks.

A site template is written by a clinical editor, not a programmer, and runs unattended over a whole export:
the work it may do is bounded (see BoundedSandbox), and every way it can fail becomes one TemplateFailure that
names the template file, the line and the kind of error, never a value (a value may be patient data).
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import time
import traceback
from collections.abc import Callable, Iterable, Iterator, Sized
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import nodes
from jinja2.exceptions import SecurityError
from jinja2.nodes import EvalContext
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.visitor import NodeTransformer

from ..errors import ContentError
from ..errors import TemplateFailure as TemplateFailure  # its old home; errors.py holds it now
from .shipped import default_templates_dir as default_templates_dir  # its old home

# What one document's templates may do. The shipped templates use a few dozen steps and some 10,000
# characters; these bounds are far above any real document and far below what hangs a batch or fills memory.
MAX_STEPS = 100_000  # loop turns, calls and range items, all templates of one document together
MAX_TEXT = 1_000_000  # characters of any text a template builds, and of the rendered document
MAX_INTEGER_BITS = 4_096  # about 1,200 digits: numbers far past any dose or date, still printable
MAX_RANGE = 10_000  # items of one range()
# The last guard, for work the bounds above do not count (it is the only one that depends on the machine).
TIME_BUDGET_SECONDS = 10.0

COUNTED = "_dischargegen_counted"
BOUNDED = "_dischargegen_bounded"


class TemplateLimitError(Exception):
    """Raised inside a running template that exceeds a bound; reported as a TemplateFailure."""


# -- the work budget of one document ---------------------------------------------------------------------
@dataclass
class _Budget:
    steps_left: int
    deadline: float


_budget: ContextVar[_Budget | None] = ContextVar("dischargegen_template_budget", default=None)


def _spend(steps: int = 1) -> None:
    budget = _budget.get()
    if budget is None:  # compiling, or a caller that renders outside render_bounded: sizes are still checked
        return
    budget.steps_left -= steps
    if budget.steps_left < 0:
        raise TemplateLimitError(
            f"the templates do more than {MAX_STEPS:,} steps of work for one document (loop turns, calls"
            " and range items); a loop or macro may never end"
        )
    if time.monotonic() > budget.deadline:
        raise TemplateLimitError(
            f"the templates took longer than {TIME_BUDGET_SECONDS:g} seconds for one document"
        )


def _too_long() -> TemplateLimitError:
    return TemplateLimitError(f"the templates build a text longer than {MAX_TEXT:,} characters")


def _check_length(value: Any) -> Any:
    if isinstance(value, str | bytes | list | tuple) and len(value) > MAX_TEXT:
        raise _too_long()
    return value


def render_bounded(template: jinja2.Template, context: dict[str, Any]) -> str:
    """Render with a fresh work budget, refusing a document longer than MAX_TEXT as it is produced."""
    token = _budget.set(_Budget(MAX_STEPS, time.monotonic() + TIME_BUDGET_SECONDS))
    try:
        parts: list[str] = []
        size = 0
        for chunk in template.generate(context):
            size += len(chunk)
            if size > MAX_TEXT:
                raise TemplateLimitError(f"the rendered document is longer than {MAX_TEXT:,} characters")
            parts.append(chunk)
        return "".join(parts)
    finally:
        _budget.reset(token)


# -- what a template may compute ---------------------------------------------------------------------------
_PERCENT_SPEC = re.compile(r"%(?:\([^)]*\))?[#0 +-]*(\*|\d*)(?:\.(\*|\d*))?")


def _check_percent_format(text: str) -> None:
    """printf-style widths ("%999999999d") would build a text of that size."""
    for match in _PERCENT_SPEC.finditer(text):
        for number in match.groups():
            if number == "*" or (number and int(number) > MAX_TEXT):
                raise _too_long()


def _check_brace_format(text: str) -> None:
    """str.format widths ("{:>999999999}"), nested ones included."""
    import string

    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError:
        return  # formatting it fails anyway, with a ValueError reported as such
    for _, _, spec, _ in parsed:
        if spec and ("{" in spec or any(int(n) > MAX_TEXT for n in re.findall(r"\d+", spec))):
            raise _too_long()


def _check_integers(*numbers: int) -> None:
    if sum(abs(n).bit_length() for n in numbers) > MAX_INTEGER_BITS:
        raise TemplateLimitError(f"the templates compute a number longer than {MAX_INTEGER_BITS:,} bits")


def _is_integer(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_binop(operator: str, left: Any, right: Any) -> None:
    """Refuse, before computing it, a result too big to hold or print."""
    if operator == "**" and _is_integer(left) and _is_integer(right) and right > 0 and abs(left) > 1:
        if right > MAX_INTEGER_BITS or right * abs(left).bit_length() > MAX_INTEGER_BITS:
            raise TemplateLimitError(f"the templates compute a number longer than {MAX_INTEGER_BITS:,} bits")
    elif operator == "*":
        if _is_integer(left) and _is_integer(right):
            _check_integers(left, right)
        for sequence, count in ((left, right), (right, left)):
            repeated = isinstance(sequence, str | bytes | list | tuple) and _is_integer(count)
            if repeated and len(sequence) * count > MAX_TEXT:
                raise _too_long()
    elif operator == "+":
        joined = isinstance(left, Sized) and isinstance(right, Sized) and not isinstance(left, dict)
        if joined and len(left) + len(right) > MAX_TEXT:
            raise _too_long()
    elif operator == "%" and isinstance(left, str):
        _check_percent_format(left)


_WIDTH_METHODS = {"center", "ljust", "rjust", "zfill"}


def _check_method(function: Any, args: tuple[Any, ...]) -> None:
    """The str methods whose result can be far longer than their inputs."""
    owner = getattr(getattr(function, "__wrapped__", function), "__self__", None)
    if not isinstance(owner, str):
        return
    name = getattr(function, "__name__", "")
    if name in _WIDTH_METHODS and args and _is_integer(args[0]) and args[0] > MAX_TEXT:
        raise _too_long()
    if name == "expandtabs" and args and _is_integer(args[0]) and args[0] * owner.count("\t") > MAX_TEXT:
        raise _too_long()
    if name in ("format", "format_map"):
        _check_brace_format(owner)
    if name == "replace" and len(args) >= 2 and isinstance(args[0], str) and isinstance(args[1], str):
        _check_replace(owner, args[0], args[1])
    if name == "join" and args:
        _check_join(owner, args[0])
    if name == "translate" and args and isinstance(args[0], dict):
        longest = max((len(v) for v in args[0].values() if isinstance(v, str)), default=1)
        if len(owner) * longest > MAX_TEXT:
            raise _too_long()


def _check_join(separator: Any, items: Any) -> None:
    """A long separator between many items: a million times a million characters."""
    if isinstance(separator, str) and isinstance(items, Sized) and len(separator) * len(items) > MAX_TEXT:
        raise _too_long()


def _check_replace(text: str, old: str, new: str) -> None:
    times = len(text) + 1 if not old else text.count(old)
    if len(text) + times * len(new) > MAX_TEXT:
        raise _too_long()


def _guard_filter(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    """A filter that counts as a step, refuses an argument that would build a huge text (a width, count or
    indent: no filter argument may be a number over MAX_TEXT), and checks the length of what it returns."""

    @functools.wraps(function)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        _spend()
        values = [a for a in args if not isinstance(a, Context | EvalContext | jinja2.Environment)]
        if any(_is_integer(v) and v > MAX_TEXT for v in [*values[1:], *kwargs.values()]):
            raise TemplateLimitError(
                f"a filter is given a number over {MAX_TEXT:,} (a width or count that builds a huge text)"
            )
        if name == "format" and values and isinstance(values[0], str):
            _check_percent_format(values[0])
        if name == "replace" and len(values) >= 3 and all(isinstance(v, str) for v in values[:3]):
            _check_replace(values[0], values[1], values[2])
        if name == "join" and values:
            _check_join(kwargs.get("d", values[1] if len(values) > 1 else ""), values[0])
        if name == "indent" and values and isinstance(values[0], str):
            width = kwargs.get("width", values[1] if len(values) > 1 else 4)
            if isinstance(width, str) and len(width) * (values[0].count("\n") + 1) > MAX_TEXT:
                raise _too_long()
        start = kwargs.get("start", values[2] if len(values) > 2 else 0)
        if name == "sum" and not isinstance(start, int | float):
            raise TemplateLimitError("the sum filter adds numbers only (its start must be a number)")
        return _check_length(function(*args, **kwargs))

    return guarded


@jinja2.pass_context  # never folded at compile time: a constant loop still counts its turns
def _counted(_context: Context, iterable: Iterable[Any]) -> Iterator[Any]:
    for item in iterable:
        _spend()
        yield item


@jinja2.pass_context
def _bounded(_context: Context, value: Any) -> Any:
    return _check_length(value)


def _counted_range(*args: int) -> range:
    numbers = range(*args)
    if len(numbers) > MAX_RANGE:
        raise TemplateLimitError(f"a range() in the templates has more than {MAX_RANGE:,} items")
    _spend(len(numbers))
    return numbers


class _CountLoops(NodeTransformer):
    """Every {% for %} counts its turns; every `~` joining and {% set %} block checks its length."""

    def visit_For(self, node: nodes.For) -> nodes.Node:
        self.generic_visit(node)
        node.iter = nodes.Filter(node.iter, COUNTED, [], [], None, None, lineno=node.lineno)
        return node

    def visit_Concat(self, node: nodes.Concat) -> nodes.Node:
        self.generic_visit(node)
        return nodes.Filter(node, BOUNDED, [], [], None, None, lineno=node.lineno)

    def visit_AssignBlock(self, node: nodes.AssignBlock) -> nodes.Node:
        self.generic_visit(node)
        node.filter = nodes.Filter(node.filter, BOUNDED, [], [], None, None, lineno=node.lineno)
        return node


class BoundedSandbox(ImmutableSandboxedEnvironment):
    """Jinja2's immutable sandbox, with the work a template may do bounded: `*`, `**`, `+` and `%` are
    checked before they compute (no 10**5000, no "x" * 10**9), every call and loop turn is a step of a
    per-document budget (render_bounded), and range() is small and counted."""

    intercepted_binops = frozenset({"*", "**", "+", "%"})

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        _check_binop(operator, left, right)
        return super().call_binop(context, operator, left, right)

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        _spend()
        _check_method(__obj, args)
        return _check_length(super().call(__context, __obj, *args, **kwargs))

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        tree = super()._parse(source, name, filename)
        counted: nodes.Template = _CountLoops().visit(tree)
        return counted


def make_environment(site_dir: Path | None, filters: dict[str, Callable[..., Any]]) -> jinja2.Environment:
    shipped = jinja2.FileSystemLoader(str(default_templates_dir()))
    loaders: list[jinja2.BaseLoader] = []
    if site_dir is not None:
        loaders.append(jinja2.FileSystemLoader(str(site_dir)))
    loaders += [shipped, jinja2.PrefixLoader({"default": shipped}, delimiter=":")]
    # Everything runs sandboxed, shipped templates too: one environment, one set of rules to reason about.
    environment = BoundedSandbox(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    environment.filters.update(filters)
    # Random text and random choices: a document must be the same for the same input (and lipsum(10**6)
    # writes a million paragraphs).
    environment.filters.pop("random", None)
    environment.globals.pop("lipsum", None)
    environment.filters = {name: _guard_filter(name, f) for name, f in environment.filters.items()}
    environment.filters.update({COUNTED: _counted, BOUNDED: _bounded})
    environment.globals["range"] = _counted_range
    return environment


@functools.lru_cache(maxsize=8)
def cached_environment(site_dir: Path | None, language: str) -> jinja2.Environment:
    """One environment per (site folder, language) per process: templates compile once per worker."""
    from .formatting import filters_for  # late import: formatting depends on Babel, loaded on first use

    return make_environment(site_dir, filters_for(language))


# -- reporting a failure -----------------------------------------------------------------------------------
_DESCRIPTIONS: tuple[tuple[type[BaseException], str], ...] = (
    (UnicodeDecodeError, "a template file that is not UTF-8 text; save it as UTF-8"),
    (jinja2.TemplateNotFound, "a template that was not found"),  # before LookupError, its base
    (ZeroDivisionError, "division by zero"),
    (RecursionError, "a macro calls itself too deeply, so it may never stop"),
    (OverflowError, "a number or range too large"),
    (MemoryError, "the templates ran out of memory"),
    (
        ValueError,
        "a value that cannot be used here (text that is not a number, or a number too long to print)",
    ),
    (TypeError, "a value of the wrong type for this operation (for example text added to a number)"),
    (LookupError, "a key or index that does not exist"),
    (AttributeError, "an attribute that does not exist"),
    (jinja2.UndefinedError, "a name, attribute or key that is not defined"),
    (SecurityError, "something the template sandbox does not allow"),
    (jinja2.TemplateError, "a template error"),
)
# Messages that may quote a name, an attribute or a template name: from the template's source (safe to
# show) or from data (never shown). They are shown when every quoted word is in the template line itself.
_QUOTING = (jinja2.UndefinedError, SecurityError)
_QUOTED = re.compile(r"'([^']*)'")
_TYPE_NAME = re.compile(r"[A-Za-z_][\w.]* object")


def _from_source(message: str, source_line: str) -> bool:
    quoted = _QUOTED.findall(message)
    if not quoted or _QUOTED.sub("", message).count('"'):
        return False
    return all(_TYPE_NAME.fullmatch(word) or (word and word in source_line) for word in quoted)


def _template_name(filename: str, site_dir: Path | None) -> str | None:
    path = os.path.abspath(filename)
    for folder, kind in ((site_dir, "site"), (default_templates_dir(), "shipped")):
        if folder is None:
            continue
        root = os.path.abspath(folder)
        if path.startswith(root + os.sep):
            return f"{kind} template {Path(os.path.relpath(path, root)).as_posix()}"
    return None


def describe_failure(error: BaseException, name: str, site_dir: Path | None) -> TemplateFailure:
    """One line for a template that failed to compile or render: the template file and line where known,
    a fixed description of the kind of error and its class. The exception's own message is shown only
    where it cannot hold a value (a limit of ours, a syntax error, a name that is in the template source)."""
    where, source_line = f"template {name}", ""
    if isinstance(error, jinja2.TemplateSyntaxError):
        named = _template_name(error.filename, site_dir) if error.filename else None
        where = f"{named or where}, line {error.lineno}"
        return TemplateFailure(f"{where}: {error.message} (TemplateSyntaxError)")
    for frame in reversed(traceback.extract_tb(error.__traceback__)):
        named = _template_name(frame.filename, site_dir)
        if named is not None:
            where, source_line = f"{named}, line {frame.lineno}", frame.line or ""
            break
    if isinstance(error, TemplateLimitError):
        return TemplateFailure(f"{where}: {error}")
    description = next(
        (text for kind, text in _DESCRIPTIONS if isinstance(error, kind)), "an unexpected error"
    )
    missing = str(getattr(error, "name", ""))
    written = missing == name or f'"{missing}"' in source_line or f"'{missing}'" in source_line
    if isinstance(error, jinja2.TemplateNotFound) and written:
        description = f"template {error.name} was not found"
    elif isinstance(error, _QUOTING) and _from_source(str(error), source_line):
        description = f"{description}: {error}"
    return TemplateFailure(f"{where}: {description} ({type(error).__name__})")


@contextlib.contextmanager
def reported_as_failure(name: str, site_dir: Path | None) -> Iterator[None]:
    """Turn any exception raised while compiling or rendering `name` into a TemplateFailure."""
    try:
        yield
    except ContentError:
        raise
    except Exception as error:
        raise describe_failure(error, name, site_dir) from None
