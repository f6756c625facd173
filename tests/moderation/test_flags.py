"""Flags: members flag a post (once, not their own, rate-limited), flags join the queue, a
moderator upholds or dismisses them, and the flagger is told."""

import json
from typing import Any

import pytest
from fastapi import FastAPI
from sqlmodel import select

from community import notifications, posting, visibility
from community.errors import Conflict, Forbidden, Invalid, NotFound, RateLimited
from community.events import OutboxEvent
from community.models import HiddenReason, Notification, Post, ReputationEntry, Role, User
from community.policy import Guardian
from moderation import flags, queue, tools
from moderation.models import AuditEntry, CareThread, Flag, FlagKind, FlagStatus
from tests.factories import make_category, make_reply, make_thread, make_user
from tests.helpers import csrf_token, login
from tests.moderation.brand_helpers import api_post, client_for, submit
from tests.moderation.care_helpers import run_care

# A flagger's comment is their own text: the queue shows it escaped.
COMMENT = '<script>alert("x")</script> Sells watches & more'
# What the flagger is told: the flag's kind, then the thread's title.
HIDDEN_NOTICE = "Your flag (%s) on a post in %s was upheld: the post has been hidden"
UPHELD_NOTICE = (
    "Your flag (%s) on a post in %s was upheld: the moderators agree, and the post stays visible"
)
DISMISSED_NOTICE = "Your flag (%s) on a post in %s was reviewed and the post stays"


@pytest.fixture
def scene(session, clock):
    moderator = make_user(session, clock, username="mara", role=Role.moderator)
    author = make_user(session, clock, username="author")
    flagger = make_user(session, clock, username="flagger")
    thread = make_thread(session, clock, author=author, category=make_category(session))
    # Answered by the brand: out of the queue until someone flags it.
    make_reply(session, clock, author=moderator, thread=thread, body="Official answer.")
    post = make_reply(session, clock, author=author, thread=thread, body="Buy cheap watches here")
    run_care(session, clock)
    assert not session.get(CareThread, thread.id).in_queue
    return {
        "moderator": moderator,
        "author": author,
        "flagger": flagger,
        "thread": thread,
        "post": post,
    }


def test_flag_lifecycle_through_the_pages(session, clock, scene, client):
    post, thread = scene["post"], scene["thread"]
    login(client, scene["flagger"])
    page = client.get(f"/t/{thread.id}")
    assert f'action="/p/{post.id}/flag"' in page.text  # in the post's menu
    # "Flag" opens the form in a popover panel, closed until pressed.
    assert f'popovertarget="flag-panel-{post.id}">Flag</button>' in page.text
    panel = page.text.index(f'<div id="flag-panel-{post.id}"')
    assert page.text.index(f'action="/p/{post.id}/flag"') > panel
    assert "data-open" not in page.text[panel : page.text.index(">", panel)]
    response = client.post(
        f"/p/{post.id}/flag",
        data={"csrf_token": csrf_token(client), "kind": "spam", "comment": "An advert."},
        follow_redirects=False,
    )
    assert response.status_code == 303
    flag = session.exec(select(Flag)).one()
    assert (flag.kind, flag.comment, flag.status) == ("spam", "An advert.", "open")
    assert "Flagged, thank you" in client.get(f"/t/{thread.id}").text
    run_care(session, clock)
    assert session.get(CareThread, thread.id).in_queue

    moderator = client.__class__(
        client.app, base_url="https://testserver", headers={"Accept-Language": "en"}
    )
    login(moderator, scene["moderator"])
    assert "flagged: spam (1)" in moderator.get("/mod/queue").text
    resolved = moderator.post(
        f"/mod/threads/{thread.id}/flags",
        data={"status": "upheld", "next": "/mod/queue"},
        headers={"HX-Request": "true", "X-CSRF-Token": csrf_token(moderator)},
    )
    assert resolved.status_code == 200
    # The row leaves the queue; only the confirmation comes back, out of band.
    assert resolved.text.startswith('<div id="flash-status" role="status" hx-swap-oob="innerHTML">')
    assert "Flags upheld." in resolved.text and "queue-row" not in resolved.text
    session.expire_all()
    flag = session.get(Flag, flag.id)
    assert flag.status == FlagStatus.upheld and flag.resolved_by_id == scene["moderator"].id
    assert session.exec(select(AuditEntry).where(AuditEntry.action == "flag_upheld")).one()
    run_care(session, clock)
    assert not session.get(CareThread, thread.id).in_queue
    note = session.exec(select(Notification).where(Notification.kind == "flag")).one()
    assert note.user_id == scene["flagger"].id and note.post_id == post.id
    notifications = client.get("/notifications")
    assert HIDDEN_NOTICE % ("spam", thread.title) in notifications.text


