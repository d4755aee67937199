"""Language-aware formatting of dates, times and numbers, exposed to templates as Jinja2 filters.

Templates write `{{ dates.activity_until | day }}` and get "Friday, February 13" (English) or
"viernes 13 de febrero" (Spanish): the reader never does date arithmetic. How each language writes them is
data, in its messages.toml's `[dates]` table, so a translator never needs Python.
"""

from __future__ import annotations

import datetime as dt
import functools
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from babel.dates import format_date, format_time
from babel.numbers import format_decimal

from ..errors import ContentError
from .shipped import default_templates_dir


@dataclass(frozen=True)
class DateForms:
    """How one language spells dates and times: its messages.toml `[dates]` table (and `[calendar]`, for a
    language whose Babel locale lacks month and weekday names). Babel (CLDR) patterns; see
    /templates/README.md."""

    locale: str
    day: str  # weekday, day and month, no year
    full_date: str  # with the year
    clock: str
    at: str  # "<time> on <day>", with {time} and {day}
    at_one: str | None  # the form for one o'clock, where it differs (Spanish "a la 1:30")
    months: tuple[str, ...] | None  # January first
    weekdays: tuple[str, ...] | None  # Monday first


_DATE_KEYS = ("locale", "day", "full_date", "clock", "at")


@functools.cache
def date_forms(language: str) -> DateForms:
    """The shipped `<language>/messages.toml`'s date forms, read once per process. The shipped file, not a
    site's copy: a site overrides words, and how a language writes a date is the language's."""
    name = f"{language}/messages.toml"
    try:
        data = tomllib.loads((default_templates_dir() / name).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ContentError(f"shipped {name} is missing") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ContentError(f"shipped {name} is not valid TOML ({error})") from None
    table = data.get("dates")
    if not isinstance(table, dict) or any(not isinstance(table.get(key), str) for key in _DATE_KEYS):
        raise ContentError(f"shipped {name} needs a [dates] table with the texts {', '.join(_DATE_KEYS)}")
    at_one = table.get("at_one")
    calendar = data.get("calendar", {})
    months, weekdays = calendar.get("months"), calendar.get("weekdays")
    if calendar and not (_names(months, 12) and _names(weekdays, 7)):
        raise ContentError(f"shipped {name}: [calendar] needs 12 months and 7 weekdays (Monday first)")
    for key in ("at", "at_one"):
        if key in table and (not isinstance(table[key], str) or not _has_time_and_day(table[key])):
            raise ContentError(f"shipped {name}: [dates] {key} must hold {{time}} and {{day}} once each")
    return DateForms(
        locale=table["locale"],
        day=table["day"],
        full_date=table["full_date"],
        clock=table["clock"],
        at=table["at"],
        at_one=at_one if isinstance(at_one, str) else None,
        months=tuple(months) if calendar else None,
        weekdays=tuple(weekdays) if calendar else None,
    )


def _names(value: object, count: int) -> bool:
    return isinstance(value, list) and len(value) == count and all(isinstance(n, str) and n for n in value)


def _has_time_and_day(text: str) -> bool:
    return text.count("{time}") == 1 and text.count("{day}") == 1 and text.count("{") == 2


def _quoted(name: str) -> str:
    """`name` as a literal in a Babel pattern."""
    return "'" + name.replace("'", "''") + "'"


def _with_calendar(pattern: str, value: dt.date, forms: DateForms) -> str:
    """`pattern` with EEEE and MMMM written as the language's own names, where its locale lacks them."""
    if forms.weekdays is None or forms.months is None:
        return pattern
    pattern = pattern.replace("EEEE", _quoted(forms.weekdays[value.weekday()]))
    return pattern.replace("MMMM", _quoted(forms.months[value.month - 1]))


@dataclass(frozen=True)
class Moment:
    """A point some hours after the procedure; `time` is None when the procedure time is unknown."""

    date: dt.date
    time: dt.time | None


def moment_after(procedure_date: dt.date, procedure_time: dt.time | None, hours: int) -> Moment:
    if procedure_time is None:
        # Without a clock time we can only name the calendar day the limit runs out on; round up.
        days = -(-hours // 24)
        return Moment(procedure_date + dt.timedelta(days=days), None)
    end = dt.datetime.combine(procedure_date, procedure_time) + dt.timedelta(hours=hours)
    return Moment(end.date(), end.time())


@functools.lru_cache(maxsize=4096)
def _spelled_date(value: dt.date, pattern: str, locale: str) -> str:
    # A batch spells the same few dozen dates for every patient; Babel's formatting was ~4% of a document.
    return str(format_date(value, pattern, locale=locale))


def filters_for(language: str) -> dict[str, Callable[..., Any]]:
    forms = date_forms(language)
    locale = forms.locale

    def day(value: dt.date) -> str:
        return _spelled_date(value, _with_calendar(forms.day, value, forms), locale)

    def full_date(value: dt.date) -> str:
        return _spelled_date(value, _with_calendar(forms.full_date, value, forms), locale)

    def clock(value: dt.time | dt.datetime) -> str:
        text = str(format_time(value, forms.clock, locale=locale))
        # Babel writes a narrow no-break space before AM/PM and "p. m." in Spanish; keep plain spaces.
        return text.replace("\u202f", " ").replace("\xa0", " ")

    def moment(value: Moment) -> str:
        if value.time is None:
            return day(value.date)
        pattern = forms.at
        if value.time.hour % 12 == 1 and forms.at_one is not None:
            pattern = forms.at_one
        return pattern.format(time=clock(value.time), day=day(value.date))

    def number(value: float) -> str:
        # At most one decimal, as the locale writes it (US Spanish, like US thermometers, uses a point).
        return str(format_decimal(value, format="#,##0.#", locale=locale))

    return {"day": day, "full_date": full_date, "clock": clock, "moment": moment, "number": number}
