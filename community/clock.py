"""The one source of "now": aware UTC datetimes, replaceable in tests."""

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FrozenClock:
    def __init__(self, at: datetime | None = None) -> None:
        self._now = at or datetime(2026, 1, 15, 9, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta | None = None, **kwargs: float) -> datetime:
        self._now += delta if delta is not None else timedelta(**kwargs)
        return self._now

    def set(self, at: datetime) -> None:
        self._now = at


def as_utc(value: datetime) -> datetime:
    """SQLite hands back naive datetimes; every stored value is UTC, so say so."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