def test_flagging_with_htmx_and_without_a_reason(session, clock, scene, client):
    post = scene["post"]
    login(client, scene["flagger"])
    token = csrf_token(client)
    missing = client.post(
        f"/p/{post.id}/flag",
        data={"comment": "x"},
        headers={"HX-Request": "true", "X-CSRF-Token": token},
    )
    assert missing.status_code == 422
    assert "Choose why you are flagging this post." in missing.text
    assert missing.text.lstrip().startswith(f'<span id="flag-{post.id}"')
    # Swapped in by htmx, the panel asks app.js to show it again, with the error by the field.
    assert "popover" in missing.text and "data-open>" in missing.text
    no_js = client.post(f"/p/{post.id}/flag", data={"csrf_token": token, "comment": "kept"})
    assert no_js.status_code == 422 and "kept" in no_js.text and "<html" in no_js.text
    ok = client.post(
        f"/p/{post.id}/flag",
        data={"kind": "off_topic"},
        headers={"HX-Request": "true", "X-CSRF-Token": token},
    )
    assert ok.status_code == 200 and "Flagged, thank you" in ok.text
    assert client.get(f"/p/{post.id}/flag").status_code == 200  # the no-JS page


def test_flag_rules(session, clock, scene):
    post, flagger = scene["post"], scene["flagger"]
    with pytest.raises(Invalid):  # not one's own post
        flags.raise_flag(session, Guardian(scene["author"]), post, kind=FlagKind.spam, clock=clock)
    with pytest.raises(Invalid):
        flags.raise_flag(
            session, Guardian(flagger), post, kind=FlagKind.spam, comment="x" * 501, clock=clock
        )
    flags.raise_flag(session, Guardian(flagger), post, kind=FlagKind.abuse, clock=clock)
    with pytest.raises(Conflict):  # once per post and member
        flags.raise_flag(session, Guardian(flagger), post, kind=FlagKind.spam, clock=clock)
    with pytest.raises(Forbidden):
        flags.resolve(
            session,
            Guardian(flagger),
            flags.open_flags(session, Guardian(scene["moderator"]), scene["thread"]),
            status=FlagStatus.dismissed,
            clock=clock,
        )


def test_flags_are_rate_limited_like_posting(session, clock, scene):
    flagger = scene["flagger"]
    thread = scene["thread"]
    posts = [
        make_reply(
            session, clock, author=make_user(session, clock), thread=thread, body=f"Reply {n}"
        )
        for n in range(11)
    ]
    for post in posts[:10]:
        flags.raise_flag(session, Guardian(flagger), post, kind=FlagKind.spam, clock=clock)
    with pytest.raises(RateLimited):
        flags.raise_flag(session, Guardian(flagger), posts[10], kind=FlagKind.spam, clock=clock)


def test_flags_through_the_api(session, clock, scene, client):
    post = scene["post"]
    login(client, scene["flagger"])
    token = csrf_token(client)
    created = client.post(
        f"/api/v1/posts/{post.id}/flags",
        json={"kind": "abuse", "comment": "Rude."},
        headers={"X-CSRF-Token": token},
    )
    assert created.status_code == 201, created.text
    flag_id = created.json()["id"]
    again = client.post(
        f"/api/v1/posts/{post.id}/flags", json={"kind": "abuse"}, headers={"X-CSRF-Token": token}
    )
    assert again.status_code == 409
    bad = client.post(
        f"/api/v1/posts/{post.id}/flags", json={"kind": "boring"}, headers={"X-CSRF-Token": token}
    )
    assert bad.status_code == 422
    assert (
        client.post(
            f"/api/v1/moderation/flags/{flag_id}/resolve",
            json={"status": "dismissed"},
            headers={"X-CSRF-Token": token},
        ).status_code
        == 403
    )
    login(client, scene["moderator"])
    token = csrf_token(client)
    done = client.post(
        f"/api/v1/moderation/flags/{flag_id}/resolve",
        json={"status": "dismissed"},
        headers={"X-CSRF-Token": token},
    )
    assert done.status_code == 200 and done.json()["status"] == "dismissed"
    twice = client.post(
        f"/api/v1/moderation/flags/{flag_id}/resolve",
        json={"status": "upheld"},
        headers={"X-CSRF-Token": token},
    )
    assert twice.status_code == 409


