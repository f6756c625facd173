"""A post held for review (personal data in it, or a newcomer's link) does not exist yet for other
readers: no notification, no reply count, no activity. A moderator publishes it and then its
replies and mentions go out, and its author hears it is public."""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from community import category_watching, events, visibility
from community.clock import FrozenClock
from community.models import Category, HiddenReason, Notification, Post, Role, Thread, User
from community.policy import Guardian
from search import queries
from tests.factories import make_category, make_reply, make_thread, make_user
from tests.moderation.brand_helpers import client_for, submit

PII_REPLY = "@bea the shop told me to call 333 1234567, ask for Luca"
PUBLISHED = "A moderator reviewed your post in %s: everyone can read it now"


@dataclass
class Forum:
    asker: User
    helper: User
    bea: User
    author: User
    reader: User
    mod: User
    thread: Thread


@pytest.fixture
def forum(session: Session, clock: FrozenClock) -> Forum:
    people = {
        name: make_user(session, clock, username=name)
        for name in ("asker", "helper", "bea", "author", "reader")
    }
    mod = make_user(session, clock, username="mod", role=Role.moderator)
    thread = make_thread(
        session,
        clock,
        author=people["asker"],
        category=make_category(session, slug="fibra"),
        title="Fibre drops every evening",
    )
    clock.advance(minutes=5)
    make_reply(session, clock, author=people["helper"], thread=thread)  # the helper watches now
    _drain(session, clock)
    return Forum(mod=mod, thread=thread, **people)


def _drain(session: Session, clock: FrozenClock) -> None:
    session.expire_all()
    events.drain(session, now=clock.now())
    session.expire_all()


def _texts(app: FastAPI, user: User) -> str:
    page: str = client_for(app, user).get("/notifications").text
    return page


def _write(app: FastAPI, author: User, thread: Thread, body: str) -> TestClient:
    browser = client_for(app, author)
    assert submit(browser, f"/t/{thread.id}/posts", {"body": body}).status_code == 303
    return browser


def _last_post(session: Session, thread: Thread) -> Post:
    post = session.exec(
        select(Post).where(col(Post.thread_id) == thread.id).order_by(col(Post.id).desc())
    ).first()
    assert post is not None
    return post


def test_a_reply_held_for_personal_data_notifies_nobody_and_counts_for_nobody_else(
    app: FastAPI, session: Session, clock: FrozenClock, forum: Forum
) -> None:
    thread = forum.thread
    activity_before = thread.last_activity_at
    clock.advance(hours=1)
    author = _write(app, forum.author, thread, PII_REPLY)
    held = _last_post(session, thread)
    assert held.hidden_reason == HiddenReason.personal_data
    _drain(session, clock)  # every consumer, the signals worker included

    for user in (forum.asker, forum.helper, forum.bea):
        notices = _texts(app, user)
        assert "Author replied to" not in notices and "Author mentioned you" not in notices

    reader = client_for(app, forum.reader)
    page = reader.get(f"/t/{thread.id}").text
    assert "1 reply</h2>" in page and "333 1234567" not in page
    assert f'id="post-{held.id}"' not in page
    listed = reader.get("/c/fibra").text
    assert '<li class="stat-replies"><strong>1</strong> reply</li>' in listed
    summary = reader.get("/api/v1/threads?category=fibra").json()["items"][0]
    assert summary["reply_count"] == 1
    detail = reader.get(f"/api/v1/threads/{thread.id}").json()
    assert detail["reply_count"] == 1
    assert detail["last_activity_at"] == activity_before.isoformat().replace("+00:00", "Z")
    (fibra,) = reader.get("/api/v1/categories").json()["items"]
    assert fibra["last_activity_at"] == detail["last_activity_at"]

    # Its author and the moderators see it, and count it.
    assert "2 replies</h2>" in author.get(f"/t/{thread.id}").text
    staff = client_for(app, forum.mod).get(f"/t/{thread.id}").text
    assert "2 replies</h2>" in staff and "333 1234567" in staff


