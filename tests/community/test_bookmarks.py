"""Bookmarks: members save a question or an answer to find it again, on the thread page (with and
without JavaScript) and on their Bookmarks page; a post they may no longer read leaves the list
and comes back with it; nobody reaches anyone else's bookmarks."""

import re

import pytest
from sqlmodel import Session, func, select

from community import bookmarks, posting, visibility
from community.clock import FrozenClock
from community.errors import Conflict, Invalid, NotAuthenticated, NotFound
from community.models import Bookmark, HiddenReason, Post, Role, Thread, User
from community.policy import Guardian
from community.settings import get_settings
from tests.factories import make_category, make_reply, make_thread, make_user
from tests.moderation.brand_helpers import client_for, submit

HTMX = {"HX-Request": "true"}


@pytest.fixture
def asker(session: Session, clock: FrozenClock) -> User:
    return make_user(session, clock, username="asker")


@pytest.fixture
def helper(session: Session, clock: FrozenClock) -> User:
    return make_user(session, clock, username="helper")


@pytest.fixture
def reader(session: Session, clock: FrozenClock) -> User:
    return make_user(session, clock, username="reader")


@pytest.fixture
def thread(session: Session, clock: FrozenClock, asker: User) -> Thread:
    return make_thread(
        session,
        clock,
        author=asker,
        category=make_category(session),
        title="Modem blinks red after the storm",
        body="Since the storm the modem blinks red and nothing loads. What can I check?",
    )


@pytest.fixture
def reply(session: Session, clock: FrozenClock, helper: User, thread: Thread) -> Post:
    clock.advance(minutes=1)
    return make_reply(
        session, clock, author=helper, thread=thread, body="Unplug the modem for **ten** seconds."
    )


def _question(session: Session, thread: Thread) -> Post:
    post = session.exec(
        select(Post).where(Post.thread_id == thread.id, Post.post_number == 1)
    ).one()
    return post


def _button(html: str, post: Post) -> str:
    match = re.search(rf'<form id="bookmark-{post.id}".*?</form>', html, re.DOTALL)
    assert match is not None, f"no bookmark button for post {post.id}"
    return match.group(0)


def _saved_titles(html: str) -> list[str]:
    return re.findall(r'<h3 class="bookmark-row-title"><a href="/p/\d+">([^<]*)</a>', html)


def _count(session: Session) -> int:
    session.expire_all()
    return int(session.exec(select(func.count()).select_from(Bookmark)).one())


# --- the thread page ----------------------------------------------------------------------------


def test_saving_a_reply_without_javascript_goes_back_to_it_and_presses_the_button(
    app, session, thread, reply, reader
):
    browser = client_for(app, reader)
    page = browser.get(f"/t/{thread.id}").text
    button = _button(page, reply)
    assert 'aria-pressed="false"' in button
    assert f'action="/p/{reply.id}/bookmark"' in button
    assert ">Save</span>" in button

    response = submit(browser, f"/p/{reply.id}/bookmark")
    assert response.status_code == 303
    assert response.headers["location"] == f"/t/{thread.id}#post-{reply.id}"

    button = _button(browser.get(f"/t/{thread.id}").text, reply)
    assert 'aria-pressed="true"' in button
    assert f'action="/p/{reply.id}/bookmark/delete"' in button
    # the question keeps its own, unpressed button
    assert 'aria-pressed="false"' in _button(
        browser.get(f"/t/{thread.id}").text, _question(session, thread)
    )

    response = submit(browser, f"/p/{reply.id}/bookmark/delete")
    assert response.status_code == 303
    assert 'aria-pressed="false"' in _button(browser.get(f"/t/{thread.id}").text, reply)
    assert _count(session) == 0


def test_with_htmx_the_button_comes_back_pressed_then_released(app, session, thread, reply, reader):
    browser = client_for(app, reader)
    saved = submit(browser, f"/p/{reply.id}/bookmark", headers=HTMX)
    assert saved.status_code == 200
    assert saved.text.startswith(f'<form id="bookmark-{reply.id}"')
    assert 'aria-pressed="true"' in saved.text

    removed = submit(browser, f"/p/{reply.id}/bookmark/delete", headers=HTMX)
    assert removed.status_code == 200
    assert 'aria-pressed="false"' in removed.text
    assert _count(session) == 0


