"""Moderator tools: each is a moderator's alone, audited with before and after, one event each,
and leaves counters, solutions, watches and links consistent."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from community import accounts, kudos, listing, posting, profiles, solutions, visibility
from community.clock import FrozenClock
from community.errors import Conflict, Forbidden, Invalid, NotAuthenticated
from community.events import OutboxEvent
from community.models import Category, HiddenReason, Post, Role, Solution, Thread, User, Watch
from community.policy import Guardian
from moderation import audit, tools
from moderation.models import AuditEntry
from tests.factories import make_category, make_reply, make_thread, make_user
from tests.helpers import login
from tests.moderation.brand_helpers import submit


def _events(session: Session, name: str) -> list[OutboxEvent]:
    query = select(OutboxEvent).where(OutboxEvent.name == name).order_by(col(OutboxEvent.id))
    return list(session.exec(query))


def _audit_rows(session: Session, action: str) -> list[AuditEntry]:
    query = select(AuditEntry).where(AuditEntry.action == action).order_by(col(AuditEntry.id))
    return list(session.exec(query))


@pytest.fixture
def people(session: Session, clock: FrozenClock) -> dict[str, User]:
    return {
        "asker": make_user(session, clock, username="asker"),
        "member": make_user(session, clock, username="member"),
        "mod": make_user(session, clock, username="mod", role=Role.moderator),
        "mod2": make_user(session, clock, username="mod2", role=Role.moderator),
        "admin": make_user(session, clock, username="admin", role=Role.admin),
    }


def _g(user: User | None, clock: FrozenClock) -> Guardian:
    return Guardian(user, now=clock.now())


# --- permissions ---------------------------------------------------------------------------------


def test_members_are_refused_every_tool_and_anonymous_readers_asked_to_log_in(
    session: Session, clock: FrozenClock, people: dict[str, User]
) -> None:
    category, other = make_category(session), make_category(session)
    thread = make_thread(session, clock, author=people["asker"], category=category)
    into = make_thread(session, clock, author=people["asker"], category=category)
    post = make_reply(session, clock, author=people["member"], thread=thread)
    member = _g(people["member"], clock)
    calls: list[Callable[[Guardian], object]] = [
        lambda g: tools.hide_post(session, g, post, clock=clock),
        lambda g: tools.unhide_post(session, g, post, clock=clock),
        lambda g: tools.hide_thread(session, g, thread, clock=clock),
        lambda g: tools.unhide_thread(session, g, thread, clock=clock),
        lambda g: tools.lock_thread(session, g, thread, clock=clock),
        lambda g: tools.unlock_thread(session, g, thread, clock=clock),
        lambda g: tools.move_thread(session, g, thread, category=other, clock=clock),
        lambda g: tools.merge_thread(session, g, thread, into=into, clock=clock),
        lambda g: tools.suspend_user(
            session, g, people["asker"], duration=timedelta(days=1), reason="spam", clock=clock
        ),
        lambda g: tools.unsuspend_user(session, g, people["asker"], clock=clock),
        lambda g: tools.list_audit(session, g),
    ]
    for call in calls:
        with pytest.raises(Forbidden):
            call(member)
        with pytest.raises(NotAuthenticated):
            call(Guardian(None))
    assert session.exec(select(AuditEntry)).all() == []
    session.refresh(thread)
    assert not thread.is_hidden and not thread.is_locked and thread.category_id == category.id


def test_only_admins_browse_the_audit_log(
    session: Session, clock: FrozenClock, people: dict[str, User]
) -> None:
    with pytest.raises(Forbidden):
        tools.list_audit(session, _g(people["mod"], clock))
    assert tools.list_audit(session, _g(people["admin"], clock)).items == []


def test_the_audit_page_refuses_a_target_number_in_other_digits(
    session: Session, clock: FrozenClock, people: dict[str, User], client: TestClient
) -> None:
    thread = make_thread(session, clock, author=people["asker"], category=make_category(session))
    tools.lock_thread(session, _g(people["mod"], clock), thread, clock=clock)
    login(client, people["admin"])
    for target_id in ("²", "abc", "0"):
        page = client.get("/mod/audit", params={"target_id": target_id})
        assert page.status_code == 422, target_id
        assert 'id="audit-target-id-error"' in page.text
        assert "Give the target&#39;s number." in page.text
    page = client.get("/mod/audit", params={"before": "²"})  # a broken "older" link: from the top
    assert page.status_code == 200 and 'title="lock_thread"' in page.text


# --- hide / unhide -------------------------------------------------------------------------------


def test_hiding_a_post_is_audited_and_recorded_once(
    session: Session, clock: FrozenClock, people: dict[str, User]
) -> None:
    thread = make_thread(session, clock, author=people["asker"], category=make_category(session))
    post = make_reply(session, clock, author=people["member"], thread=thread, body="rude words")
    mod = _g(people["mod"], clock)

    tools.hide_post(session, mod, post, clock=clock)
    tools.hide_post(session, mod, post, clock=clock)  # again: nothing more happens

    assert post.is_hidden and post.hidden_reason == "moderator"
    assert post.hidden_by_id == people["mod"].id
    (event,) = _events(session, "post_hidden")
    assert event.data == {
        "post_id": post.id,
        "reason": "moderator",
        "by_id": people["mod"].id,
        "author_id": people["member"].id,
    }
    (entry,) = _audit_rows(session, "hide_post")
    assert (entry.actor_id, entry.target_type, entry.target_id) == (
        people["mod"].id,
        "post",
        post.id,
    )
    assert audit.loads(entry.before)["hidden"] is False
    assert audit.loads(entry.after) == {
        "hidden": True,
        "hidden_reason": "moderator",
        "hidden_by_id": people["mod"].id,
    }

    tools.unhide_post(session, mod, post, clock=clock)
    assert not post.is_hidden
    assert len(_events(session, "post_unhidden")) == 1
    (entry,) = _audit_rows(session, "unhide_post")
    assert audit.loads(entry.before)["hidden"] is True
    assert audit.loads(entry.after)["hidden"] is False


def test_hiding_a_thread_takes_it_off_every_list_but_a_moderators(
    session: Session, clock: FrozenClock, people: dict[str, User]
) -> None:
    category = make_category(session)
    thread = make_thread(session, clock, author=people["asker"], category=category)
    mod = _g(people["mod"], clock)
    tools.hide_thread(session, mod, thread, clock=clock)

    def ids(guardian: Guardian) -> list[int | None]:
        return [s.thread.id for s in listing.list_threads(session, guardian).items]

    assert ids(_g(people["member"], clock)) == []
    assert ids(Guardian(None)) == []
    assert ids(mod) == [thread.id]
    assert [s.thread.id for s in listing.my_threads(session, _g(people["asker"], clock)).items] == [
        thread.id
    ]  # its author still finds it among their threads
    (entry,) = _audit_rows(session, "hide_thread")
    assert audit.loads(entry.after)["hidden"] is True
    assert len(_events(session, "thread_hidden")) == 1

    tools.unhide_thread(session, mod, thread, clock=clock)
    assert ids(_g(people["member"], clock)) == [thread.id]
    assert len(_events(session, "thread_unhidden")) == 1


# --- lock -----------------------------------------------------------------------------------------


def test_a_locked_thread_refuses_members_replies_but_not_moderators(
    session: Session, clock: FrozenClock, people: dict[str, User]
) -> None:
    thread = make_thread(session, clock, author=people["asker"], category=make_category(session))
    tools.lock_thread(session, _g(people["mod"], clock), thread, clock=clock)

    with pytest.raises(Forbidden):
        posting.reply_to_thread(
            session, _g(people["member"], clock), thread, body="me too", clock=clock
        )
    posting.reply_to_thread(session, _g(people["mod2"], clock), thread, body="Noted.", clock=clock)
    (event,) = _events(session, "thread_locked")
    assert event.data == {"by_id": people["mod"].id}
    (entry,) = _audit_rows(session, "lock_thread")
    assert (audit.loads(entry.before), audit.loads(entry.after)) == (
        {"locked": False},
        {"locked": True},
    )

    tools.unlock_thread(session, _g(people["mod"], clock), thread, clock=clock)
    posting.reply_to_thread(
        session, _g(people["member"], clock), thread, body="me too", clock=clock
    )
    assert len(_events(session, "thread_unlocked")) == 1


# --- move -----------------------------------------------------------------------------------------


def test_a_thread_waiting_for_approval_counts_in_no_category_when_moved(
    session: Session, clock: FrozenClock, people: dict[str, User]
) -> None:
    source, target = make_category(session), make_category(session)
    newcomer = make_user(session, clock, username="newbie")
    waiting = make_thread(
        session, clock, author=newcomer, category=source, body="See https://example.org/x"
    )
    assert waiting.hidden_reason == HiddenReason.awaiting_approval

    tools.move_thread(session, _g(people["mod"], clock), waiting, category=target, clock=clock)
    for category in (source, target):
        session.refresh(category)
        assert (category.thread_count, category.post_count) == (0, 0)
    visibility.unhide_thread(session, waiting, by_id=people["mod"].id or 0, now=clock.now())
    session.commit()
    session.refresh(target)
    assert (target.thread_count, target.post_count) == (1, 1)
    assert (target.thread_count, target.post_count) == (1, 1)


def test_merging_moves_only_the_posts_readers_can_count(
    session: Session, clock: FrozenClock, people: dict[str, User]
) -> None:
    source, target = make_category(session), make_category(session)
    thread = make_thread(session, clock, author=people["asker"], category=source)
    make_reply(session, clock, author=people["member"], thread=thread)
    newcomer = make_user(session, clock, username="newbie")
    held = make_reply(session, clock, author=newcomer, thread=thread, body="https://example.org")
    assert held.hidden_reason == HiddenReason.awaiting_approval
    into = make_thread(session, clock, author=people["member"], category=target)

    tools.merge_thread(session, _g(people["mod"], clock), thread, into=into, clock=clock)
    for category in (source, target):
        session.refresh(category)
    assert (source.thread_count, source.post_count) == (0, 0)
    assert (target.thread_count, target.post_count) == (1, 3)


def _answers(session: Session, member: User) -> int:
    """The member's answer count, checked against the list their profile draws from."""
    session.expire_all()
    user = session.get(User, member.id)
    assert user is not None
    assert user.answer_count == len(session.exec(profiles._public_posts_of(user)).all())
    return user.answer_count