def test_a_flag_keeps_a_solved_thread_in_the_queue_until_resolved(session, clock, scene):
    thread = scene["thread"]
    thread.solved_at = clock.now()
    session.add(thread)
    session.commit()
    flags.raise_flag(
        session, Guardian(scene["flagger"]), scene["post"], kind=FlagKind.abuse, clock=clock
    )
    run_care(session, clock)
    assert session.get(CareThread, thread.id).in_queue
    assert session.get(Post, scene["post"].id) is not None


def test_hiding_a_flagged_post_upholds_its_flags_and_tells_each_flagger(session, clock, scene, app):
    post, moderator = scene["post"], scene["moderator"]
    second = make_user(session, clock, username="second")
    for member, kind in ((scene["flagger"], FlagKind.spam), (second, FlagKind.abuse)):
        flags.raise_flag(session, Guardian(member), post, kind=kind, clock=clock)
    # An earlier flag a moderator already dismissed stays dismissed.
    third = make_user(session, clock, username="third")
    dismissed = flags.raise_flag(session, Guardian(third), post, kind=FlagKind.spam, clock=clock)
    flags.resolve(
        session, Guardian(moderator), [dismissed], status=FlagStatus.dismissed, clock=clock
    )
    run_care(session, clock)
    assert session.get(CareThread, scene["thread"].id).in_queue

    hidden = submit(client_for(app, moderator), f"/mod/posts/{post.id}/hide")
    assert hidden.status_code == 303
    session.expire_all()
    upheld = session.exec(select(Flag).where(Flag.id != dismissed.id)).all()
    assert [(f.status, f.resolved_by_id) for f in upheld] == [(FlagStatus.upheld, moderator.id)] * 2
    assert session.get(Flag, dismissed.id).status == FlagStatus.dismissed
    audited = session.exec(select(AuditEntry).where(AuditEntry.action == "flag_upheld")).all()
    assert sorted(e.target_id for e in audited) == sorted(f.id for f in upheld)
    assert session.exec(
        select(ReputationEntry).where(
            ReputationEntry.user_id == scene["author"].id, ReputationEntry.reason == "flag_upheld"
        )
    ).one()
    run_care(session, clock)
    assert not session.get(CareThread, scene["thread"].id).in_queue
    notes = session.exec(select(Notification).where(Notification.kind == "flag")).all()
    assert sorted(n.user_id for n in notes) == sorted([scene["flagger"].id, second.id, third.id])
    assert {(n.actor_id, n.post_id) for n in notes} == {(moderator.id, post.id)}
    page = client_for(app, scene["flagger"]).get("/notifications")
    assert HIDDEN_NOTICE % ("spam", scene["thread"].title) in page.text
    # in the thread it is in (only the post was hidden, nothing was deleted)
    assert scene["thread"].title in page.text and "a deleted thread" not in page.text


def test_hiding_a_thread_upholds_the_flags_on_any_of_its_posts(session, clock, scene, app):
    thread, post, moderator = scene["thread"], scene["post"], scene["moderator"]
    question = session.exec(
        select(Post).where(Post.thread_id == thread.id, Post.post_number == 1)
    ).one()
    second = make_user(session, clock, username="second")
    flags.raise_flag(session, Guardian(scene["flagger"]), post, kind=FlagKind.spam, clock=clock)
    flags.raise_flag(session, Guardian(second), question, kind=FlagKind.off_topic, clock=clock)

    hidden = submit(
        client_for(app, moderator), f"/mod/threads/{thread.id}/hide", {"confirm": "yes"}
    )
    assert hidden.status_code == 303
    session.expire_all()
    assert [(f.status, f.resolved_by_id) for f in session.exec(select(Flag)).all()] == [
        (FlagStatus.upheld, moderator.id)
    ] * 2
    run_care(session, clock)
    notes = session.exec(select(Notification).where(Notification.kind == "flag")).all()
    assert sorted(n.user_id for n in notes) == sorted([scene["flagger"].id, second.id])


