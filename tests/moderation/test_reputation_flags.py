"""Reputation meets moderation: upheld flags cost the author points (once per post), trusted
members' flags weigh more in the queue, mutual kudos reach the queue as a system flag a moderator
clears or upholds, and newcomers' posts waiting for approval are approved from the queue."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from community import kudos, visibility
from community.clock import FrozenClock
from community.errors import Conflict, Forbidden, Invalid
from community.models import (
    HiddenReason,
    KudosPair,
    Post,
    ReputationEntry,
    ReputationReason,
    Role,
    Thread,
    User,
)
from community.policy import Guardian
from community.settings import get_settings
from moderation import approvals, flags, queue
from moderation.models import AuditEntry, CareThread, Flag, FlagKind, FlagStatus
from tests.factories import make_category, make_reply, make_thread, make_user
from tests.helpers import csrf_token, login
from tests.moderation.care_helpers import run_care


@pytest.fixture
def scene(session: Session, clock: FrozenClock) -> dict[str, Any]:
    moderator = make_user(session, clock, username="mara", role=Role.moderator)
    author = make_user(session, clock, username="author")
    category = make_category(session)
    thread = make_thread(session, clock, author=author, category=category)
    make_reply(session, clock, author=moderator, thread=thread, body="Official answer.")
    post = make_reply(session, clock, author=author, thread=thread, body="Buy cheap watches here")
    run_care(session, clock)
    return {
        "moderator": moderator,
        "author": author,
        "category": category,
        "thread": thread,
        "post": post,
    }


def _flag(session: Session, clock: FrozenClock, who: User, post: Post, kind=FlagKind.spam) -> Flag:
    return flags.raise_flag(session, Guardian(who), post, kind=kind, clock=clock)


def _reputation(session: Session, user: User) -> int:
    session.expire_all()
    fresh = session.get(User, user.id)
    assert fresh is not None
    return fresh.reputation


def _penalties(session: Session, user: User) -> list[ReputationEntry]:
    return list(
        session.exec(
            select(ReputationEntry).where(
                ReputationEntry.user_id == user.id,
                ReputationEntry.reason == ReputationReason.flag_upheld,
            )
        )
    )


# Penalty -----------------------------------------------------------------------------------------


def test_upholding_flags_costs_the_author_the_penalty_once_per_post(session, clock, scene) -> None:
    author, post, thread = scene["author"], scene["post"], scene["thread"]
    guardian = Guardian(scene["moderator"])
    before = _reputation(session, author)
    # Off-topic: an upheld spam flag would hide the post, and nobody could flag it again.
    for name in ("ann", "ben"):
        _flag(session, clock, make_user(session, clock, username=name), post, FlagKind.off_topic)
    flags.resolve(
        session,
        guardian,
        flags.open_flags(session, guardian, thread),
        status=FlagStatus.upheld,
        clock=clock,
    )
    penalty = get_settings().points_flag_upheld
    assert penalty < 0
    assert _reputation(session, author) == before + penalty  # two flags, one post: once
    (entry,) = _penalties(session, author)
    assert (entry.points, entry.post_id, entry.actor_id) == (
        penalty,
        post.id,
        scene["moderator"].id,
    )

    # A later flag on the same post, upheld too, costs nothing more.
    _flag(session, clock, make_user(session, clock, username="cat"), post, FlagKind.off_topic)
    flags.resolve(
        session,
        guardian,
        flags.open_flags(session, guardian, thread),
        status=FlagStatus.upheld,
        clock=clock,
    )
    assert _reputation(session, author) == before + penalty
    assert len(_penalties(session, author)) == 1
    actions = session.exec(select(AuditEntry.action).where(AuditEntry.target_type == "flag")).all()
    assert sorted(actions) == ["flag_upheld"] * 3


def test_upholding_flags_on_two_posts_costs_twice(session, clock, scene) -> None:
    author, thread = scene["author"], scene["thread"]
    other = make_reply(session, clock, author=author, thread=thread, body="And more watches")
    flagger = make_user(session, clock, username="ann")
    _flag(session, clock, flagger, scene["post"])
    _flag(session, clock, flagger, other)
    before = _reputation(session, author)
    guardian = Guardian(scene["moderator"])
    flags.resolve(
        session,
        guardian,
        flags.open_flags(session, guardian, thread),
        status=FlagStatus.upheld,
        clock=clock,
    )
    assert _reputation(session, author) == before + 2 * get_settings().points_flag_upheld


def test_dismissing_a_flag_costs_nothing(session, clock, scene, client) -> None:
    author, thread = scene["author"], scene["thread"]
    before = _reputation(session, author)
    _flag(session, clock, make_user(session, clock, username="ann"), scene["post"])
    login(client, scene["moderator"])
    response = client.post(
        f"/mod/threads/{thread.id}/flags",
        data={"csrf_token": csrf_token(client), "status": "dismissed"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert _reputation(session, author) == before
    assert _penalties(session, author) == []


def test_the_penalty_is_in_the_same_transaction_as_the_verdict(session, clock, scene) -> None:
    """A verdict that loses the race (already resolved) leaves no penalty behind."""
    flag = _flag(session, clock, make_user(session, clock, username="ann"), scene["post"])
    guardian = Guardian(scene["moderator"])
    flags.resolve(session, guardian, [flag], status=FlagStatus.dismissed, clock=clock)
    with pytest.raises(Conflict):
        flags.resolve(session, guardian, [flag], status=FlagStatus.upheld, clock=clock)
    assert _penalties(session, scene["author"]) == []


# Weight ------------------------------------------------------------------------------------------


def test_a_trusted_members_flag_weighs_more_and_ranks_its_thread_higher(
    session, clock, scene
) -> None:
    moderator, category = scene["moderator"], scene["category"]
    author = make_user(session, clock, username="poster")
    posts = []
    for title in ("First watches advert", "Second watches advert"):
        thread = make_thread(session, clock, author=author, category=category, title=title)
        make_reply(session, clock, author=moderator, thread=thread, body="Official answer.")
        posts.append(make_reply(session, clock, author=author, thread=thread, body="Cheap!"))
    run_care(session, clock)
    newcomer = make_user(session, clock, username="newbie")
    trusted = make_user(session, clock, username="veteran")
    trusted.reputation = get_settings().rank_trusted
    session.add(trusted)
    session.commit()
    # The newcomer flags the older thread (which the id tie-break would favour).
    light = _flag(session, clock, newcomer, posts[0])
    heavy = _flag(session, clock, trusted, posts[1])
    assert light.weight == 1.0
    assert heavy.weight == get_settings().trusted_flag_weight > 1.0
    run_care(session, clock)
    rows = {p.thread_id: session.get(CareThread, p.thread_id) for p in posts}
    assert rows[posts[1].thread_id].urgent_at < rows[posts[0].thread_id].urgent_at
    page = queue.load_queue(
        session, Guardian(moderator), filters=queue.Filters(reason="flagged"), now=clock.now()
    )
    order = [row.thread.id for row in page.rows]
    assert order.index(posts[1].thread_id) < order.index(posts[0].thread_id)


def test_moderators_flags_weigh_as_trusted(session, clock, scene) -> None:
    other = make_user(session, clock, username="otto", role=Role.moderator)
    flag = _flag(session, clock, other, scene["post"])
    assert flag.weight == get_settings().trusted_flag_weight


# Mutual kudos ------------------------------------------------------------------------------------


@pytest.fixture
def traders(session: Session, clock: FrozenClock, scene: dict[str, Any]) -> dict[str, Any]:
    """Alice and Bob give each other kudos until the pair is detected."""
    alice = make_user(session, clock, username="alice")
    bob = make_user(session, clock, username="bob")
    thread = make_thread(session, clock, author=alice, category=scene["category"])
    make_reply(session, clock, author=scene["moderator"], thread=thread, body="Official answer.")
    minimum = get_settings().mutual_kudos_min
    by_alice = [make_reply(session, clock, author=alice, thread=thread) for _ in range(minimum)]
    by_bob = [make_reply(session, clock, author=bob, thread=thread) for _ in range(minimum)]
    for mine, theirs in zip(by_alice, by_bob, strict=True):
        kudos.give_kudos(session, Guardian(bob), mine, clock=clock)
        kudos.give_kudos(session, Guardian(alice), theirs, clock=clock)
    pair = session.exec(select(KudosPair)).one()
    assert pair.status == "suspected"
    run_care(session, clock)
    return {"alice": alice, "bob": bob, "thread": thread, "pair": pair}


def test_mutual_kudos_reach_the_queue_as_a_chip_naming_the_pair(
    session, clock, scene, traders, client
) -> None:
    thread = traders["thread"]
    flag = session.exec(select(Flag).where(Flag.kind == FlagKind.mutual_kudos)).one()
    assert flag.flagger_id is None
    assert {flag.pair_low_id, flag.pair_high_id} == {traders["alice"].id, traders["bob"].id}
    assert flag.thread_id == thread.id
    care = session.get(CareThread, thread.id)
    assert care.in_queue and care.open_flags == 1

    # Delivered twice, still one flag.
    events = session.exec(
        select(Flag).where(Flag.kind == FlagKind.mutual_kudos, Flag.post_id == flag.post_id)
    ).all()
    assert len(events) == 1

    login(client, scene["moderator"])
    page = client.get("/mod/queue?reason=mutual_kudos").text
    assert "mutual kudos: @alice ⇄ @bob" in page
    assert "Kudos are fair" in page
    api = client.get("/api/v1/moderation/queue?reason=mutual_kudos").json()
    (row,) = [r for r in api["items"] if r["id"] == thread.id]
    assert "mutual_kudos" in row["reasons"]


def test_members_cannot_raise_a_mutual_kudos_flag(session, clock, scene) -> None:
    with pytest.raises(Invalid):
        flags.parse_kind("mutual_kudos")
    member = make_user(session, clock, username="ann")
    with pytest.raises(Invalid):
        _flag(session, clock, member, scene["post"], kind=FlagKind.mutual_kudos)


def test_dismissing_mutual_kudos_clears_the_pair_and_leaves_members_flags(
    session, clock, scene, traders, client
) -> None:
    thread, alice, bob = traders["thread"], traders["alice"], traders["bob"]
    flagged = session.exec(select(Flag).where(Flag.kind == FlagKind.mutual_kudos)).one()
    member_flag = _flag(session, clock, make_user(session, clock, username="ann"), scene["post"])
    member_flag_on_thread = _flag(
        session,
        clock,
        make_user(session, clock, username="dan"),
        session.get(Post, flagged.post_id),
        kind=FlagKind.off_topic,
    )
    run_care(session, clock)
    before = (_reputation(session, alice), _reputation(session, bob))
    login(client, scene["moderator"])
    response = client.post(
        f"/mod/threads/{thread.id}/flags?which=mutual_kudos",
        data={"csrf_token": csrf_token(client), "status": "dismissed"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    session.expire_all()
    pair = session.get(KudosPair, (flagged.pair_low_id, flagged.pair_high_id))
    assert pair is not None and pair.status == "cleared"
    assert pair.resolved_by_id == scene["moderator"].id
    assert session.get(Flag, flagged.id).status == FlagStatus.dismissed
    assert session.get(Flag, member_flag_on_thread.id).status == FlagStatus.open
    assert session.get(Flag, member_flag.id).status == FlagStatus.open
    assert (_reputation(session, alice), _reputation(session, bob)) == before  # no penalty

    # Cleared: their kudos earn points again.
    extra = make_reply(session, clock, author=alice, thread=thread, body="One more tip.")
    kudos.give_kudos(session, Guardian(bob), extra, clock=clock)
    assert _reputation(session, alice) == before[0] + get_settings().points_answer_kudos


def test_upholding_mutual_kudos_confirms_the_pair_without_a_penalty(
    session, clock, scene, traders
) -> None:
    thread, alice, bob = traders["thread"], traders["alice"], traders["bob"]
    guardian = Guardian(scene["moderator"])
    before = (_reputation(session, alice), _reputation(session, bob))
    chosen = flags.open_flags(session, guardian, thread, which="mutual_kudos")
    flags.resolve(session, guardian, chosen, status=FlagStatus.upheld, clock=clock)
    session.expire_all()
    pair = session.exec(select(KudosPair)).one()
    assert pair.status == "upheld"
    assert (_reputation(session, alice), _reputation(session, bob)) == before
    audit = session.exec(select(AuditEntry).where(AuditEntry.action == "flag_upheld")).one()
    assert audit.target_id == chosen[0].id
    run_care(session, clock)
    assert not session.get(CareThread, thread.id).in_queue  # answered, nothing else open


def test_which_flags_to_resolve_is_checked(session, clock, scene, client) -> None:
    login(client, scene["moderator"])
    response = client.post(
        f"/mod/threads/{scene['thread'].id}/flags?which=everything",
        data={"csrf_token": csrf_token(client), "status": "dismissed"},
    )
    assert response.status_code == 422


# Waiting for approval ----------------------------------------------------------------------------


def _hide_for_approval(session: Session, clock: FrozenClock, item: Post | Thread) -> None:
    if isinstance(item, Thread):
        visibility.hide_thread(
            session, item, reason=HiddenReason.awaiting_approval, by_id=None, now=clock.now()
        )
    else:
        visibility.hide_post(
            session, item, reason=HiddenReason.awaiting_approval, by_id=None, now=clock.now()
        )
    session.commit()


def test_a_thread_awaiting_approval_is_approved_from_the_queue(
    session, clock, scene, client
) -> None:
    newcomer = make_user(session, clock, username="newbie")
    thread = make_thread(
        session,
        clock,
        author=newcomer,
        category=scene["category"],
        title="Which router works with fibre",
        body="See https://example.com/router please",
    )
    if thread.hidden_reason != HiddenReason.awaiting_approval:
        _hide_for_approval(session, clock, thread)
    make_reply(session, clock, author=scene["moderator"], thread=thread, body="Official answer.")
    run_care(session, clock)
    thread_id = thread.id
    care = session.get(CareThread, thread.id)
    assert care.in_queue and care.awaiting_approval

    reader = TestClient(client.app, base_url="https://testserver")
    login(reader, make_user(session, clock, username="reader"))
    assert reader.get(f"/t/{thread.id}").status_code == 404
    assert reader.post(
        f"/mod/threads/{thread.id}/approve", data={"csrf_token": csrf_token(reader)}
    ).status_code in (403, 404)

    login(client, scene["moderator"])
    page = client.get("/mod/queue?reason=awaiting_approval").text
    assert "awaiting approval" in page and f"/mod/threads/{thread.id}/approve" in page
    response = client.post(
        f"/mod/threads/{thread.id}/approve",
        data={"csrf_token": csrf_token(client), "next": "/mod/queue"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    session.expire_all()
    assert session.get(Thread, thread.id).hidden_at is None
    assert not session.get(CareThread, thread.id).awaiting_approval
    entry = session.exec(select(AuditEntry).where(AuditEntry.action == "approve_thread")).one()
    assert (entry.actor_id, entry.target_id) == (scene["moderator"].id, thread.id)
    assert '"awaiting_approval"' in entry.before
    assert reader.get(f"/t/{thread.id}").status_code == 200

    # Twice: nothing waits any more.
    again = client.post(
        f"/mod/threads/{thread_id}/approve", data={"csrf_token": csrf_token(client)}
    )
    assert again.status_code == 409


def test_a_reply_awaiting_approval_puts_an_answered_thread_back_in_the_queue(
    session, clock, scene, client
) -> None:
    thread = scene["thread"]
    newcomer = make_user(session, clock, username="newbie")
    reply = make_reply(session, clock, author=newcomer, thread=thread, body="Try https://x.example")
    if reply.hidden_reason != HiddenReason.awaiting_approval:
        _hide_for_approval(session, clock, reply)
    run_care(session, clock)
    care = session.get(CareThread, thread.id)
    assert care.in_queue and care.awaiting_approval
    rows = queue.describe(session, [care], now=clock.now())
    assert "awaiting_approval" in rows[0].reasons

    member = make_user(session, clock, username="ann")
    with pytest.raises(Forbidden):
        approvals.approve(session, Guardian(member), thread, clock=clock)
    login(client, member)
    url = f"/api/v1/moderation/threads/{thread.id}/approve"
    headers = {"X-CSRF-Token": csrf_token(client)}
    assert client.post(url, headers=headers).status_code == 403
    mod = TestClient(client.app, base_url="https://testserver")
    login(mod, scene["moderator"])
    approved = mod.post(url, headers={"X-CSRF-Token": csrf_token(mod)})
    assert approved.status_code == 200
    assert approved.json() == {"thread_id": thread.id, "approved": 1}
    session.expire_all()
    assert session.get(Post, reply.id).hidden_at is None
    assert session.exec(select(AuditEntry.action)).all() == ["approve_post"]
    run_care(session, clock)
    assert not session.get(CareThread, thread.id).in_queue


def test_awaiting_approval_ranks_above_a_plain_unanswered_thread(session, clock, scene) -> None:
    category = scene["category"]
    asker = make_user(session, clock, username="asker")
    plain = make_thread(session, clock, author=asker, category=category, title="Plain question")
    waiting = make_thread(session, clock, author=asker, category=category, title="Link question")
    _hide_for_approval(session, clock, waiting)
    run_care(session, clock)
    assert (
        session.get(CareThread, waiting.id).urgent_at < session.get(CareThread, plain.id).urgent_at
    )