def test_merging_counts_the_answers_the_profile_lists_in_the_thread_merged_into(
    session: Session, clock: FrozenClock, people: dict[str, User]
) -> None:
    """A reply counts as an answer while it is readable in someone else's thread: merged, the
    question becomes an answer, a reply in the new author's thread stops being one, and hidden
    ones (or those in a hidden thread) count on neither side."""
    asker, member, mod = people["asker"], people["member"], people["mod"]
    category = make_category(session)
    helper = make_user(session, clock, username="helper")
    into = make_thread(session, clock, author=asker, category=category)
    merged = make_thread(session, clock, author=member, category=category)
    make_reply(session, clock, author=asker, thread=merged)
    make_reply(session, clock, author=helper, thread=merged)
    hidden = make_reply(session, clock, author=helper, thread=merged)
    visibility.hide_post(
        session, hidden, reason=HiddenReason.moderator, by_id=mod.id, now=clock.now()
    )
    session.commit()
    assert [_answers(session, u) for u in (asker, member, helper)] == [1, 0, 1]

    tools.merge_thread(session, _g(mod, clock), merged, into=into, clock=clock)

    # The asker's reply is in their own thread now; the member's question answers the asker.
    assert [_answers(session, u) for u in (asker, member, helper)] == [0, 1, 1]
    tools.unhide_post(session, _g(mod, clock), hidden, clock=clock)
    assert _answers(session, helper) == 2