@pytest.mark.parametrize("reason", list(HiddenReason))
def test_a_post_hidden_from_the_member_cannot_be_flagged_and_looks_missing(
    session, clock, scene, client, reason
):
    post = scene["post"]
    visibility.hide_post(session, post, reason=reason, by_id=None, now=clock.now())
    session.commit()
    with pytest.raises(NotFound):
        flags.raise_flag(session, Guardian(scene["flagger"]), post, kind=FlagKind.spam, clock=clock)
    login(client, scene["flagger"])
    token = csrf_token(client)
    api = client.post(
        f"/api/v1/posts/{post.id}/flags", json={"kind": "spam"}, headers={"X-CSRF-Token": token}
    )
    assert api.status_code == 404
    assert client.get(f"/p/{post.id}/flag").status_code == 404
    form = client.post(f"/p/{post.id}/flag", data={"csrf_token": token, "kind": "spam"})
    assert form.status_code == 404
    assert f'action="/p/{post.id}/flag"' not in client.get(f"/t/{scene['thread'].id}").text
    assert session.exec(select(Flag)).all() == []


def test_a_hidden_post_its_reader_can_see_is_refused_as_already_hidden(
    session, clock, scene, client
):
    post, thread = scene["post"], scene["thread"]
    tools.hide_post(session, Guardian(scene["moderator"]), post, clock=clock)
    second = make_user(session, clock, username="mod2", role=Role.moderator)
    with pytest.raises(Conflict, match="already hidden"):
        flags.raise_flag(session, Guardian(second), post, kind=FlagKind.spam, clock=clock)
    # The asker still sees their thread once it is hidden; its replies are hidden with it.
    reply = make_reply(session, clock, author=scene["flagger"], thread=thread, body="Spam.")
    tools.hide_thread(session, Guardian(scene["moderator"]), thread, clock=clock)
    login(client, scene["author"])
    refused = client.post(
        f"/api/v1/posts/{reply.id}/flags",
        json={"kind": "spam"},
        headers={"X-CSRF-Token": csrf_token(client)},
    )
    assert refused.status_code == 409
    assert "already hidden" in refused.json()["detail"]
    assert f'action="/p/{reply.id}/flag"' not in client.get(f"/t/{thread.id}").text
    assert session.exec(select(Flag)).all() == []


def test_posts_of_a_hidden_or_deleted_thread_cannot_be_flagged_by_members(session, clock, scene):
    thread, post = scene["thread"], scene["post"]
    flagger = Guardian(scene["flagger"])
    tools.hide_thread(session, Guardian(scene["moderator"]), thread, clock=clock)
    with pytest.raises(NotFound):
        flags.raise_flag(session, flagger, post, kind=FlagKind.spam, clock=clock)
    tools.unhide_thread(session, Guardian(scene["moderator"]), thread, clock=clock)
    question = session.exec(
        select(Post).where(Post.thread_id == thread.id, Post.post_number == 1)
    ).one()
    posting.delete_post(session, Guardian(scene["author"]), question, clock=clock)
    with pytest.raises(NotFound):
        flags.raise_flag(session, flagger, post, kind=FlagKind.spam, clock=clock)
    assert session.exec(select(Flag)).all() == []


