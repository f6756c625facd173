"""Domain errors raised by services; main.py maps them to HTTP statuses.

Messages are English msgids, translated for the reader at the HTTP boundary, with
``params`` interpolated after translation.
"""

from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


class DomainError(Exception):
    status_code = 400

    def __init__(self, message: str, *, field: str | None = None, **params: Any) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.params = params
        # Problems with other fields of the same form, so a form can show them all at once.
        self.also: list[DomainError] = []


class NotAuthenticated(DomainError):
    status_code = 401


class Forbidden(DomainError):
    status_code = 403


class NotFound(DomainError):
    status_code = 404


class Conflict(DomainError):
    status_code = 409


class Invalid(DomainError):
    status_code = 422


class TooLarge(DomainError):
    status_code = 413


class UnsupportedMediaType(DomainError):
    status_code = 415


class RateLimited(DomainError):
    status_code = 429


class Problems:
    """Runs a form's checks and keeps every field's first problem, so the person fixes them in
    one go instead of meeting them one by one."""

    def __init__(self) -> None:
        self.found: list[DomainError] = []

    def check(self, run: Callable[[], T]) -> T | None:
        """``run()``'s value, or None when it raised an Invalid or a Conflict (kept)."""
        try:
            return run()
        except (Invalid, Conflict) as exc:
            for problem in (exc, *exc.also):
                self.add(problem)
            return None

    def add(self, problem: DomainError) -> None:
        if all(seen.field != problem.field for seen in self.found):
            self.found.append(problem)

    def raise_any(self) -> None:
        """Raise the first problem, carrying the others in ``also``."""
        if self.found:
            first, *others = self.found
            first.also = others
            raise first