def test_merging_into_or_out_of_a_hidden_thread_counts_what_readers_see(
    session: Session, clock: FrozenClock, people: dict[str, User]
) -> None:
    asker, member, mod = people["asker"], people["member"], people["mod"]
    category = make_category(session)
    hidden = make_thread(session, clock, author=asker, category=category)
    shown = make_thread(session, clock, author=asker, category=category)
    make_reply(session, clock, author=member, thread=shown)
    tools.hide_thread(session, _g(mod, clock), hidden, clock=clock)
    assert _answers(session, member) == 1

    tools.merge_thread(session, _g(mod, clock), shown, into=hidden, clock=clock)
    assert _answers(session, member) == 0
    tools.unhide_thread(session, _g(mod, clock), hidden, clock=clock)
    assert _answers(session, member) == 1

    again = make_thread(session, clock, author=asker, category=category)
    tools.hide_thread(session, _g(mod, clock), hidden, clock=clock)
    tools.merge_thread(session, _g(mod, clock), hidden, into=again, clock=clock)
    assert _answers(session, member) == 1  # out of the hidden thread, readable again
    assert _answers(session, asker) == 0  # the merged question is in the asker's own thread


def _standing(session: Session, member: User) -> tuple[int, int]:
    """The member's (threads started, accepted solutions), checked against the lists their
    profile draws them from, shown in full."""
    session.expire_all()
    user = session.get(User, member.id)
    assert user is not None
    posts = accounts.recent_posts(session, user, limit=10_000)
    assert user.thread_count == sum(r.post.is_question for r in posts)
    assert user.solution_count == len(profiles.recent_solutions(session, user, limit=10_000))
    return user.thread_count, user.solution_count