def test_a_queue_row_shows_each_open_flag_its_post_flagger_and_comment(app, session, clock, scene):
    post, thread = scene["post"], scene["thread"]
    question = session.exec(
        select(Post).where(Post.thread_id == thread.id, Post.post_number == 1)
    ).one()
    flags.raise_flag(
        session,
        Guardian(scene["flagger"]),
        post,
        kind=FlagKind.spam,
        comment=COMMENT,
        clock=clock,
    )
    second = make_user(session, clock, username="second")
    flags.raise_flag(session, Guardian(second), question, kind=FlagKind.abuse, clock=clock)
    # Hidden for personal data after the flag: the moderator still reads what was flagged.
    visibility.hide_post(
        session, post, reason=HiddenReason.personal_data, by_id=None, now=clock.now()
    )
    session.commit()
    run_care(session, clock)
    moderator = client_for(app, scene["moderator"])
    page = moderator.get("/mod/queue").text
    row = page[page.index(f'id="queue-row-{thread.id}"') :]
    row = row[: row.index('class="queue-actions"')]
    on_question = row[row.index('class="queue-flag"') :]
    on_question = on_question[: on_question.index("</li>")]
    on_reply = row[row.rindex('class="queue-flag"') :]
    assert on_question != on_reply  # one entry per open flag, the question's first
    assert f'<a href="/p/{question.id}">the question</a>' in on_question
    assert "abuse" in on_question and "flagged by Second" in on_question
    assert 'href="/u/second"' in on_question and "flag-comment" not in on_question
    assert f'<a href="/p/{post.id}">reply #{post.post_number}</a>' in on_reply
    assert "spam" in on_reply and "Hidden" in on_reply
    assert '<q class="flag-excerpt">Buy cheap watches here</q>' in on_reply
    assert "flagged by Flagger" in on_reply
    # The comment is the flagger's own text: shown, escaped.
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; Sells watches &amp; more" in on_reply
    assert "<script>alert" not in page

    item = {i["id"]: i for i in moderator.get("/api/v1/moderation/queue").json()["items"]}[
        thread.id
    ]
    assert [
        (f["kind"], f["post_url"], f["post_number"], f["flagger"], f["comment"])
        for f in item["flags"]
    ] == [
        ("abuse", f"/p/{question.id}", 1, "second", ""),
        ("spam", f"/p/{post.id}", post.post_number, "flagger", COMMENT),
    ]
    assert item["flags"][1]["excerpt"] == "Buy cheap watches here"


# --- what upholding does to the post ------------------------------------------------------------


def _uphold_from_the_queue(app, moderator, thread) -> None:
    moderator_browser = client_for(app, moderator)
    done = submit(
        moderator_browser,
        f"/mod/threads/{thread.id}/flags?which=members",
        {"status": "upheld", "next": "/mod/queue"},
    )
    assert done.status_code == 303


@pytest.mark.parametrize("kind", ["spam", "abuse"])
def test_upholding_a_spam_or_abuse_flag_hides_the_post_until_a_moderator_unhides_it(
    session, clock, scene, app, kind
):
    post, thread, moderator = scene["post"], scene["thread"], scene["moderator"]
    reader = client_for(app, make_user(session, clock, username="reader"))
    submit(client_for(app, scene["flagger"]), f"/p/{post.id}/flag", {"kind": kind})
    assert "Buy cheap watches here" in reader.get(f"/t/{thread.id}").text

    _uphold_from_the_queue(app, moderator, thread)

    page = reader.get(f"/t/{thread.id}").text
    assert "Buy cheap watches here" not in page and "A moderator hid this post." in page
    own = client_for(app, scene["author"]).get(f"/t/{thread.id}").text
    assert "Only you and the moderators can see this post: a moderator hid it." in own
    session.expire_all()
    (entry,) = session.exec(select(AuditEntry).where(AuditEntry.action == "hide_post")).all()
    assert (entry.actor_id, entry.target_id) == (moderator.id, post.id)
    assert '"hidden": true' in entry.after and '"hidden_reason": "moderator"' in entry.after

    # Reversible like any moderator's hide: the Unhide button on the post brings it back.
    moderator_page = client_for(app, moderator).get(f"/t/{thread.id}").text
    assert f'action="/mod/posts/{post.id}/unhide"' in moderator_page
    assert submit(client_for(app, moderator), f"/mod/posts/{post.id}/unhide").status_code == 303
    assert "Buy cheap watches here" in reader.get(f"/t/{thread.id}").text


