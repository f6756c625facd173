"""Gettext catalogs (Babel), language negotiation and locale-aware formatting.

Source strings are English msgids. Catalogs live in community/locale and are compiled by `make`.
"""

from datetime import UTC, date, datetime, timedelta, tzinfo
from functools import lru_cache
from gettext import NullTranslations, translation
from pathlib import Path
from typing import Self
from zoneinfo import ZoneInfo, available_timezones

from babel import Locale
from babel.dates import format_date, format_skeleton, format_time, format_timedelta
from babel.lists import format_list
from babel.numbers import format_decimal

from community.clock import as_utc

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
LANGUAGE_NAMES = {"it": "Italiano", "en": "English"}


def N_(message: str) -> str:
    """Marks a string for extraction; it is translated later, where the reader is known."""
    return message


class Label(str):
    """A parameter of a message that is itself a msgid (mark it with ``N_`` for extraction): the
    reader gets it translated along with the message."""


class Plural(str):
    """A message whose words follow a number, for a service to raise or flash: the singular
    msgid, carrying the plural one and the number (``%(num)s`` in both). The reader gets the form
    their language uses for that number (``translate``)."""

    plural: str
    num: int

    def __new__(cls, singular: str, plural: str, num: int) -> Self:
        message = super().__new__(cls, singular)
        message.plural = plural
        message.num = num
        return message


@lru_cache
def translations(language: str) -> NullTranslations:
    return translation("messages", localedir=LOCALE_DIR, languages=[language], fallback=True)


def gettext(language: str, message: str) -> str:
    return translations(language).gettext(message)


def ngettext(language: str, singular: str, plural: str, n: int) -> str:
    return translations(language).ngettext(singular, plural, n)


def translate(language: str, message: str) -> str:
    """A msgid in ``language``; a Plural in the form its number asks for."""
    if isinstance(message, Plural):
        return ngettext(language, message, message.plural, message.num)
    return gettext(language, message)


def negotiate(
    *,
    user_language: str | None,
    accept_language: str | None,
    supported: tuple[str, ...],
    default: str,
) -> str:
    """The user's setting, else the best Accept-Language match, else the instance default."""
    if user_language in supported:
        return user_language
    for candidate in _parse_accept_language(accept_language or ""):
        primary = candidate.split("-")[0].lower()
        if primary in supported:
            return primary
    return default


def _parse_accept_language(header: str) -> list[str]:
    weighted: list[tuple[float, int, str]] = []
    for index, part in enumerate(header.split(",")):
        pieces = part.strip().split(";")
        tag = pieces[0].strip()
        if not tag or tag == "*":
            continue
        quality = 1.0
        for param in pieces[1:]:
            key, _, value = param.strip().partition("=")
            if key == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality > 0:
            weighted.append((-quality, index, tag))
    return [tag for _, _, tag in sorted(weighted)]


# One way of writing a moment for people, everywhere: the date as the reader's language writes it
# ("Nov 20, 2026"; "20 nov 2026"), with the time to the minute when the time matters, in the
# reader's time zone and naming it ("Nov 20, 2026, 10:00 AM CET"; "20 nov 2026, 10:00 CET").
# Stored values are UTC; seconds are never shown.
def format_when(value: datetime, language: str, zone: tzinfo = UTC) -> str:
    """A date with its time of day, to the minute, in ``zone``."""
    locale = Locale.parse(language)
    local = as_utc(value).astimezone(zone)
    both = str(locale.datetime_formats["medium"])  # how the language joins a date and a time
    day = format_date(local.date(), format="medium", locale=locale)
    time = format_time(local.time(), format="short", locale=locale)
    return both.replace("{1}", day).replace("{0}", time) + f" {local.tzname() or 'UTC'}"


def format_day(value: date, language: str, zone: tzinfo = UTC) -> str:
    """The date alone, for when the time of day is noise (a moment's date in ``zone``)."""
    if isinstance(value, datetime):
        value = as_utc(value).astimezone(zone).date()
    return format_date(value, format="medium", locale=Locale.parse(language))


@lru_cache(maxsize=1)
def time_zones() -> tuple[str, ...]:
    """The IANA time zone names a reader may choose, sorted ("Europe/Rome"; no legacy aliases
    such as "CET" or "US/Eastern")."""
    regions = (
        name
        for name in available_timezones()
        if "/" in name and not name.startswith(("Etc/", "SystemV/", "US/"))
    )
    return (*sorted(regions), "UTC")


@lru_cache(maxsize=1)
def _time_zone_names() -> frozenset[str]:
    return frozenset(time_zones())


def is_time_zone(name: str | None) -> bool:
    """Whether ``name`` is one of ``time_zones()`` (asked on every request: a set, not a scan)."""
    return name in _time_zone_names()


def zone(chosen: str | None, default: str) -> ZoneInfo:
    """The reader's time zone: the one they chose, else the community's."""
    return ZoneInfo(chosen if chosen is not None and is_time_zone(chosen) else default)


def format_month(value: date, language: str) -> str:
    """A month and its year: "November 2026"; "novembre 2026"."""
    return format_skeleton("yMMMM", value, locale=Locale.parse(language))


def format_day_month(value: date, language: str) -> str:
    """A day and month without the year, for a short axis label: "Nov 16"; "16 nov"."""
    return format_skeleton("MMMd", value, locale=Locale.parse(language))


JUST_NOW = timedelta(seconds=30)


def format_ago(value: datetime, now: datetime, language: str) -> str:
    """ "3 hours ago"; "just now" for the last half minute (Babel says "in 0 seconds")."""
    if abs(now - value) < JUST_NOW:
        return gettext(language, N_("just now"))
    return format_timedelta(
        value - now, add_direction=True, locale=Locale.parse(language), threshold=1.0
    )


def format_number(value: int | float, language: str) -> str:
    return format_decimal(value, locale=Locale.parse(language))


# The units of a duration: abbreviations, so each language has its own ("2 g 4 h" in Italian).
DAYS = N_("%(days)s d")
HOURS = N_("%(hours)s h")
MINUTES = N_("%(minutes)s min")
MINUTE, HOUR, DAY = 60, 3600, 86_400
WEEK = 7 * DAY


def format_duration(seconds: float, language: str, *, coarse: bool = False) -> str:
    """A time in words, to the minute: "45 min", "3 h 20 min", from two days on "2 d 4 h" (in
    Italian "2 g 4 h"); a second unit at zero is left out ("1 h", "3 d").

    ``coarse`` is for a wait still running, on a page that refreshes: cut down (never ahead of
    the clock) to the minute in the first hour, then to the hour, and from a week on to the day
    ("40 min", "26 h", "3 d 2 h", "119 d"), so it does not change at every refresh."""
    if coarse:
        seconds = max(0, int(seconds))
        seconds -= seconds % _coarse_unit(seconds)
    minutes = max(0, round(seconds / 60))
    if minutes < 60:
        parts = [(MINUTES, "minutes", minutes)]
    else:
        hours, minutes = divmod(minutes, 60)
        if hours < 48:
            parts = [(HOURS, "hours", hours), (MINUTES, "minutes", minutes)]
        else:
            days, hours = divmod(hours, 24)
            parts = [(DAYS, "days", days), (HOURS, "hours", hours)]
    words = [
        gettext(language, message) % {name: format_number(value, language)}
        for index, (message, name, value) in enumerate(parts)
        if value or index == 0
    ]
    return format_list(words, style="unit-narrow", locale=Locale.parse(language))


def _coarse_unit(seconds: int) -> int:
    if seconds < HOUR:
        return MINUTE
    return DAY if seconds >= WEEK else HOUR