def test_merging_counts_the_threads_and_solutions_the_profile_lists(
    session: Session, clock: FrozenClock, people: dict[str, User]
) -> None:
    """The merged thread stops counting for its author once, if it counted; its solution counts
    while it is one of its author's answers in the thread merged into."""
    asker, member, mod = people["asker"], people["member"], people["mod"]
    category = make_category(session)
    helper = make_user(session, clock, username="helper")
    into = make_thread(session, clock, author=asker, category=category)
    hidden = make_thread(session, clock, author=member, category=category)
    answer = make_reply(session, clock, author=helper, thread=hidden)
    solutions.accept_solution(session, _g(member, clock), hidden, answer, clock=clock)
    make_thread(session, clock, author=member, category=category)
    tools.hide_thread(session, _g(mod, clock), hidden, clock=clock)
    assert (_standing(session, member), _standing(session, helper)) == ((1, 0), (0, 0))

    tools.merge_thread(session, _g(mod, clock), hidden, into=into, clock=clock)

    # Out of the hidden thread, the solution is readable again; the member's other thread stays.
    assert (_standing(session, member), _standing(session, helper)) == ((1, 0), (0, 1))
    assert _standing(session, asker) == (1, 0)


def test_merging_a_solution_into_a_hidden_thread_counts_it_once_shown(
    session: Session, clock: FrozenClock, people: dict[str, User]
) -> None:
    asker, member, mod = people["asker"], people["member"], people["mod"]
    category = make_category(session)
    into = make_thread(session, clock, author=asker, category=category)
    tools.hide_thread(session, _g(mod, clock), into, clock=clock)
    merged = make_thread(session, clock, author=asker, category=category)
    answer = make_reply(session, clock, author=member, thread=merged)
    solutions.accept_solution(session, _g(asker, clock), merged, answer, clock=clock)
    assert (_standing(session, asker), _standing(session, member)) == ((1, 0), (0, 1))

    tools.merge_thread(session, _g(mod, clock), merged, into=into, clock=clock)
    assert (_standing(session, asker), _standing(session, member)) == ((0, 0), (0, 0))
    tools.unhide_thread(session, _g(mod, clock), into, clock=clock)
    assert (_standing(session, asker), _standing(session, member)) == ((1, 0), (0, 1))