@pytest.mark.parametrize("kind", ["off_topic", "needs_brand"])
def test_upholding_an_off_topic_or_needs_the_brand_flag_leaves_the_post_readable(
    session, clock, scene, app, kind
):
    post, thread = scene["post"], scene["thread"]
    submit(client_for(app, scene["flagger"]), f"/p/{post.id}/flag", {"kind": kind})

    _uphold_from_the_queue(app, scene["moderator"], thread)

    session.expire_all()
    assert session.exec(select(Flag)).one().status == FlagStatus.upheld
    reader = client_for(app, make_user(session, clock, username="reader"))
    page = reader.get(f"/t/{thread.id}").text
    assert "Buy cheap watches here" in page and "A moderator hid this post." not in page
    assert session.exec(select(AuditEntry).where(AuditEntry.action == "hide_post")).all() == []


def test_upholding_one_spam_flag_upholds_the_posts_other_open_flags_with_the_hide(
    session, clock, scene, app
):
    post = scene["post"]
    second = make_user(session, clock, username="second")
    spam = flags.raise_flag(
        session, Guardian(scene["flagger"]), post, kind=FlagKind.spam, clock=clock
    )
    off_topic = flags.raise_flag(
        session, Guardian(second), post, kind=FlagKind.off_topic, clock=clock
    )

    resolved = api_post(
        client_for(app, scene["moderator"]),
        f"/api/v1/moderation/flags/{spam.id}/resolve",
        {"status": "upheld"},
    )

    assert resolved.status_code == 200 and resolved.json()["status"] == "upheld"
    session.expire_all()
    assert session.get(Post, post.id).hidden_reason == HiddenReason.moderator
    # The other flag asked for less, but the post is out of sight now: it is upheld too, and
    # its flagger is told like the first, instead of a flag left open on a hidden post.
    assert session.get(Flag, off_topic.id).status == FlagStatus.upheld
    run_care(session, clock)
    notes = session.exec(select(Notification).where(Notification.kind == "flag")).all()
    assert sorted(n.user_id for n in notes) == sorted([scene["flagger"].id, second.id])
    assert not session.get(CareThread, scene["thread"].id).in_queue


def test_dismissing_a_spam_flag_leaves_the_post_alone(session, clock, scene, app):
    post, thread = scene["post"], scene["thread"]
    submit(client_for(app, scene["flagger"]), f"/p/{post.id}/flag", {"kind": "spam"})
    moderator = client_for(app, scene["moderator"])
    done = submit(moderator, f"/mod/threads/{thread.id}/flags", {"status": "dismissed"})
    assert done.status_code == 303
    session.expire_all()
    assert session.get(Post, post.id).hidden_at is None
    reader = client_for(app, make_user(session, clock, username="reader"))
    assert "Buy cheap watches here" in reader.get(f"/t/{thread.id}").text


# --- what the flagger is told ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "label", "status", "notice", "outcome"),
    [
        ("spam", "spam", "upheld", HIDDEN_NOTICE, "hidden"),
        ("abuse", "abuse", "upheld", HIDDEN_NOTICE, "hidden"),
        ("off_topic", "off-topic", "upheld", UPHELD_NOTICE, "upheld"),
        ("needs_brand", "needs the brand", "upheld", UPHELD_NOTICE, "upheld"),
        ("spam", "spam", "dismissed", DISMISSED_NOTICE, "dismissed"),
        ("off_topic", "off-topic", "dismissed", DISMISSED_NOTICE, "dismissed"),
    ],
)
def test_the_flaggers_notification_says_what_became_of_the_flag(
    session, clock, scene, app, kind, label, status, notice, outcome
):
    post, thread = scene["post"], scene["thread"]
    flagger = client_for(app, scene["flagger"])
    submit(flagger, f"/p/{post.id}/flag", {"kind": kind})
    submit(
        client_for(app, scene["moderator"]), f"/mod/threads/{thread.id}/flags", {"status": status}
    )
    run_care(session, clock)

    page = flagger.get("/notifications").text
    assert notice % (label, thread.title) in page
    others = {HIDDEN_NOTICE, UPHELD_NOTICE, DISMISSED_NOTICE} - {notice}
    assert not any(other % (label, thread.title) in page for other in others)
    (item,) = flagger.get("/api/v1/notifications").json()["items"]
    assert (item["kind"], item["flag_outcome"], item["thread_title"], item["flag_kind"]) == (
        "flag",
        outcome,
        thread.title,
        kind,
    )