def test_publishing_a_held_reply_sends_its_notifications_then_and_tells_its_author(
    app: FastAPI, session: Session, clock: FrozenClock, forum: Forum
) -> None:
    thread = forum.thread
    clock.advance(hours=1)
    _write(app, forum.author, thread, PII_REPLY)
    held = _last_post(session, thread)
    _drain(session, clock)

    clock.advance(hours=2)  # the moderator reviews it: a shop's number is fine
    staff = client_for(app, forum.mod)
    assert submit(staff, f"/mod/posts/{held.id}/unhide").status_code == 303
    _drain(session, clock)

    assert "Author replied to Fibre drops every evening" in _texts(app, forum.asker)
    assert "Author replied to Fibre drops every evening" in _texts(app, forum.helper)
    assert "Author mentioned you in Fibre drops every evening" in _texts(app, forum.bea)
    told = client_for(app, forum.author).get("/api/v1/notifications").json()["items"]
    assert [(n["post_id"], n["actor"]["username"]) for n in told if n["kind"] == "published"] == [
        (held.id, "mod")
    ]
    assert PUBLISHED % thread.title in _texts(app, forum.author)
    asker_notes = session.exec(
        select(Notification).where(col(Notification.user_id) == forum.asker.id)
    ).all()
    assert [n.kind for n in asker_notes] == ["reply", "reply"]  # the helper's, then this one

    reader = client_for(app, forum.reader)
    page = reader.get(f"/t/{thread.id}").text
    assert "2 replies</h2>" in page and "333 1234567" in page
    detail = reader.get(f"/api/v1/threads/{thread.id}").json()
    assert detail["last_activity_at"] == clock.now().isoformat().replace("+00:00", "Z")


def test_a_held_question_mentions_nobody_until_both_it_and_its_thread_are_published(
    app: FastAPI, session: Session, clock: FrozenClock, forum: Forum
) -> None:
    asked = _write_thread(app, forum.author, "Bolletta doppia", "@bea scrivetemi a ada@example.it")
    question = _last_post(session, asked)
    assert (question.hidden_reason, asked.hidden_reason) == ("personal_data", "personal_data")
    assert "Bolletta doppia" not in client_for(app, forum.reader).get("/c/fibra").text
    _drain(session, clock)
    assert "mentioned you" not in _texts(app, forum.bea)

    clock.advance(hours=1)
    staff = client_for(app, forum.mod)
    assert submit(staff, f"/mod/posts/{question.id}/unhide").status_code == 303
    _drain(session, clock)
    assert "Author mentioned you" not in _texts(app, forum.bea)  # its thread is still held

    assert submit(staff, f"/mod/threads/{asked.id}/unhide").status_code == 303
    _drain(session, clock)
    assert "Author mentioned you in Bolletta doppia" in _texts(app, forum.bea)
    assert _texts(app, forum.author).count(PUBLISHED % "Bolletta doppia") == 1
    assert "Bolletta doppia" in client_for(app, forum.reader).get("/c/fibra").text


def test_a_held_question_reaches_the_categorys_watchers_once_published(
    app: FastAPI, session: Session, clock: FrozenClock, forum: Forum
) -> None:
    fibra = session.exec(select(Category).where(col(Category.slug) == "fibra")).one()
    category_watching.set_watching(
        session, Guardian(forum.reader), fibra, watching=True, clock=clock
    )
    clock.advance(minutes=1)
    asked = _write_thread(app, forum.author, "Bolletta tripla", "Chiamatemi al 333 1234567")
    question = _last_post(session, asked)
    _drain(session, clock)
    watched = "Author asked Bolletta tripla in a category you watch"
    assert watched not in _texts(app, forum.reader)

    staff = client_for(app, forum.mod)
    assert submit(staff, f"/mod/posts/{question.id}/unhide").status_code == 303
    assert submit(staff, f"/mod/threads/{asked.id}/unhide").status_code == 303
    _drain(session, clock)

    assert _texts(app, forum.reader).count(watched) == 1


def _write_thread(app: FastAPI, author: User, title: str, body: str) -> Thread:
    browser = client_for(app, author)
    done = submit(browser, "/t/new", {"category": "fibra", "title": title, "body": body})
    assert done.status_code == 303, done.text
    thread_id = int(done.headers["location"].split("/")[2])
    with Session(app.state.engine) as session:
        thread = session.get(Thread, thread_id)
        assert thread is not None
        return thread


def test_published_before_the_worker_got_to_it_the_post_notifies_once_and_stays_out(
    app: FastAPI, session: Session, clock: FrozenClock, forum: Forum
) -> None:
    thread = forum.thread
    clock.advance(hours=1)
    _write(app, forum.author, thread, PII_REPLY)
    held = _last_post(session, thread)
    clock.advance(minutes=10)
    staff = client_for(app, forum.mod)
    assert submit(staff, f"/mod/posts/{held.id}/unhide").status_code == 303

    _drain(session, clock)  # post_created reaches every consumer only now

    published = session.get(Post, held.id)
    assert published is not None and published.hidden_at is None  # the signals worker left it
    assert _texts(app, forum.bea).count("Author mentioned you") == 1
    assert _texts(app, forum.helper).count("Author replied to") == 1


