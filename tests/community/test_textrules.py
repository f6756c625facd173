"""NUL and other control characters are refused with a clear message wherever text comes in
(PostgreSQL cannot store NUL at all, so letting one through would be a 500 there)."""

import pytest
from sqlmodel import func, select

from community.errors import Invalid
from community.models import ApiToken, Thread
from community.textrules import reject_control_characters
from tests.factories import api_headers, make_category, make_user


def test_newlines_are_text_in_bodies_but_nul_never_is() -> None:
    assert reject_control_characters("line\nnext\tcol", field="body", multiline=True)
    with pytest.raises(Invalid) as caught:
        reject_control_characters("a\x00b", field="body", multiline=True)
    assert caught.value.field == "body"
    with pytest.raises(Invalid):
        reject_control_characters("title\nsplit", field="title")


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"title": "Fibre down \x00 again", "body": "It is down."}, "title"),
        ({"title": "Fibre down again", "body": "Down\x07 since noon."}, "body"),
    ],
)
def test_api_refuses_control_characters_in_a_new_thread(
    client, session, clock, payload, field
) -> None:
    author = make_user(session, clock)
    make_category(session, slug="fibra")
    response = client.post(
        "/api/v1/threads",
        json={"category": "fibra", "tags": [], **payload},
        headers=api_headers(session, clock, author),
    )
    assert response.status_code == 422
    assert "control characters" in response.json()["detail"]
    assert response.json()["field"] == field
    assert session.exec(select(func.count()).select_from(Thread)).one() == 0


def test_api_refuses_a_token_name_with_nul(client, session, clock) -> None:
    user = make_user(session, clock)
    headers = api_headers(session, clock, user)
    response = client.post("/api/v1/me/tokens", json={"name": "\x00"}, headers=headers)
    assert response.status_code == 422
    assert "control characters" in response.json()["detail"]
    session.expire_all()
    assert session.exec(select(func.count()).select_from(ApiToken)).one() == 1


@pytest.mark.parametrize(
    "path",
    ["/api/v1/users/ab%00cd", "/api/v1/threads?category=fi%00bra", "/c/fi%00bra", "/u/ab%00cd"],
)
def test_lookups_with_nul_are_bad_input_not_server_errors(client, path: str) -> None:
    response = client.get(path)
    assert 400 <= response.status_code < 500