@pytest.mark.parametrize(
    ("status", "italian"),
    [
        (
            "upheld",
            "La tua segnalazione (spam) nella discussione «%s» è stata accolta: "
            "il messaggio è stato nascosto",
        ),
        (
            "dismissed",
            "La tua segnalazione (spam) nella discussione «%s» è stata esaminata "
            "e il messaggio resta al suo posto",
        ),
    ],
)
def test_the_flagger_is_told_in_their_own_language(session, clock, scene, app, status, italian):
    post, thread = scene["post"], scene["thread"]
    italian_flagger = make_user(session, clock, username="giulia", language="it")
    flags.raise_flag(session, Guardian(italian_flagger), post, kind=FlagKind.spam, clock=clock)
    # The moderator reads English; the flagger's notice follows the flagger's own setting.
    submit(
        client_for(app, scene["moderator"]), f"/mod/threads/{thread.id}/flags", {"status": status}
    )
    run_care(session, clock)

    page = client_for(app, italian_flagger).get("/notifications").text
    assert italian % thread.title in page
    assert "Your flag" not in page
    assert f"Messaggio n. {post.post_number} di Author" in page


def _flagger_items(app: FastAPI, flagger: User) -> tuple[str, list[dict[str, Any]]]:
    """The flagger's notifications page and their notifications in the API."""
    client = client_for(app, flagger)
    return client.get("/notifications").text, client.get("/api/v1/notifications").json()["items"]


def test_two_flags_upheld_in_one_thread_say_which_post_and_flag_each_was(
    session, clock, scene, app
):
    """Two flags upheld in one thread used to read alike; each now names its flag's kind and its
    post: number and author, and the post's first words while the flagger may still read them."""
    thread, spam_post, flagger = scene["thread"], scene["post"], scene["flagger"]
    bruno = make_user(session, clock, username="bruno")
    chat = make_reply(
        session, clock, author=bruno, thread=thread, body="Anyone watching the **match** tonight?"
    )
    for post, kind in ((spam_post, FlagKind.abuse), (chat, FlagKind.off_topic)):
        flags.raise_flag(session, Guardian(flagger), post, kind=kind, clock=clock)
    open_ = flags.open_flags(session, Guardian(scene["moderator"]), thread)
    flags.resolve(
        session, Guardian(scene["moderator"]), open_, status=FlagStatus.upheld, clock=clock
    )
    run_care(session, clock)

    page, items = _flagger_items(app, flagger)

    assert HIDDEN_NOTICE % ("abuse", thread.title) in page
    assert UPHELD_NOTICE % ("off-topic", thread.title) in page
    # The hidden post is named, never quoted; the one still in sight is.
    assert f"Post #{spam_post.post_number} by Author</span>" in page
    assert "Buy cheap watches" not in page
    assert f"Post #{chat.post_number} by Bruno: <q>Anyone watching the match tonight?</q>" in page
    by_kind = {item["flag_kind"]: item for item in items}
    assert set(by_kind) == {"abuse", "off_topic"}
    assert [
        (i["post_id"], i["post_number"], i["post_author"]["username"], i["post_excerpt"])
        for i in (by_kind["abuse"], by_kind["off_topic"])
    ] == [
        (spam_post.id, spam_post.post_number, "author", None),
        (chat.id, chat.post_number, "bruno", "Anyone watching the match tonight?"),
    ]


def test_the_flagged_posts_words_are_escaped_and_cut_short(session, clock, scene, app):
    thread, flagger = scene["thread"], scene["flagger"]
    body = 'Use <script>alert("x")</script> & "quotes" ' + "and then some more words " * 8
    post = make_reply(session, clock, author=make_user(session, clock), thread=thread, body=body)
    flag = flags.raise_flag(session, Guardian(flagger), post, kind=FlagKind.spam, clock=clock)
    flags.resolve(
        session, Guardian(scene["moderator"]), [flag], status=FlagStatus.dismissed, clock=clock
    )
    run_care(session, clock)

    page, (item,) = _flagger_items(app, flagger)

    assert "<script>" not in page
    assert (
        "<q>Use &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &#34;quotes&#34; and" in page
    )
    assert item["post_excerpt"].startswith('Use <script>alert("x")</script> & "quotes" and')
    assert item["post_excerpt"].endswith("…") and len(item["post_excerpt"]) <= 81