def test_saving_twice_keeps_one_bookmark(app, session, thread, reply, reader):
    browser = client_for(app, reader)
    submit(browser, f"/p/{reply.id}/bookmark")
    submit(browser, f"/p/{reply.id}/bookmark")
    assert _count(session) == 1


def test_visitors_see_no_button_and_are_sent_to_log_in(app, session, thread, reply):
    visitor = client_for(app)
    assert f'id="bookmark-{reply.id}"' not in visitor.get(f"/t/{thread.id}").text

    response = submit(visitor, f"/p/{reply.id}/bookmark")
    assert response.status_code == 303
    assert response.headers["location"] == f"/login?next=/p/{reply.id}"
    assert visitor.get("/my/bookmarks", follow_redirects=False).headers["location"] == (
        "/login?next=/my/bookmarks"
    )
    assert _count(session) == 0


def test_a_form_without_its_csrf_token_is_refused(app, session, thread, reply, reader):
    browser = client_for(app, reader)
    response = browser.post(f"/p/{reply.id}/bookmark", data={}, follow_redirects=False)
    assert response.status_code == 403
    assert _count(session) == 0


def test_a_hidden_post_cannot_be_saved_by_others(app, session, clock, thread, reply, reader):
    moderator = make_user(session, clock, role=Role.moderator)
    visibility.hide_post(
        session, reply, reason=HiddenReason.moderator, by_id=moderator.id, now=clock.now()
    )
    session.commit()

    browser = client_for(app, reader)
    assert f'id="bookmark-{reply.id}"' not in browser.get(f"/t/{thread.id}").text
    assert submit(browser, f"/p/{reply.id}/bookmark").status_code == 404
    assert _count(session) == 0


# --- the Bookmarks page -------------------------------------------------------------------------


def test_the_page_lists_thread_excerpt_author_note_newest_first(
    app, session, clock, thread, reply, reader
):
    question = _question(session, thread)
    guardian = Guardian(reader)
    bookmarks.add_bookmark(session, guardian, reply, note="  try   this first ", clock=clock)
    clock.advance(hours=1)
    bookmarks.add_bookmark(session, guardian, question, clock=clock)

    page = client_for(app, reader).get("/my/bookmarks")
    assert page.status_code == 200
    html = page.text
    first, second = (
        html.index(f'id="bookmark-row-{question.id}"'),
        html.index(f'id="bookmark-row-{reply.id}"'),
    )
    assert first < second  # the latest saved first
    row = html[second:]
    assert "Modem blinks red after the storm" in row
    assert "Unplug the modem for ten seconds." in row  # the excerpt, as plain text
    assert "Helper" in row
    assert "try this first" in row
    assert 'href="/my/bookmarks"' in html  # the account menu links it


def test_the_page_is_paginated_and_htmx_gets_the_next_rows(
    app, session, clock, thread, reader, monkeypatch
):
    monkeypatch.setattr(get_settings(), "page_size", 2)
    posts = []
    for n in range(5):
        clock.advance(minutes=1)
        posts.append(make_reply(session, clock, author=reader, thread=thread, body=f"Step {n}."))
    for post in posts:
        clock.advance(minutes=1)
        bookmarks.add_bookmark(session, Guardian(reader), post, clock=clock)

    browser = client_for(app, reader)
    html = browser.get("/my/bookmarks").text
    assert re.findall(r'id="bookmark-row-(\d+)"', html) == [str(posts[4].id), str(posts[3].id)]
    next_url = re.search(r'href="(/my/bookmarks\?cursor=[^"]+)"', html)
    assert next_url is not None

    more = browser.get(next_url.group(1), headers=HTMX).text
    assert not more.lstrip().startswith("<!doctype")
    assert re.findall(r'id="bookmark-row-(\d+)"', more) == [str(posts[2].id), str(posts[1].id)]
    last_url = re.search(r'href="(/my/bookmarks\?cursor=[^"]+)"', more)
    assert last_url is not None
    last = browser.get(last_url.group(1)).text  # without JavaScript: a whole page
    assert re.findall(r'id="bookmark-row-(\d+)"', last) == [str(posts[0].id)]
    assert "More bookmarks" not in last


