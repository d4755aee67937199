"""Language-aware formatting of dates, times and numbers, exposed to templates as Jinja2 filters.

Templates write `{{ dates.activity_until | day }}` and get "Friday, February 13" (English) or
"viernes 13 de febrero" (Spanish): the reader never does date arithmetic.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from babel.dates import format_date, format_time
from babel.numbers import format_decimal

LOCALES = {"en": "en_US", "es": "es_US"}
# Babel patterns: weekday and month spelled out; the year only where a reader needs it.
_DAY = {"en": "EEEE, MMMM d", "es": "EEEE d 'de' MMMM"}
_FULL_DATE = {"en": "MMMM d, y", "es": "d 'de' MMMM 'de' y"}
_CLOCK = {"en": "h:mm a", "es": "h:mm a"}
_AT = {"en": "{time} on {day}", "es": "{day} a las {time}"}
# Spanish says "a las 2:30" but "a la 1:30": one o'clock (1 AM or 1 PM) takes the singular article.
_AT_ONE = {"es": "{day} a la {time}"}


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
    locale = LOCALES[language]

    def day(value: dt.date) -> str:
        return _spelled_date(value, _DAY[language], locale)

    def full_date(value: dt.date) -> str:
        return _spelled_date(value, _FULL_DATE[language], locale)

    def clock(value: dt.time | dt.datetime) -> str:
        text = str(format_time(value, _CLOCK[language], locale=locale))
        # Babel writes a narrow no-break space before AM/PM and "p. m." in Spanish; keep plain spaces.
        return text.replace("\u202f", " ").replace("\xa0", " ")

    def moment(value: Moment) -> str:
        if value.time is None:
            return day(value.date)
        pattern = _AT[language]
        if value.time.hour % 12 == 1:
            pattern = _AT_ONE.get(language, pattern)
        return pattern.format(time=clock(value.time), day=day(value.date))

    def number(value: float) -> str:
        # At most one decimal, as the locale writes it (US Spanish, like US thermometers, uses a point).
        return str(format_decimal(value, format="#,##0.#", locale=locale))

    return {"day": day, "full_date": full_date, "clock": clock, "moment": moment, "number": number}