def test_moving_a_thread_keeps_both_categories_counters_right(
    session: Session, clock: FrozenClock, people: dict[str, User]
) -> None:
    source, target = make_category(session), make_category(session)
    older = make_thread(session, clock, author=people["member"], category=source)
    clock.advance(minutes=5)
    thread = make_thread(session, clock, author=people["asker"], category=source)
    make_reply(session, clock, author=people["member"], thread=thread)
    deleted = make_reply(session, clock, author=people["member"], thread=thread)
    posting.delete_post(session, _g(people["member"], clock), deleted, clock=clock)
    session.refresh(source)
    assert (source.thread_count, source.post_count) == (2, 3)
    assert source.last_thread_id == thread.id

    tools.move_thread(session, _g(people["mod"], clock), thread, category=target, clock=clock)

    session.refresh(source)
    session.refresh(target)
    assert (source.thread_count, source.post_count) == (1, 1)
    assert (target.thread_count, target.post_count) == (1, 2)
    assert source.last_thread_id == older.id
    assert target.last_thread_id == thread.id
    page = listing.list_threads(session, Guardian(None), category=target)
    assert [s.thread.id for s in page.items] == [thread.id]
    (event,) = _events(session, "thread_moved")
    assert event.thread_id == thread.id
    assert event.data == {
        "from_category_id": source.id,
        "to_category_id": target.id,
        "by_id": people["mod"].id,
    }
    (entry,) = _audit_rows(session, "move_thread")
    assert audit.loads(entry.before)["category"] == source.slug
    assert audit.loads(entry.after)["category"] == target.slug

    with pytest.raises(Invalid):
        tools.move_thread(session, _g(people["mod"], clock), thread, category=target, clock=clock)


# --- merge ----------------------------------------------------------------------------------------


def _thread_posts(session: Session, thread: Thread) -> list[Post]:
    query = select(Post).where(Post.thread_id == thread.id).order_by(col(Post.post_number))
    return list(session.exec(query))


def test_merging_appends_the_posts_in_order_and_keeps_every_post_reachable(
    session: Session, clock: FrozenClock, people: dict[str, User]
) -> None:
    first, second = make_category(session), make_category(session)
    into = make_thread(session, clock, author=people["asker"], category=first, title="Fibre drops")
    make_reply(session, clock, author=people["mod2"], thread=into, body="Check the cable.")
    clock.advance(minutes=1)
    merged = make_thread(
        session, clock, author=people["member"], category=second, title="Fibre drops at night"
    )
    answer = make_reply(session, clock, author=people["asker"], thread=merged, body="Same here.")
    own = make_reply(session, clock, author=people["member"], thread=merged, body="Still down.")
    kudos.give_kudos(session, _g(people["mod2"], clock), answer, clock=clock)
    solutions.accept_solution(session, _g(people["member"], clock), merged, answer, clock=clock)
    moved_ids = [p.id for p in _thread_posts(session, merged)]
    session.refresh(people["asker"])
    asker_answers = people["asker"].answer_count
    member_threads = people["member"].thread_count

    result = tools.merge_thread(session, _g(people["mod"], clock), merged, into=into, clock=clock)

    session.expire_all()
    posts = _thread_posts(session, into)
    assert [p.post_number for p in posts] == [1, 2, 3, 4, 5]  # unique, no gaps
    assert [p.id for p in posts[2:]] == moved_ids  # appended, in their order
    assert result.moved_post_ids == moved_ids
    assert _thread_posts(session, merged) == []
    for post in posts:  # every post's link leads to the thread that now holds it
        assert posting.post_url(post).startswith(f"/t/{into.id}")
        assert posting.get_post(session, Guardian(None), post.id or 0).thread_id == into.id

    into_row = session.get(Thread, into.id)
    merged_row = session.get(Thread, merged.id)
    assert into_row is not None and merged_row is not None
    assert merged_row.merged_into_id == into.id
    assert into_row.reply_count == 4
    assert into_row.kudos_count == 1
    assert into_row.last_post_id == own.id
    # The solution came along, since the thread merged into had none.
    solution = session.get(Solution, into.id)
    assert solution is not None and solution.post_id == answer.id and into_row.is_solved
    assert session.get(Solution, merged.id) is None
    # Counters: categories and people.
    first_row, second_row = session.get(Category, first.id), session.get(Category, second.id)
    assert first_row is not None and second_row is not None
    assert (first_row.thread_count, first_row.post_count) == (1, 5)
    assert (second_row.thread_count, second_row.post_count) == (0, 0)
    assert second_row.last_thread_id is None
    asker, member = session.get(User, people["asker"].id), session.get(User, people["member"].id)
    assert asker is not None and member is not None
    assert asker.answer_count == asker_answers - 1  # "Same here." is now in the asker's own thread
    assert member.thread_count == member_threads - 1
    # Watches: whoever watched the merged thread now watches the other.
    watchers = set(session.exec(select(Watch.user_id).where(Watch.thread_id == into.id)))
    assert {people["member"].id, people["asker"].id} <= watchers
    assert session.exec(select(Watch).where(Watch.thread_id == merged.id)).all() == []
    # Lists show the thread merged into, not the merged one.
    listed = [s.thread.id for s in listing.list_threads(session, Guardian(None)).items]
    assert listed == [into.id]
    (event,) = _events(session, "thread_merged")
    assert event.thread_id == merged.id
    assert event.data == {"into_thread_id": into.id, "by_id": people["mod"].id}
    (entry,) = _audit_rows(session, "merge_thread")
    assert audit.loads(entry.before)["merged_into_id"] is None
    assert audit.loads(entry.after)["merged_into_id"] == into.id
    assert audit.loads(entry.after)["post_numbers"][str(answer.id)] == [2, 4]


