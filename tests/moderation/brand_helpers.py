"""Helpers for the brand's tests (official replies, canned replies, cases, webhooks): one signed-in
TestClient per person, and posts of forms with the session's CSRF token."""

from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response

from community.models import User
from tests.helpers import csrf_token, login


def client_for(app: FastAPI, user: User | None = None) -> TestClient:
    """A browser of its own: signed in as ``user``, or anonymous."""
    client = TestClient(app, base_url="https://testserver", headers={"Accept-Language": "en"})
    if user is not None:
        login(client, user)
    return client


def submit(client: TestClient, url: str, data: dict[str, str] | None = None, **kw: Any) -> Response:
    """POST a form as the browser does, with the CSRF token; redirects are not followed."""
    fields = {"csrf_token": csrf_token(client), **(data or {})}
    response: Response = client.post(url, data=fields, follow_redirects=False, **kw)
    return response


def api_post(client: TestClient, url: str, payload: dict[str, Any]) -> Response:
    """A JSON POST with the session cookie (and so the CSRF header)."""
    response: Response = client.post(
        url, json=payload, headers={"X-CSRF-Token": csrf_token(client)}
    )
    return response