@pytest.mark.parametrize(
    "reason", [HiddenReason.personal_data, HiddenReason.awaiting_approval, HiddenReason.moderator]
)
def test_a_post_hidden_since_the_flag_is_no_longer_quoted(session, clock, scene, app, reason):
    """The flag was dismissed and the post quoted; once the post is hidden (held for personal
    data, say) the flagger may no longer read it, and the notification stops quoting it."""
    post, flagger = scene["post"], scene["flagger"]
    flag = flags.raise_flag(session, Guardian(flagger), post, kind=FlagKind.spam, clock=clock)
    flags.resolve(
        session, Guardian(scene["moderator"]), [flag], status=FlagStatus.dismissed, clock=clock
    )
    run_care(session, clock)
    page, (item,) = _flagger_items(app, flagger)
    assert "<q>Buy cheap watches here</q>" in page
    assert item["post_excerpt"] == "Buy cheap watches here"

    visibility.hide_post(session, post, reason=reason, by_id=None, now=clock.now())
    session.commit()

    page, (item,) = _flagger_items(app, flagger)
    assert "Buy cheap watches" not in page
    assert f"Post #{post.post_number} by Author</span>" in page  # as the thread shows it
    assert (item["post_number"], item["post_excerpt"]) == (post.post_number, None)


def test_a_deleted_post_or_a_hidden_thread_is_not_quoted(session, clock, scene, app):
    post, thread, flagger = scene["post"], scene["thread"], scene["flagger"]
    flag = flags.raise_flag(session, Guardian(flagger), post, kind=FlagKind.spam, clock=clock)
    flags.resolve(
        session, Guardian(scene["moderator"]), [flag], status=FlagStatus.dismissed, clock=clock
    )
    run_care(session, clock)

    visibility.hide_thread(
        session, thread, reason=HiddenReason.moderator, by_id=scene["moderator"].id, now=clock.now()
    )
    session.commit()
    page, (item,) = _flagger_items(app, flagger)
    # Out of the flagger's sight: not its title, nor which post, nor its words.
    assert thread.title not in page and "Buy cheap watches" not in page
    assert "Post #" not in page
    assert (item["thread_title"], item["post_number"], item["post_author"]) == (None, None, None)
    assert item["post_excerpt"] is None

    visibility.unhide_thread(session, thread, by_id=scene["moderator"].id, now=clock.now())
    posting.delete_post(session, Guardian(scene["author"]), post, clock=clock)
    page, (item,) = _flagger_items(app, flagger)
    assert "Buy cheap watches" not in page and item["post_excerpt"] is None
    assert f"Post #{post.post_number} by Author</span>" in page


def test_a_flag_resolved_before_its_event_named_the_kind_still_reads(session, clock, scene, app):
    """Events of flags resolved before 9aa9e06 carry no kind: the notice names none, and still
    says which post."""
    post, thread, flagger = scene["post"], scene["thread"], scene["flagger"]
    flag = flags.raise_flag(session, Guardian(flagger), post, kind=FlagKind.spam, clock=clock)
    flags.resolve(
        session, Guardian(scene["moderator"]), [flag], status=FlagStatus.upheld, clock=clock
    )
    event = session.exec(select(OutboxEvent).where(OutboxEvent.name == "flag_resolved")).one()
    data = dict(event.data)
    del data["kind"], data["post_hidden"]
    event.payload = json.dumps(data)
    session.add(event)
    session.commit()
    run_care(session, clock)

    page, (item,) = _flagger_items(app, flagger)

    assert f"Your flag on a post in {thread.title} was upheld: the moderators agree" in page
    assert f"Post #{post.post_number} by Author</span>" in page
    assert (item["flag_kind"], item["post_number"]) == (None, post.post_number)


def test_the_flag_kinds_are_named_as_the_queue_names_them():
    assert notifications.FLAG_KINDS == queue.FLAG_LABELS
    assert set(notifications.FLAG_KINDS) == {str(k) for k in FlagKind} - {"mutual_kudos"}