def test_an_approved_newcomers_reply_notifies_the_thread_when_it_is_approved(
    app: FastAPI, session: Session, clock: FrozenClock, forum: Forum
) -> None:
    thread = forum.thread
    newcomer = make_user(session, clock, username="newbie")
    clock.advance(hours=1)
    _write(app, newcomer, thread, "The fix is on https://example.org/fibre-fix")
    waiting = _last_post(session, thread)
    assert waiting.hidden_reason == HiddenReason.awaiting_approval
    _drain(session, clock)
    assert "Newbie replied to" not in _texts(app, forum.helper)
    assert "1 reply</h2>" in client_for(app, forum.reader).get(f"/t/{thread.id}").text

    clock.advance(timedelta(minutes=30))
    assert submit(client_for(app, forum.mod), f"/mod/threads/{thread.id}/approve").status_code
    _drain(session, clock)
    assert "Newbie replied to Fibre drops every evening" in _texts(app, forum.helper)
    assert PUBLISHED % thread.title in _texts(app, newcomer)
    assert "2 replies</h2>" in client_for(app, forum.reader).get(f"/t/{thread.id}").text


def test_the_published_notice_comes_in_the_authors_language(
    app: FastAPI, session: Session, clock: FrozenClock, forum: Forum
) -> None:
    italian = make_user(session, clock, username="giulia", language="it")
    clock.advance(hours=1)
    _write(app, italian, forum.thread, "Chiamatemi al 333 1234567")
    held = _last_post(session, forum.thread)
    clock.advance(hours=1)
    assert submit(client_for(app, forum.mod), f"/mod/posts/{held.id}/unhide").status_code == 303
    _drain(session, clock)
    page = client_for(app, italian).get("/notifications").text
    assert (
        "Un moderatore ha controllato il tuo messaggio nella discussione "
        "«Fibre drops every evening»: ora tutti possono leggerlo"
    ) in page


def test_search_without_its_engine_counts_no_held_reply(
    app: FastAPI, session: Session, clock: FrozenClock, forum: Forum
) -> None:
    _write(app, forum.author, forum.thread, PII_REPLY)
    session.expire_all()
    (hit,) = queries.search_threads_in_db(session, queries.SearchQuery(q="Fibre")).items
    assert (hit.id, hit.reply_count) == (forum.thread.id, 1)


# --- the author's way out: edit the data out ----------------------------------------------

EDIT_OUT = "Edit out the personal data"


def test_the_author_of_a_held_post_gets_a_link_to_edit_the_personal_data_out(
    app: FastAPI, session: Session, clock: FrozenClock, forum: Forum
) -> None:
    thread = forum.thread
    author = _write(app, forum.author, thread, PII_REPLY)
    held = _last_post(session, thread)

    page = author.get(f"/t/{thread.id}").text
    assert "it looks like it contains personal data" in page
    link = f'<a href="/p/{held.id}/edit" class="action-link edit-out-personal-data">{EDIT_OUT}</a>'
    assert link in page
    form = author.get(f"/p/{held.id}/edit")
    assert form.status_code == 200
    assert f'action="/p/{held.id}/edit"' in form.text and "333 1234567" in form.text
    assert "Take out the phone numbers, e-mail addresses" in form.text

    # The moderator who reviews it may take the data out too; other members do not see it at all.
    assert link in client_for(app, forum.mod).get(f"/t/{thread.id}").text
    assert EDIT_OUT not in client_for(app, forum.reader).get(f"/t/{thread.id}").text

    clock.advance(minutes=5)
    saved = submit(author, f"/p/{held.id}/edit", {"body": "@bea the shop can call you back"})
    assert saved.status_code == 303
    _drain(session, clock)
    # Still for the moderator to publish; the edited text is what they will let through.
    page = author.get(f"/t/{thread.id}").text
    assert "the shop can call you back" in page and "333 1234567" not in page
    assert "Only you and the moderators can see this post" in page
    assert (
        "the shop can call you back"
        not in client_for(app, forum.reader).get(f"/t/{thread.id}").text
    )