def test_merging_into_a_solved_thread_keeps_its_solution(
    session: Session, clock: FrozenClock, people: dict[str, User]
) -> None:
    category = make_category(session)
    into = make_thread(session, clock, author=people["asker"], category=category)
    kept = make_reply(session, clock, author=people["member"], thread=into)
    solutions.accept_solution(session, _g(people["asker"], clock), into, kept, clock=clock)
    merged = make_thread(session, clock, author=people["asker"], category=category)
    dropped = make_reply(session, clock, author=people["mod2"], thread=merged)
    solutions.accept_solution(session, _g(people["asker"], clock), merged, dropped, clock=clock)

    tools.merge_thread(session, _g(people["mod"], clock), merged, into=into, clock=clock)

    session.expire_all()
    solution = session.get(Solution, into.id)
    assert solution is not None and solution.post_id == kept.id
    mod2 = session.get(User, people["mod2"].id)
    assert mod2 is not None and mod2.solution_count == 0
    category_row = session.get(Category, category.id)
    assert category_row is not None and category_row.thread_count == 1


def test_a_merge_is_refused_when_it_makes_no_sense(
    session: Session, clock: FrozenClock, people: dict[str, User]
) -> None:
    category = make_category(session)
    mod = _g(people["mod"], clock)
    one = make_thread(session, clock, author=people["asker"], category=category)
    two = make_thread(session, clock, author=people["asker"], category=category)
    three = make_thread(session, clock, author=people["asker"], category=category)
    with pytest.raises(Invalid):
        tools.merge_thread(session, mod, one, into=one, clock=clock)
    tools.merge_thread(session, mod, one, into=two, clock=clock)
    with pytest.raises(Conflict):
        tools.merge_thread(session, mod, one, into=three, clock=clock)
    with pytest.raises(Invalid):
        tools.merge_thread(session, mod, three, into=one, clock=clock)
    # A merged thread takes no replies.
    with pytest.raises(Forbidden):
        posting.reply_to_thread(session, _g(people["member"], clock), one, body="hi", clock=clock)


# --- the forms that hide or merge ask to confirm --------------------------------------------------


def test_the_thread_page_asks_to_tick_a_box_before_hiding_or_merging(
    session: Session, clock: FrozenClock, people: dict[str, User], client: TestClient
) -> None:
    thread = make_thread(session, clock, author=people["asker"], category=make_category(session))
    login(client, people["mod"])
    for url in (f"/t/{thread.id}", f"/mod/threads/{thread.id}"):
        page = client.get(url).text
        assert f'id="hide-confirm-{thread.id}" name="confirm" value="yes" required' in page, url
        assert f'id="merge-confirm-{thread.id}" name="confirm" value="yes" required' in page, url


