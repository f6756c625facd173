"""Helpers for the brand's tests (official replies, canned replies, cases, webhooks): one signed-in
TestClient per person, and posts of forms with the session's CSRF token."""

from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response
from sqlmodel import Session, col, select

from community.clock import Clock
from community.models import Post, Thread, User
from community.policy import Guardian
from moderation import cases
from moderation.models import SupportCase
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


def open_case(
    session: Session, clock: Clock, moderator: User, thread: Thread | None = None
) -> SupportCase:
    """A high-priority "Double charge" case taken from ``thread``'s question (by default the
    first question written)."""
    query = select(Post).where(col(Post.post_number) == 1).order_by(col(Post.id))
    if thread is not None:
        query = query.where(col(Post.thread_id) == thread.id)
    question = session.exec(query).first()
    assert question is not None
    return cases.open_case(
        session,
        Guardian(moderator),
        question,
        subject="Double charge",
        priority="high",
        body="Which invoice is it?",
        clock=clock,
    )