def test_a_hidden_post_leaves_the_list_and_comes_back_when_shown(
    app, session, clock, thread, reply, reader
):
    moderator = make_user(session, clock, role=Role.moderator)
    bookmarks.add_bookmark(session, Guardian(reader), reply, note="keep", clock=clock)
    browser = client_for(app, reader)
    assert _saved_titles(browser.get("/my/bookmarks").text) == [thread.title]

    visibility.hide_post(
        session, reply, reason=HiddenReason.moderator, by_id=moderator.id, now=clock.now()
    )
    session.commit()
    html = browser.get("/my/bookmarks").text
    assert _saved_titles(html) == []
    assert "Unplug the modem" not in html
    assert _count(session) == 1  # kept, out of sight

    assert moderator.id is not None
    visibility.unhide_post(session, reply, by_id=moderator.id, now=clock.now())
    session.commit()
    html = browser.get("/my/bookmarks").text
    assert _saved_titles(html) == [thread.title]
    assert "keep" in html


def test_held_hidden_thread_and_deleted_posts_leave_the_list(
    session, clock, asker, helper, thread, reply, reader
):
    guardian = Guardian(reader)
    bookmarks.add_bookmark(session, guardian, reply, clock=clock)
    bookmarks.add_bookmark(session, guardian, _question(session, thread), clock=clock)
    assert len(bookmarks.list_bookmarks(session, guardian).items) == 2

    visibility.hide_post(
        session, reply, reason=HiddenReason.personal_data, by_id=None, now=clock.now()
    )
    session.commit()
    assert [i.post.post_number for i in bookmarks.list_bookmarks(session, guardian).items] == [1]
    # the author of a held post still reads it, and keeps it on their own list
    bookmarks.add_bookmark(session, Guardian(helper), reply, clock=clock)
    assert len(bookmarks.list_bookmarks(session, Guardian(helper)).items) == 1

    visibility.hide_thread(
        session, thread, reason=HiddenReason.moderator, by_id=None, now=clock.now()
    )
    session.commit()
    assert bookmarks.list_bookmarks(session, guardian).items == []

    other = make_thread(session, clock, author=asker, category=make_category(session))
    answer = make_reply(session, clock, author=asker, thread=other)
    bookmarks.add_bookmark(session, guardian, answer, clock=clock)
    posting.delete_post(session, Guardian(asker), answer, clock=clock)
    assert bookmarks.list_bookmarks(session, guardian).items == []
    with pytest.raises(NotFound):
        bookmarks.add_bookmark(session, guardian, answer, clock=clock)


def test_a_note_is_edited_on_the_page_and_a_long_one_is_refused(
    app, session, clock, thread, reply, reader
):
    bookmarks.add_bookmark(session, Guardian(reader), reply, clock=clock)
    browser = client_for(app, reader)

    saved = submit(browser, f"/my/bookmarks/{reply.id}/note", {"note": "Worked for me"})
    assert saved.status_code == 303
    assert saved.headers["location"] == f"/my/bookmarks#bookmark-row-{reply.id}"
    page = browser.get("/my/bookmarks").text
    assert "Worked for me" in page
    assert "Note saved." in page

    too_long = "x" * 201
    refused = submit(browser, f"/my/bookmarks/{reply.id}/note", {"note": too_long})
    assert refused.status_code == 422
    assert "A note can have at most 200 characters." in refused.text
    assert f'value="{too_long}"' in refused.text  # what was typed stays in the box
    assert 'aria-invalid="true"' in refused.text

    with_htmx = submit(browser, f"/my/bookmarks/{reply.id}/note", {"note": too_long}, headers=HTMX)
    assert with_htmx.status_code == 422
    assert with_htmx.text.startswith(f'<article class="bookmark-row" id="bookmark-row-{reply.id}"')
    assert "A note can have at most 200 characters." in with_htmx.text

    session.expire_all()
    assert session.exec(select(Bookmark)).one().note == "Worked for me"


def test_a_refused_note_shows_its_row_even_from_a_later_page(
    app, session, clock, thread, reply, reader, monkeypatch
):
    monkeypatch.setattr(get_settings(), "page_size", 1)
    bookmarks.add_bookmark(session, Guardian(reader), reply, clock=clock)
    clock.advance(minutes=1)
    bookmarks.add_bookmark(session, Guardian(reader), _question(session, thread), clock=clock)
    browser = client_for(app, reader)
    assert f'id="bookmark-row-{reply.id}"' not in browser.get("/my/bookmarks").text

    refused = submit(browser, f"/my/bookmarks/{reply.id}/note", {"note": "y" * 300})
    assert refused.status_code == 422
    assert f'id="bookmark-row-{reply.id}"' in refused.text
    assert f'id="note-{reply.id}-error"' in refused.text