def test_the_tools_page_names_itself_once(
    session: Session, clock: FrozenClock, people: dict[str, User], client: TestClient
) -> None:
    thread = make_thread(session, clock, author=people["asker"], category=make_category(session))
    login(client, people["mod"])
    page = client.get(f"/mod/threads/{thread.id}").text
    body = page[page.index("<main") :]
    assert body.count("Moderator tools") == 1 and "<h1>Moderator tools</h1>" in body
    # On the thread page they stay a folded section under their own heading.
    assert "<summary>Moderator tools</summary>" in client.get(f"/t/{thread.id}").text


def test_hiding_a_thread_without_the_box_ticked_is_refused_next_to_it(
    session: Session, clock: FrozenClock, people: dict[str, User], client: TestClient
) -> None:
    thread = make_thread(session, clock, author=people["asker"], category=make_category(session))
    login(client, people["mod"])

    refused = submit(client, f"/mod/threads/{thread.id}/hide")
    assert refused.status_code == 422
    assert '<small class="field-error" id="hide-confirm-error" role="alert">' in refused.text
    assert "Tick the box to confirm hiding the thread." in refused.text
    assert 'aria-describedby="hide-confirm-error"' in refused.text
    session.refresh(thread)
    assert not thread.is_hidden
    assert _audit_rows(session, "hide_thread") == [] and _events(session, "thread_hidden") == []

    hidden = submit(client, f"/mod/threads/{thread.id}/hide", {"confirm": "yes"})
    assert hidden.status_code == 303 and hidden.headers["location"] == f"/t/{thread.id}"
    session.refresh(thread)
    assert thread.is_hidden and len(_audit_rows(session, "hide_thread")) == 1


def test_merging_without_the_box_ticked_is_refused_next_to_it_and_keeps_the_target(
    session: Session, clock: FrozenClock, people: dict[str, User], client: TestClient
) -> None:
    category = make_category(session)
    thread = make_thread(session, clock, author=people["asker"], category=category)
    into = make_thread(session, clock, author=people["asker"], category=category)
    login(client, people["mod"])

    refused = submit(client, f"/mod/threads/{thread.id}/merge", {"into": f"/t/{into.id}"})
    assert refused.status_code == 422
    assert '<small class="field-error" id="merge-confirm-error" role="alert">' in refused.text
    assert "Tick the box to confirm the merge." in refused.text
    assert f'value="/t/{into.id}"' in refused.text  # the target is kept, only the tick is missing
    session.refresh(thread)
    assert thread.merged_into_id is None
    assert _audit_rows(session, "merge_thread") == [] and _events(session, "thread_merged") == []

    merged = submit(
        client, f"/mod/threads/{thread.id}/merge", {"into": f"/t/{into.id}", "confirm": "yes"}
    )
    assert merged.status_code == 303 and merged.headers["location"] == f"/t/{into.id}"
    session.refresh(thread)
    assert thread.merged_into_id == into.id


def test_a_merge_with_a_bad_target_and_no_tick_names_both_problems(
    session: Session, clock: FrozenClock, people: dict[str, User], client: TestClient
) -> None:
    thread = make_thread(session, clock, author=people["asker"], category=make_category(session))
    login(client, people["mod"])

    refused = submit(client, f"/mod/threads/{thread.id}/merge", {"into": "somewhere"})
    assert refused.status_code == 422
    assert "Give the number or the link of the thread to merge into." in refused.text
    assert "Tick the box to confirm the merge." in refused.text
    session.refresh(thread)
    assert thread.merged_into_id is None


# --- suspend --------------------------------------------------------------------------------------


