"""Errors the library raises for bad input.

Messages name the field and what is allowed, never the value itself: a value may be protected health
information, and these messages reach terminals, logs and errors.csv files.

Every error pickles with its fields (`__reduce__`), so a worker process can hand it back as it is.
"""

from __future__ import annotations

from collections.abc import Sequence


class DischargeGenError(Exception):
    """Base class for every error caused by input or settings rather than by a bug."""


class InputError(DischargeGenError):
    """A case field is missing or invalid."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message

    def __reduce__(self) -> tuple[type[InputError], tuple[str, str]]:
        return (type(self), (self.field, self.message))


class InvalidFields(InputError):
    """Several fields of one record are invalid: every one of them, in column order.

    It is an InputError for the first field, so code that reports one error still works; code that reports
    every field (errors.csv, one line a field) reads `errors`."""

    def __init__(self, errors: Sequence[InputError]) -> None:
        if not errors:
            raise ValueError("InvalidFields needs at least one error")
        flat = [inner for error in errors for inner in each_error(error)]
        super().__init__(flat[0].field, flat[0].message)
        self.errors: tuple[InputError, ...] = tuple(flat)

    def __reduce__(self) -> tuple[type[InvalidFields], tuple[tuple[InputError, ...]]]:  # type: ignore[override]
        return (type(self), (self.errors,))


def each_error(error: InputError) -> tuple[InputError, ...]:
    """The single errors inside an error: itself, or each field of an InvalidFields."""
    return error.errors if isinstance(error, InvalidFields) else (error,)


class SiteSettingsError(DischargeGenError):
    """The site settings file or one of its keys is invalid."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(f"site setting {key}: {message}")
        self.key = key
        self.message = message

    def __reduce__(self) -> tuple[type[SiteSettingsError], tuple[str, str]]:
        return (type(self), (self.key, self.message))


class ContentError(DischargeGenError):
    """A template (default or site override) is broken or produced markup the renderer does not know."""
