"""Claims: claim, release, reassign; everyone sees the owner; others are warned before replying."""

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlmodel import Session, col, select

from community.errors import Conflict, Forbidden, Invalid
from community.events import OutboxEvent
from community.models import Post, Role, Thread
from community.policy import Guardian
from moderation import care, claims
from moderation.models import AuditEntry, CareThread
from tests.factories import make_category, make_thread, make_user
from tests.helpers import csrf_token, login


@pytest.fixture
def people(session, clock):
    return {
        "mara": make_user(session, clock, username="mara", role=Role.moderator),
        "luca": make_user(session, clock, username="luca", role=Role.moderator),
        "asker": make_user(session, clock, username="asker"),
        "member": make_user(session, clock, username="member"),
    }


@pytest.fixture
def thread(session, clock, people):
    return make_thread(session, clock, author=people["asker"], category=make_category(session))


def _events(session: Session, name: str) -> list[OutboxEvent]:
    return [e for e in session.exec(select(OutboxEvent)) if e.name == name]


def test_claim_release_and_reassign_record_events_and_audit(session, clock, people, thread):
    mara, luca = people["mara"], people["luca"]
    row = claims.claim(session, Guardian(mara), thread, clock=clock)  # no care row yet: built
    assert row.assignee_id == mara.id and row.claimed_at == clock.now()
    holder = claims.owner(session, thread)
    assert holder is not None and holder.id == mara.id
    with pytest.raises(Conflict):
        claims.claim(session, Guardian(luca), thread, clock=clock)
    claims.assign(session, Guardian(luca), thread, to=luca, clock=clock)
    assert session.get(CareThread, thread.id).assignee_id == luca.id
    claims.release(session, Guardian(mara), thread, clock=clock)
    assert claims.owner(session, thread) is None
    claimed = [e.data for e in _events(session, "thread_claimed")]
    released = [e.data for e in _events(session, "thread_released")]
    assert claimed == [
        {"moderator_id": mara.id, "by_id": mara.id},
        {"moderator_id": luca.id, "by_id": luca.id},
    ]
    assert released == [
        {"moderator_id": mara.id, "by_id": luca.id},
        {"moderator_id": luca.id, "by_id": mara.id},
    ]
    actions = [a.action for a in session.exec(select(AuditEntry).order_by(col(AuditEntry.id)))]
    assert actions == ["thread_claimed", "thread_reassigned", "thread_released"]


def test_only_moderators_claim_and_only_moderators_are_assigned(session, clock, people, thread):
    with pytest.raises(Forbidden):
        claims.claim(session, Guardian(people["member"]), thread, clock=clock)
    with pytest.raises(Invalid):
        claims.assign(session, Guardian(people["mara"]), thread, to=people["member"], clock=clock)


def test_everyone_sees_who_owns_a_thread(session, clock, people, thread, client):
    claims.claim(session, Guardian(people["mara"]), thread, clock=clock)
    anonymous = client.get(f"/t/{thread.id}")
    assert "Claimed by Mara" in anonymous.text
    login(client, people["member"])
    page = client.get(f"/t/{thread.id}")
    assert "Claimed by Mara" in page.text
    assert f'action="/mod/threads/{thread.id}/release"' not in page.text  # no buttons for members