def test_a_suspended_member_cannot_post_reply_edit_or_give_kudos_and_is_told_why(
    session: Session, clock: FrozenClock, people: dict[str, User]
) -> None:
    category = make_category(session)
    thread = make_thread(session, clock, author=people["asker"], category=category)
    own = make_reply(session, clock, author=people["member"], thread=thread)
    other = make_reply(session, clock, author=people["asker"], thread=thread)
    member = people["member"]

    tools.suspend_user(
        session,
        _g(people["mod"], clock),
        member,
        duration=timedelta(days=3),
        reason="Insults in three threads",
        clock=clock,
    )

    guardian = _g(member, clock)
    attempts: list[Callable[[], object]] = [
        lambda: posting.create_thread(
            session,
            guardian,
            category=category,
            title="A new question here",
            body="text",
            tags=[],
            clock=clock,
        ),
        lambda: posting.reply_to_thread(session, guardian, thread, body="again", clock=clock),
        lambda: posting.edit_post(session, guardian, own, body="edited", clock=clock),
        lambda: kudos.give_kudos(session, guardian, other, clock=clock),
    ]
    for attempt in attempts:
        with pytest.raises(Forbidden) as refused:
            attempt()
        assert refused.value.message == "Your account is suspended until %(until)s: %(reason)s"
        assert refused.value.params == {
            "until": datetime(
                2026, 1, 18, 9, 0, tzinfo=UTC
            ),  # written for the reader at the boundary
            "reason": "Insults in three threads",
        }
    assert not guardian.can_reply_to(thread)
    assert not guardian.can_create_thread()
    assert not guardian.can_edit_post(own)
    assert not guardian.can_give_kudos(other)

    (event,) = _events(session, "user_suspended")
    assert event.data["user_id"] == member.id and event.data["reason"] == "Insults in three threads"
    (entry,) = _audit_rows(session, "suspend_user")
    assert audit.loads(entry.before) == {"suspended_until": None, "suspension_reason": None}
    assert audit.loads(entry.after) == {
        "suspended_until": "2026-01-18T09:00:00+00:00",
        "suspension_reason": "Insults in three threads",
    }

    # It runs out by itself...
    clock.advance(days=3, seconds=1)
    posting.reply_to_thread(session, _g(member, clock), thread, body="sorry", clock=clock)


def test_unsuspending_lifts_it_at_once(
    session: Session, clock: FrozenClock, people: dict[str, User]
) -> None:
    thread = make_thread(session, clock, author=people["asker"], category=make_category(session))
    member = people["member"]
    mod = _g(people["mod"], clock)
    tools.suspend_user(
        session, mod, member, duration=timedelta(hours=5), reason="spam", clock=clock
    )
    tools.unsuspend_user(session, mod, member, clock=clock)
    assert member.suspended_until is None and member.suspension_reason is None
    posting.reply_to_thread(session, _g(member, clock), thread, body="back", clock=clock)
    assert len(_events(session, "user_unsuspended")) == 1
    (entry,) = _audit_rows(session, "unsuspend_user")
    assert audit.loads(entry.after) == {"suspended_until": None, "suspension_reason": None}


def test_moderators_cannot_suspend_admins_or_themselves(
    session: Session, clock: FrozenClock, people: dict[str, User]
) -> None:
    mod = _g(people["mod"], clock)
    for target in (people["admin"], people["mod"]):
        with pytest.raises(Forbidden):
            tools.suspend_user(
                session, mod, target, duration=timedelta(days=1), reason="no", clock=clock
            )
    # Another moderator may be suspended (by a moderator or an admin), and then loses the tools.
    tools.suspend_user(
        session,
        _g(people["admin"], clock),
        people["mod2"],
        duration=timedelta(days=1),
        reason="Compromised account",
        clock=clock,
    )
    thread = make_thread(session, clock, author=people["asker"], category=make_category(session))
    with pytest.raises(Forbidden):
        tools.lock_thread(session, _g(people["mod2"], clock), thread, clock=clock)


def test_a_suspension_needs_a_duration_and_a_reason(
    session: Session, clock: FrozenClock, people: dict[str, User]
) -> None:
    mod = _g(people["mod"], clock)
    member = people["member"]
    with pytest.raises(Invalid) as no_time:
        tools.suspend_user(session, mod, member, duration=timedelta(0), reason="x", clock=clock)
    assert no_time.value.field == "duration"
    with pytest.raises(Invalid) as no_reason:
        tools.suspend_user(
            session, mod, member, duration=timedelta(days=1), reason=" ", clock=clock
        )
    assert no_reason.value.field == "reason"
    assert member.suspended_until is None
    assert session.exec(select(AuditEntry)).all() == []
