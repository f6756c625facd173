"""Domain errors raised by services; main.py maps them to HTTP statuses.

Messages are English msgids, translated for the reader at the HTTP boundary, with
``params`` interpolated after translation.
"""

from typing import Any


class DomainError(Exception):
    status_code = 400

    def __init__(self, message: str, *, field: str | None = None, **params: Any) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.params = params


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


class RateLimited(DomainError):
    status_code = 429