def test_claiming_from_the_thread_page_with_and_without_htmx(
    session, clock, people, thread, client
):
    login(client, people["mara"])
    token = csrf_token(client)
    response = client.post(
        f"/mod/threads/{thread.id}/claim",
        data={"csrf_token": token, "next": f"/t/{thread.id}"},
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"] == f"/t/{thread.id}"
    partial = client.post(
        f"/mod/threads/{thread.id}/assign",
        data={"moderator": str(people["luca"].id), "next": f"/t/{thread.id}"},
        headers={"HX-Request": "true", "X-CSRF-Token": token},
    )
    assert partial.status_code == 200
    assert partial.text.lstrip().startswith(f'<div id="claim-{thread.id}"')
    assert "Claimed by Luca" in partial.text
    api = client.post(
        f"/api/v1/moderation/threads/{thread.id}/release", headers={"X-CSRF-Token": token}
    )
    assert api.status_code == 200 and api.json()["assignee"] is None
    bad = client.post(
        f"/api/v1/moderation/threads/{thread.id}/assign",
        json={"moderator_id": people["member"].id},
        headers={"X-CSRF-Token": token},
    )
    assert bad.status_code == 422


def test_a_claim_someone_else_won_says_so_at_the_top_of_the_page(
    session, clock, people, thread, client
):
    claims.claim(session, Guardian(people["luca"]), thread, clock=clock)
    login(client, people["mara"])
    late = client.post(
        f"/mod/threads/{thread.id}/claim",
        data={"next": "/mod/queue"},
        headers={"HX-Request": "true", "X-CSRF-Token": csrf_token(client)},
    )
    assert late.status_code == 409
    assert late.headers["HX-Retarget"] == "#flash"  # base.html swaps it into the page's alert
    assert "Luca" in late.text and 'class="flash error"' in late.text
    assert 'id="flash" role="alert"' in client.get("/mod/queue").text


def test_assigning_needs_a_moderators_number(session, clock, people, thread, client):
    login(client, people["mara"])
    for moderator in ("", "abc", "²", "99999999999", str(people["member"].id)):
        response = client.post(
            f"/mod/threads/{thread.id}/assign",
            data={"csrf_token": csrf_token(client), "moderator": moderator},
            follow_redirects=False,
        )
        assert response.status_code == 422, moderator
        assert "Choose a moderator." in response.text
    assert claims.owner(session, thread) is None


def _reply(client: TestClient, thread: Thread, body: str, **extra: str) -> Response:
    response: Response = client.post(
        f"/t/{thread.id}/posts",
        data={"csrf_token": csrf_token(client), "body": body, **extra},
        follow_redirects=False,
    )
    return response


def test_another_moderator_is_warned_before_replying_to_a_claimed_thread(
    session, clock, people, thread, client
):
    claims.claim(session, Guardian(people["mara"]), thread, clock=clock)
    login(client, people["luca"])
    page = client.get(f"/t/{thread.id}")
    assert "Claimed by Mara — reply anyway?" in page.text
    assert 'name="confirm"' in page.text
    refused = _reply(client, thread, "We are looking into it.")
    assert refused.status_code == 409
    assert "Claimed by Mara — reply anyway?" in refused.text
    assert "We are looking into it." in refused.text  # what they typed is kept
    assert session.exec(select(Post).where(Post.thread_id == thread.id)).all()[-1].post_number == 1
    htmx = client.post(
        f"/t/{thread.id}/posts",
        data={"body": "Still looking."},
        headers={"HX-Request": "true", "X-CSRF-Token": csrf_token(client)},
    )
    assert htmx.status_code == 409 and 'name="confirm"' in htmx.text
    accepted = _reply(client, thread, "We are looking into it.", confirm="1")
    assert accepted.status_code == 303
    assert len(session.exec(select(Post).where(Post.thread_id == thread.id)).all()) == 2


def test_the_api_asks_another_moderator_to_confirm_a_reply_to_a_claimed_thread(
    session, clock, people, thread, client
):
    claims.claim(session, Guardian(people["mara"]), thread, clock=clock)
    login(client, people["luca"])
    url, headers = f"/api/v1/threads/{thread.id}/posts", {"X-CSRF-Token": csrf_token(client)}
    refused = client.post(url, json={"body": "We are looking into it."}, headers=headers)
    assert refused.status_code == 409
    assert refused.json()["field"] == "confirm"
    assert "Claimed by Mara" in refused.json()["detail"]
    assert len(session.exec(select(Post).where(Post.thread_id == thread.id)).all()) == 1
    body = {"body": "We are looking into it.", "confirm": True}
    accepted = client.post(url, json=body, headers=headers)
    assert accepted.status_code == 201 and accepted.json()["body"] == "We are looking into it."


def test_the_claim_holder_and_members_reply_without_a_warning(
    session, clock, people, thread, client
):
    claims.claim(session, Guardian(people["mara"]), thread, clock=clock)
    login(client, people["mara"])
    assert "reply anyway" not in client.get(f"/t/{thread.id}").text
    assert _reply(client, thread, "On it, thank you for waiting.").status_code == 303
    other = TestClient(client.app, base_url="https://testserver", headers={"Accept-Language": "en"})
    login(other, people["member"])
    assert "reply anyway" not in other.get(f"/t/{thread.id}").text
    assert _reply(other, thread, "Same problem here.").status_code == 303


def test_two_moderators_claiming_at_once_the_second_is_told(session, clock, people, thread, db):
    mara, luca = people["mara"], people["luca"]
    care.ensure_row(session, thread, now=clock.now())
    session.commit()
    stale = session.get(CareThread, thread.id)  # mara's page: unclaimed
    assert stale is not None and stale.assignee_id is None
    with Session(db, expire_on_commit=False) as other:
        other_thread = other.get(Thread, thread.id)
        assert other_thread is not None
        claims.claim(other, Guardian(luca), other_thread, clock=clock)
    with pytest.raises(Conflict):
        claims.claim(session, Guardian(mara), thread, clock=clock)
    session.expire_all()
    holder = claims.owner(session, thread)
    assert holder is not None and holder.id == luca.id
    assert len(_events(session, "thread_claimed")) == 1
