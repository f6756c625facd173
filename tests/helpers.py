"""Helpers for HTTP tests: sign in through the real login form, read the session's CSRF token."""

import re
from typing import Any

from fastapi.testclient import TestClient
from httpx import Response
from sqlmodel import Session

from community.models import User
from tests.factories import PASSWORD

_CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_token(client: TestClient) -> str:
    """The CSRF token of the client's current session (signed in or not), read from a page."""
    response = client.get("/login", follow_redirects=False)
    if response.status_code != 200:  # signed in: /login redirects, /settings renders
        response = client.get("/settings", follow_redirects=False)
    assert response.status_code == 200, response.text
    match = _CSRF_INPUT.search(response.text)
    assert match is not None, "no CSRF token in the page"
    return match.group(1)


def login(client: TestClient, user: User | str, password: str = PASSWORD) -> Response:
    """Log ``user`` (a User or a username) in on ``client`` via POST /login; asserts success."""
    username = user if isinstance(user, str) else user.username
    response: Response = client.post(
        "/login",
        data={"csrf_token": csrf_token(client), "username": username, "password": password},
        follow_redirects=False,
    )
    assert response.status_code == 303, f"login failed for {username}: {response.text[:500]}"
    return response


def sqlite_plan(session: Session, statement: Any) -> str:
    """SQLite's EXPLAIN QUERY PLAN of a SQLAlchemy statement, its steps joined by " | "."""
    compiled = statement.compile(
        dialect=session.get_bind().dialect, compile_kwargs={"render_postcompile": True}
    )
    params = compiled.construct_params()
    args = tuple(params[name] for name in compiled.positiontup or ())
    rows = session.connection().exec_driver_sql("EXPLAIN QUERY PLAN " + str(compiled), args)
    return " | ".join(str(row[-1]) for row in rows.all())