def test_removing_from_the_page_takes_the_row_away(app, session, clock, thread, reply, reader):
    bookmarks.add_bookmark(session, Guardian(reader), reply, clock=clock)
    browser = client_for(app, reader)
    gone = submit(browser, f"/p/{reply.id}/bookmark/delete", {"from_list": "1"}, headers=HTMX)
    assert (gone.status_code, gone.text) == (200, "")
    assert _count(session) == 0

    bookmarks.add_bookmark(session, Guardian(reader), reply, clock=clock)
    back = submit(browser, f"/p/{reply.id}/bookmark/delete", {"from_list": "1"})
    assert back.headers["location"] == "/my/bookmarks"
    assert _saved_titles(browser.get("/my/bookmarks").text) == []


def test_the_page_is_in_italian_for_italian_readers(app, session, clock, thread, reply):
    lucia = make_user(session, clock, username="lucia", language="it")
    bookmarks.add_bookmark(session, Guardian(lucia), reply, clock=clock)
    browser = client_for(app, lucia)
    html = browser.get("/my/bookmarks").text
    assert "<h1>Segnalibri</h1>" in html
    assert ">Salva</span>" in browser.get(f"/t/{thread.id}").text


# --- another member's bookmarks -----------------------------------------------------------------


def test_nobody_sees_or_removes_another_members_bookmarks(
    app, session, clock, thread, reply, reader, helper
):
    bookmarks.add_bookmark(session, Guardian(reader), reply, note="mine only", clock=clock)

    other = client_for(app, helper)
    assert "mine only" not in other.get("/my/bookmarks").text
    assert 'aria-pressed="false"' in _button(other.get(f"/t/{thread.id}").text, reply)
    # removing "it" only ever touches the remover's own bookmarks
    submit(other, f"/p/{reply.id}/bookmark/delete")
    bookmarks.remove_bookmark(session, Guardian(helper), reply)
    assert _count(session) == 1
    assert [i.bookmark.note for i in bookmarks.list_bookmarks(session, Guardian(reader)).items] == [
        "mine only"
    ]


# --- the service's rules ------------------------------------------------------------------------


def test_signed_out_guardians_cannot_save_or_list(session, clock, reply):
    with pytest.raises(NotAuthenticated):
        bookmarks.add_bookmark(session, Guardian(None), reply, clock=clock)
    with pytest.raises(NotAuthenticated):
        bookmarks.list_bookmarks(session, Guardian(None))


def test_a_note_over_200_characters_is_invalid(session, clock, reply, reader):
    with pytest.raises(Invalid) as refused:
        bookmarks.add_bookmark(session, Guardian(reader), reply, note="n" * 201, clock=clock)
    assert refused.value.field == "note"
    assert _count(session) == 0
    kept = bookmarks.add_bookmark(session, Guardian(reader), reply, note="n" * 200, clock=clock)
    assert kept.note == "n" * 200


def test_saving_again_without_a_note_keeps_it_and_empty_takes_it_off(session, clock, reply, reader):
    guardian = Guardian(reader)
    bookmarks.add_bookmark(session, guardian, reply, note="first", clock=clock)
    assert bookmarks.add_bookmark(session, guardian, reply, clock=clock).note == "first"
    assert bookmarks.add_bookmark(session, guardian, reply, note="  ", clock=clock).note is None


def test_a_member_can_keep_at_most_the_cap(session, clock, thread, reply, reader, monkeypatch):
    monkeypatch.setattr(bookmarks, "MAX_BOOKMARKS", 1)
    guardian = Guardian(reader)
    bookmarks.add_bookmark(session, guardian, reply, clock=clock)
    with pytest.raises(Conflict) as refused:
        bookmarks.add_bookmark(session, guardian, _question(session, thread), clock=clock)
    assert "remove some" in refused.value.message
    # changing the note of one already kept is still fine
    assert bookmarks.add_bookmark(session, guardian, reply, note="n", clock=clock).note == "n"
