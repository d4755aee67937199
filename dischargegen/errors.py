"""Errors the library raises for bad input.

Messages name the field and what is allowed, never the value itself: a value may be protected health
information, and these messages reach terminals, logs and errors.csv files.

Every library error lives here, and every one pickles with its fields (`__reduce__` where `__init__` takes
more than the message), so a worker process hands it back as it is. The modules that raise them re-export
their old names.
"""

from __future__ import annotations

import errno
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


def one_error(errors: Sequence[InputError]) -> InputError:
    """The errors of one record as one: the error itself when there is one, else an InvalidFields."""
    return errors[0] if len(errors) == 1 else InvalidFields(errors)


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


class OptionError(DischargeGenError):
    """A library call's option does not apply to what it was given (an encoding for FHIR input)."""

    def __init__(self, option: str, message: str) -> None:
        super().__init__(f"{option} {message}")
        self.option = option
        self.message = message

    def __reduce__(self) -> tuple[type[OptionError], tuple[str, str]]:
        return (type(self), (self.option, self.message))


class ContentError(DischargeGenError):
    """A template (default or site override) is broken or produced markup the renderer does not know."""


class TemplateFailure(ContentError):
    """A template failed or did too much. Its message names the template file, line and kind of error and
    never quotes a value, so it may go wherever an error goes (terminal, errors.csv)."""


class InputFileError(DischargeGenError):
    """The input as a whole is unusable (missing file, no header, a required column absent): exit 2."""


class BatchSetupError(DischargeGenError):
    """The run cannot start: the output folder is unusable or in use, or the file name pattern is wrong."""


class PatternError(DischargeGenError, ValueError):
    """The site's file_name_pattern uses a placeholder we do not fill. A ValueError too, as it was."""


class PacketError(DischargeGenError):
    """The packet could not be assembled (an insert or a document that pypdf cannot read)."""


class NotAFileError(DischargeGenError, OSError):
    """The path to write names something other than a regular file: a folder, a device, a FIFO or a socket.

    An OSError too, so that every writer's existing handling of a file it cannot write applies. `strerror`
    (and str()) says what is there and what is allowed, never the path (a batch file name may hold a
    patient's name); `filename` is the path, for a front end that names the option the user gave."""

    def __init__(self, kind: str, path: str) -> None:
        super().__init__(errno.EEXIST, f"it is {kind}; only a regular file or a new name is written", path)
        self.kind = kind

    def __str__(self) -> str:
        return str(self.strerror)

    def __reduce__(self) -> tuple[type[NotAFileError], tuple[str, str]]:
        return (type(self), (self.kind, str(self.filename)))


class PrintError(DischargeGenError):
    """A document could not be sent to the printer: the queue is unknown, stopped or not accepting jobs,
    there is no default queue, lp is missing, or the print server does not answer in time. The message
    names the queue and what to do, never the patient."""
