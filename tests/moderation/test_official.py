"""Official replies: a moderator's reply carries the badge and the brand's name (page and JSON),
can be the accepted solution, and search's "has official answer" means the same thing."""

import pytest
from sqlmodel import Session

from community import posting
from community.clock import FrozenClock
from community.models import Role
from community.policy import Guardian
from community.settings import get_settings
from search import documents
from tests.factories import make_category, make_reply, make_thread, make_user
from tests.moderation.brand_helpers import client_for, submit

BADGE = "Official · " + get_settings().brand_name


@pytest.fixture
def scene(session: Session, clock: FrozenClock):
    asker = make_user(session, clock, username="asker")
    member = make_user(session, clock, username="member")
    moderator = make_user(session, clock, username="mod", role=Role.moderator)
    admin = make_user(session, clock, username="boss", role=Role.admin)
    thread = make_thread(session, clock, author=asker, category=make_category(session))
    return asker, member, moderator, admin, thread


def _post_html(page: str, post_id: int | None) -> str:
    start = page.index(f'<article id="post-{post_id}"')
    return page[start : page.index("</article>", start)]


def test_moderator_and_admin_replies_show_the_official_badge_with_the_brand(
    app, session, clock, scene
):
    _asker, member, moderator, admin, thread = scene
    by_member = make_reply(session, clock, author=member, thread=thread, body="Try a reboot.")
    by_mod = make_reply(session, clock, author=moderator, thread=thread, body="We fixed it.")
    by_admin = make_reply(session, clock, author=admin, thread=thread, body="Confirmed.")
    page = client_for(app).get(f"/t/{thread.id}").text
    assert BADGE in _post_html(page, by_mod.id)
    assert BADGE in _post_html(page, by_admin.id)
    assert BADGE not in _post_html(page, by_member.id)
    assert "Official" not in _post_html(page, by_member.id)


def test_a_moderators_own_question_is_not_an_official_reply(app, session, clock, scene):
    *_, moderator, _admin, _thread = scene
    question = make_thread(session, clock, author=moderator, category=make_category(session))
    page = client_for(app).get(f"/t/{question.id}").text
    post = posting.load_thread_page(session, Guardian(None), question).question
    assert not post.is_official
    assert BADGE not in _post_html(page, post.post.id)


def test_the_api_says_official_and_names_the_brand(app, session, clock, scene):
    _asker, member, moderator, _admin, thread = scene
    make_reply(session, clock, author=member, thread=thread)
    make_reply(session, clock, author=moderator, thread=thread)
    posts = client_for(app).get(f"/api/v1/threads/{thread.id}").json()["posts"]
    flags = [(p["author"]["username"], p["official"], p["brand"]) for p in posts]
    assert flags == [
        ("asker", False, None),
        ("member", False, None),
        ("mod", True, get_settings().brand_name),
    ]


def test_a_deleted_moderator_reply_is_no_longer_official(session, clock, scene):
    *_, moderator, _admin, thread = scene
    reply = make_reply(session, clock, author=moderator, thread=thread)
    assert posting.post_view(session, Guardian(None), reply).is_official
    posting.delete_post(session, Guardian(moderator), reply, clock=clock)
    assert not posting.post_view(session, Guardian(None), reply).is_official


@pytest.mark.parametrize("accepter", ["asker", "mod"])
def test_the_asker_or_a_moderator_accepts_an_official_reply_as_the_solution(
    app, session, clock, scene, accepter
):
    asker, _member, moderator, _admin, thread = scene
    reply = make_reply(session, clock, author=moderator, thread=thread, body="Official fix.")
    browser = client_for(app, asker if accepter == "asker" else moderator)
    response = submit(browser, f"/t/{thread.id}/solution", {"post_id": str(reply.id)})
    assert response.status_code == 303
    page = browser.get(f"/t/{thread.id}").text
    assert "Accepted solution" in _post_html(page, reply.id)
    assert BADGE in _post_html(page, reply.id)


def test_the_solution_box_calls_an_official_solution_official_like_the_post(
    app, session, clock, scene
):
    """Under the question the box said "Staff" of the reply its post calls "Official"."""
    asker, _member, moderator, _admin, thread = scene
    reply = make_reply(session, clock, author=moderator, thread=thread, body="Official fix.")
    browser = client_for(app, asker)
    submit(browser, f"/t/{thread.id}/solution", {"post_id": str(reply.id)})
    page = browser.get(f"/t/{thread.id}").text
    box = page[page.index('<section id="solution-box"') :]
    box = box[: box.index("</section>")]
    assert BADGE in box
    assert "Staff" not in box


def test_another_member_cannot_accept_an_official_reply(app, session, clock, scene):
    _asker, member, moderator, _admin, thread = scene
    reply = make_reply(session, clock, author=moderator, thread=thread)
    response = submit(
        client_for(app, member), f"/t/{thread.id}/solution", {"post_id": str(reply.id)}
    )
    assert response.status_code == 403


def test_search_has_official_answer_uses_the_same_definition(session, clock, scene):
    asker, member, moderator, _admin, thread = scene
    make_reply(session, clock, author=asker, thread=thread)
    make_reply(session, clock, author=member, thread=thread)
    document = documents.thread_document(session, thread.id)
    assert document is not None and document["has_official_answer"] is False
    official = make_reply(session, clock, author=moderator, thread=thread)
    document = documents.thread_document(session, thread.id)
    assert document is not None and document["has_official_answer"] is True
    posting.delete_post(session, Guardian(moderator), official, clock=clock)
    document = documents.thread_document(session, thread.id)
    assert document is not None and document["has_official_answer"] is False