def test_a_moderator_edits_the_personal_data_out_then_publishes_the_rest(
    app: FastAPI, session: Session, clock: FrozenClock, forum: Forum
) -> None:
    """The usual review: the number is the customer's own, the question is good. The moderator
    takes the number out and lets the rest through, logged; the number stays only in the post's
    earlier version, which the author and moderators alone can read."""
    thread = forum.thread
    _write(app, forum.author, thread, PII_REPLY)
    held = _last_post(session, thread)
    _drain(session, clock)
    staff = client_for(app, forum.mod)

    form = staff.get(f"/p/{held.id}/edit").text
    assert "Edit Author&#39;s reply" in form and "333 1234567" in form
    assert "the post stays hidden until you publish it" in form
    clock.advance(minutes=5)
    saved = submit(staff, f"/p/{held.id}/edit", {"body": "@bea the shop can call you back"})
    assert saved.status_code == 303
    assert submit(staff, f"/mod/posts/{held.id}/unhide").status_code == 303
    _drain(session, clock)

    reader = client_for(app, forum.reader)
    page = reader.get(f"/t/{thread.id}").text
    assert "the shop can call you back" in page and "333 1234567" not in page
    assert reader.get(f"/p/{held.id}/revisions").status_code == 403
    versions = client_for(app, forum.author).get(f"/p/{held.id}/revisions").text
    assert "333 1234567" in versions
    admin = client_for(app, make_user(session, clock, username="boss", role=Role.admin))
    entries = admin.get("/api/v1/moderation/audit", params={"action": "edit_post"}).json()
    assert [(e["actor"], e["target_id"], e["after"]) for e in entries["items"]] == [
        ("mod", held.id, {"version": 2, "author_id": forum.author.id})
    ]
    log = admin.get("/mod/audit").text
    assert '<td title="edit_post">Edited a member&#39;s post</td>' in log


EDITED_SINCE = "it was held for personal data (phone, e-mail...), edited since, and waits"


@pytest.mark.parametrize("question", [False, True])
def test_once_edited_the_held_post_no_longer_says_it_looks_like_personal_data(
    app: FastAPI, session: Session, clock: FrozenClock, forum: Forum, question: bool
) -> None:
    """The author took the data out: telling them it still looks like personal data, with the
    link to edit it out, sends them round in circles while the post waits for a moderator."""
    if question:
        thread = _write_thread(app, forum.author, "Billed twice", "Call me on 333 1234567")
        author = client_for(app, forum.author)
    else:
        thread = forum.thread
        author = _write(app, forum.author, thread, PII_REPLY)
    held = _last_post(session, thread)
    clock.advance(minutes=5)
    edit = {"body": "The shop can call you back"} | ({"title": thread.title} if question else {})
    saved = submit(author, f"/p/{held.id}/edit", edit)
    assert saved.status_code == 303
    _drain(session, clock)

    for reader in (author, client_for(app, forum.mod)):
        page = reader.get(f"/t/{thread.id}").text
        assert "it looks like it contains personal data" not in page
        assert EDITED_SINCE in page
    assert EDIT_OUT not in author.get(f"/t/{thread.id}").text


@pytest.mark.parametrize("reason", [HiddenReason.moderator, HiddenReason.awaiting_approval])
def test_no_edit_out_link_when_the_post_is_hidden_for_another_reason(
    app: FastAPI, session: Session, clock: FrozenClock, forum: Forum, reason: HiddenReason
) -> None:
    post = make_reply(session, clock, author=forum.author, thread=forum.thread, body="Try this")
    visibility.hide_post(session, post, reason=reason, by_id=forum.mod.id, now=clock.now())
    session.commit()
    page = client_for(app, forum.author).get(f"/t/{forum.thread.id}").text
    assert "Only you and the moderators can see this post" in page and EDIT_OUT not in page


def test_personal_data_added_by_an_edit_is_held_at_once(app, session, clock, forum) -> None:
    """Before the signals worker has read the edit, the new words are already out of sight."""
    browser = _write(app, forum.author, forum.thread, "Try restarting the modem.")
    _drain(session, clock)
    post = _last_post(session, forum.thread)
    reader = client_for(app, forum.reader)
    assert "Try restarting the modem." in reader.get(f"/t/{forum.thread.id}").text

    clock.advance(minutes=1)
    edited = submit(browser, f"/p/{post.id}/edit", {"body": "Call me on 333 1234567"})
    assert edited.status_code == 303
    assert "333 1234567" not in reader.get(f"/t/{forum.thread.id}").text  # no worker has run
    session.refresh(post)
    assert post.hidden_reason == HiddenReason.personal_data and post.hidden_by_id is None
    assert "333 1234567" in client_for(app, forum.author).get(f"/t/{forum.thread.id}").text
    assert "333 1234567" in client_for(app, forum.mod).get(f"/t/{forum.thread.id}").text
    _drain(session, clock)  # the worker agrees and leaves it as it is
    session.refresh(post)
    assert post.hidden_reason == HiddenReason.personal_data
