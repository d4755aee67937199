"""Errors the library raises for bad input.

Messages name the field and what is allowed, never the value itself: a value may be protected health
information, and these messages reach terminals, logs and errors.csv files.
"""

from __future__ import annotations


class DischargeGenError(Exception):
    """Base class for every error caused by input or settings rather than by a bug."""


class InputError(DischargeGenError):
    """A case field is missing or invalid."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class SiteSettingsError(DischargeGenError):
    """The site settings file or one of its keys is invalid."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(f"site setting {key}: {message}")
        self.key = key
        self.message = message


class ContentError(DischargeGenError):
    """A template (default or site override) is broken or produced markup the renderer does not know."""
