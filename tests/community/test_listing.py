import base64
import itertools
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, event
from sqlmodel import Session

from community import categories, listing
from community.errors import Conflict, Forbidden, Invalid, NotAuthenticated, NotFound
from community.models import Category, Role, Thread, User
from community.policy import Guardian
from community.settings import get_settings
from tests.factories import make_category, make_reply, make_thread, make_user, set_thread


@pytest.fixture(autouse=True)
def many_posts_a_minute(monkeypatch):
    """These tests post dozens of threads within one wall-clock second."""
    monkeypatch.setattr(get_settings(), "posts_limit_per_minute", 10_000)


def ids(page: listing.ThreadPage) -> list[int]:
    return [s.thread.id for s in page.items]  # type: ignore[misc]


@pytest.fixture
def people(session, clock) -> dict[str, User]:
    return {
        "asker": make_user(session, clock, username="asker"),
        "helper": make_user(session, clock, username="helper"),
        "mod": make_user(session, clock, username="mod", role=Role.moderator),
    }


@pytest.fixture
def states(session, clock, people) -> dict[str, Thread]:
    """One thread in each state a filter tells apart, a minute of activity apart."""
    category = make_category(session, slug="broadband")
    asker, helper = people["asker"], people["helper"]

    def thread(title: str) -> Thread:
        clock.advance(minutes=1)
        return make_thread(session, clock, author=asker, category=category, title=title)

    silent = thread("Nobody has replied here")
    self_replied = thread("Only the asker replied here")
    make_reply(session, clock, author=asker, thread=self_replied, body="Any ideas, anyone?")
    answered = thread("A peer replied to this one")
    make_reply(session, clock, author=helper, thread=answered)
    solved = thread("This one has a solution")
    make_reply(session, clock, author=helper, thread=solved)
    set_thread(session, solved, solved_at=clock.now())
    deleted = thread("This one was deleted")
    set_thread(session, deleted, deleted_at=clock.now(), deleted_by_id=people["mod"].id)
    return {
        "silent": silent,
        "self_replied": self_replied,
        "answered": answered,
        "solved": solved,
        "deleted": deleted,
    }


@pytest.mark.parametrize(
    ("filter", "expected"),
    [
        ("all", ["solved", "answered", "self_replied", "silent"]),
        ("unanswered", ["self_replied", "silent"]),
        ("unsolved", ["answered", "self_replied", "silent"]),
        ("solved", ["solved"]),
    ],
)
def test_filters_pick_the_right_threads_and_hide_deleted_ones(
    session, people, states, filter, expected
):
    page = listing.list_threads(session, Guardian(people["helper"]), filter=filter)
    assert ids(page) == [states[name].id for name in expected]
    assert page.next_cursor is None


def test_moderators_also_see_deleted_threads(session, people, states):
    page = listing.list_threads(session, Guardian(people["mod"]), filter="unanswered")
    assert ids(page) == [states[n].id for n in ("deleted", "self_replied", "silent")]
    anonymous = listing.list_threads(session, Guardian(None))
    assert states["deleted"].id not in ids(anonymous)


def test_sorts_order_by_activity_creation_or_kudos(session, clock, people, states):
    guardian = Guardian(people["helper"])
    clock.advance(minutes=1)
    make_reply(session, clock, author=people["helper"], thread=states["silent"])
    set_thread(session, states["answered"], kudos_count=7)
    set_thread(session, states["self_replied"], kudos_count=2)

    activity = listing.list_threads(session, guardian, sort="activity")
    newest = listing.list_threads(session, guardian, sort="newest")
    kudos = listing.list_threads(session, guardian, sort="kudos")

    assert ids(activity) == [states[n].id for n in ("silent", "solved", "answered", "self_replied")]
    assert ids(newest) == [states[n].id for n in ("solved", "answered", "self_replied", "silent")]
    # Equal kudos (0 and 0): the newer id first.
    assert ids(kudos) == [states[n].id for n in ("answered", "self_replied", "solved", "silent")]


def test_a_category_lists_only_its_own_threads(session, clock, people, states):
    other = make_category(session, slug="mobile")
    elsewhere = make_thread(session, clock, author=people["asker"], category=other)
    guardian = Guardian(people["asker"])
    assert ids(listing.list_threads(session, guardian, category=other)) == [elsewhere.id]
    broadband = listing.get_category(session, "broadband")
    assert elsewhere.id not in ids(listing.list_threads(session, guardian, category=broadband))
    assert ids(listing.list_threads(session, guardian))[0] == elsewhere.id


def test_a_summary_carries_author_category_and_tags(session, clock, people):
    category = make_category(session, slug="tv")
    make_thread(session, clock, author=people["asker"], category=category, tags=["decoder", "hdmi"])
    (summary,) = listing.list_threads(session, Guardian(None)).items
    assert summary.author.display_name == "Asker"
    assert summary.category.slug == "tv"
    assert summary.tags == ["decoder", "hdmi"]


def walk(session: Session, guardian: Guardian, **kwargs: object) -> list[int]:
    seen: list[int] = []
    cursor = None
    for _ in range(100):
        page = listing.list_threads(session, guardian, cursor=cursor, limit=4, **kwargs)  # type: ignore[arg-type]
        assert len(page.items) <= 4
        seen += ids(page)
        cursor = page.next_cursor
        if cursor is None:
            return seen
    raise AssertionError("pagination never ended")


def test_keyset_pages_walk_every_thread_once_even_when_keys_tie(session, clock, people):
    category = make_category(session, slug="billing")
    other = make_category(session, slug="other")
    threads = []
    # Groups of threads share a timestamp, and kudos take only three values: many ties.
    for n in range(23):
        if n % 5 == 0:
            clock.advance(minutes=1)
        thread = make_thread(
            session,
            clock,
            author=people["asker"],
            category=category if n % 4 else other,
            title=f"Question number {n}",
        )
        set_thread(
            session,
            thread,
            kudos_count=n % 3,
            first_response_at=clock.now() if n % 2 else None,
            solved_at=clock.now() if n % 3 == 0 else None,
        )
        threads.append(thread)
    guardian = Guardian(people["helper"])
    sort_keys: dict[str, Callable[[Thread], tuple[Any, int | None]]] = {
        "activity": lambda t: (t.last_activity_at, t.id),
        "newest": lambda t: (t.created_at, t.id),
        "kudos": lambda t: (t.kudos_count, t.id),
    }
    keep: dict[str, Callable[[Thread], bool]] = {
        "all": lambda _t: True,
        "unanswered": lambda t: t.first_response_at is None,
        "unsolved": lambda t: t.solved_at is None,
        "solved": lambda t: t.solved_at is not None,
    }
    for sort, filter, scope in itertools.product(sort_keys, keep, (None, category)):
        expected = sorted(
            (
                t
                for t in threads
                if keep[filter](t) and (scope is None or t.category_id == scope.id)
            ),
            key=sort_keys[sort],
            reverse=True,
        )
        seen = walk(session, guardian, sort=sort, filter=filter, category=scope)
        assert seen == [t.id for t in expected], (sort, filter, scope)


@pytest.mark.parametrize(
    "cursor",
    [
        "not base64 at all!",
        base64.urlsafe_b64encode(b"\xff\xfe").decode(),
        base64.urlsafe_b64encode(b"a|yesterday|3").decode(),
        base64.urlsafe_b64encode(b"a|2026-01-15T09:00:00|3").decode(),  # no time zone
        base64.urlsafe_b64encode(b"k|3|0").decode(),
        base64.urlsafe_b64encode(b"k|three|4").decode(),
        "A" * 500,
    ],
)
def test_a_malformed_cursor_is_refused(session, people, cursor):
    with pytest.raises(Invalid) as caught:
        listing.list_threads(session, Guardian(None), sort="kudos", cursor=cursor)
    assert caught.value.field == "cursor"


def test_a_cursor_of_another_sort_is_refused(session, clock, people, states):
    first = listing.list_threads(session, Guardian(None), sort="kudos", limit=1)
    assert first.next_cursor is not None
    with pytest.raises(Invalid):
        listing.list_threads(session, Guardian(None), sort="newest", cursor=first.next_cursor)


def test_my_threads_started_and_replied(session, clock, people, states):
    asker, helper = Guardian(people["asker"]), Guardian(people["helper"])
    started = listing.my_threads(session, asker)
    assert ids(started) == [states[n].id for n in ("solved", "answered", "self_replied", "silent")]
    assert ids(listing.my_threads(session, helper)) == []

    clock.advance(minutes=1)
    make_reply(session, clock, author=people["helper"], thread=states["answered"], body="Again")
    replied = listing.my_threads(session, helper, tab="replied")
    assert ids(replied) == [states["answered"].id, states["solved"].id]
    # The asker's replies in their own threads are not "replied to".
    assert ids(listing.my_threads(session, asker, tab="replied")) == []

    first = listing.my_threads(session, helper, tab="replied", limit=1)
    second = listing.my_threads(session, helper, tab="replied", limit=1, cursor=first.next_cursor)
    assert ids(first) + ids(second) == ids(replied)
    assert second.next_cursor is None


def test_my_threads_pages_without_gaps(session, clock, people):
    category = make_category(session)
    made = [
        make_thread(
            session, clock, author=people["asker"], category=category, title=f"Same time {n}"
        )
        for n in range(7)
    ]
    guardian = Guardian(people["asker"])
    seen: list[int] = []
    page = listing.my_threads(session, guardian, limit=3)
    seen += ids(page)
    while page.next_cursor:
        page = listing.my_threads(session, guardian, limit=3, cursor=page.next_cursor)
        seen += ids(page)
    assert seen == [t.id for t in reversed(made)]


def test_my_threads_needs_a_signed_in_user(session):
    with pytest.raises(NotAuthenticated):
        listing.my_threads(session, Guardian(None))


def test_category_overviews_in_position_order_with_a_visible_last_thread(session, clock, people):
    second = make_category(session, slug="second", position=2)
    first = make_category(session, slug="first", position=1)
    latest = make_thread(session, clock, author=people["asker"], category=first)
    hidden = make_thread(session, clock, author=people["asker"], category=second)
    set_thread(session, hidden, deleted_at=clock.now())

    overviews = listing.category_overviews(session, Guardian(None))
    assert [o.category.slug for o in overviews] == ["first", "second"]
    assert overviews[0].last_thread is not None and overviews[0].last_thread.id == latest.id
    assert overviews[1].last_thread is None
    moderated = listing.category_overviews(session, Guardian(people["mod"]))
    assert moderated[1].last_thread is not None


def test_categories_with_the_same_position_go_by_name_as_in_the_editor(session):
    make_category(session, slug="zeta", position=1)
    make_category(session, slug="alfa", position=1)
    make_category(session, slug="beta", position=0)
    assert [c.slug for c in listing.list_categories(session)] == ["beta", "alfa", "zeta"]


def test_unknown_category_is_not_found(session):
    with pytest.raises(NotFound):
        listing.get_category(session, "nope")


def test_admins_create_and_update_categories(session, clock):
    admin = Guardian(make_user(session, clock, role=Role.admin))
    made = categories.create_category(
        session, admin, slug="Billing", name="  Bills  and payments ", position=3, clock=clock
    )
    assert (made.slug, made.name, made.position) == ("billing", "Bills and payments", 3)
    categories.update_category(
        session,
        admin,
        made,
        description_it="Fatture e rimborsi.",
        description_en="Invoices, refunds.",
        position=1,
        clock=clock,
    )
    stored = session.get(Category, made.id)
    assert (stored.description_it, stored.description_en) == (
        "Fatture e rimborsi.",
        "Invoices, refunds.",
    )
    categories.update_category(session, admin, made, description_en="Bills.", clock=clock)
    assert (stored.description_it, stored.description_en) == ("Fatture e rimborsi.", "Bills.")
    with pytest.raises(Invalid) as too_long:
        categories.update_category(session, admin, made, description_it="x" * 501, clock=clock)
    assert too_long.value.field == "description_it"

    with pytest.raises(Conflict):
        categories.create_category(session, admin, slug="billing", name="Again", clock=clock)
    with pytest.raises(Invalid):
        categories.create_category(session, admin, slug="no spaces", name="X", clock=clock)
    with pytest.raises(Invalid):
        categories.create_category(session, admin, slug="empty-name", name=" ", clock=clock)
    member = Guardian(make_user(session, clock))
    with pytest.raises(Forbidden):
        categories.create_category(session, member, slug="mine", name="Mine", clock=clock)


# --- query plans ----------------------------------------------------------------------------------


class Statements:
    """Records the SQL an engine runs, to EXPLAIN it afterwards with the same parameters."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.seen: list[tuple[str, object]] = []

    def __enter__(self) -> "Statements":
        event.listen(self.engine, "before_cursor_execute", self._record)
        return self

    def __exit__(self, *exc: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self._record)

    def _record(self, _conn, _cursor, statement, parameters, *_rest) -> None:
        self.seen.append((statement, parameters))

    def ordered(self) -> list[tuple[str, object]]:
        return [(s, p) for s, p in self.seen if "ORDER BY" in s]


def sqlite_plan(engine: Engine, statement: str, parameters: object) -> str:
    with engine.connect() as conn:
        rows = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters).all()  # type: ignore[arg-type]
    return "\n".join(row[-1] for row in rows)


SORT_INDEX = {"activity": "activity", "newest": "created", "kudos": "kudos"}
SORT_KEY_COLUMN = {"activity": "last_activity_at", "newest": "created_at", "kudos": "kudos_count"}


def expected_index(filter: str, sort: str, in_category: bool) -> str:
    prefix = "ix_thread_unanswered_" if filter == "unanswered" else "ix_thread_"
    return prefix + ("category_" if in_category else "") + SORT_INDEX[sort]


@pytest.mark.sqlite_only
def test_every_list_query_walks_an_index_without_sorting(db, session, clock, people, states):
    category = session.get(Category, states["silent"].category_id)
    for filter, sort, in_category, who in itertools.product(
        listing.THREAD_FILTERS, listing.THREAD_SORTS, (True, False), ("helper", "mod")
    ):
        guardian = Guardian(people[who])
        cursor = listing.list_threads(session, guardian, sort=sort, limit=1).next_cursor
        for page_cursor in (None, cursor):
            with Statements(db) as statements:
                listing.list_threads(
                    session,
                    guardian,
                    category=category if in_category else None,
                    filter=filter,
                    sort=sort,
                    cursor=page_cursor,
                )
            plans = [sqlite_plan(db, s, p) for s, p in statements.ordered()]
            # The first page is one query; a later one asks for the rest of the rows that tie
            # with the cursor's key, then (if the page is not full yet) for the rows below it.
            assert len(plans) == (1 if page_cursor is None else 2)
            index = expected_index(filter, sort, in_category)
            key = SORT_KEY_COLUMN[sort]
            for n, plan in enumerate(plans):
                assert re.search(rf"SEARCH thread USING INDEX {index} \(", plan) or (
                    page_cursor is None
                    and not in_category
                    and plan.startswith("SCAN thread USING INDEX " + index)
                ), (plan, index)
                assert "TEMP B-TREE" not in plan, plan
                if page_cursor is not None:
                    seek = f"{key}=? AND id<?)" if n == 0 else f"{key}<?)"
                    assert seek in plan, (plan, seek)


@pytest.mark.sqlite_only
def test_my_threads_queries_use_the_author_indexes(db, session, people, states):
    asker, helper = Guardian(people["asker"]), Guardian(people["helper"])
    first = listing.my_threads(session, asker, limit=1)
    with Statements(db) as statements:
        listing.my_threads(session, asker, limit=1, cursor=first.next_cursor)
    for statement, parameters in statements.ordered():
        plan = sqlite_plan(db, statement, parameters)
        assert "SEARCH thread USING INDEX ix_thread_author_activity (author_id=? AND" in plan
        assert "TEMP B-TREE" not in plan, plan

    with Statements(db) as statements:
        listing.my_threads(session, helper, tab="replied")
    ((statement, parameters),) = statements.ordered()
    plan = sqlite_plan(db, statement, parameters)
    # Walks the person's replies newest first, checking each thread's few later posts.
    assert "SEARCH post USING INDEX ix_post_author_created (author_id=?)" in plan, plan
    assert "SEARCH thread USING INTEGER PRIMARY KEY" in plan, plan
    assert "TEMP B-TREE" not in plan, plan


@pytest.mark.sqlite_only
def test_counting_the_replies_held_from_a_reader_reads_only_the_hidden_posts(
    db, session, people, states
):
    with Statements(db) as statements:
        listing.list_threads(session, Guardian(people["helper"]))
    (count,) = [(s, p) for s, p in statements.seen if "hidden_at IS NOT NULL" in s]
    plan = sqlite_plan(db, *count)
    # The partial index of hidden posts, not every post of the threads listed.
    assert "USING INDEX ix_post_hidden_thread (thread_id=?)" in plan, plan


def pg_plan(engine: Engine, statement: str, parameters: object) -> dict[str, Any]:
    """The plan PostgreSQL picks when any index-ordered plan exists (tiny tables aside)."""
    with engine.connect() as conn:
        for setting in ("enable_seqscan", "enable_sort", "enable_bitmapscan"):
            conn.exec_driver_sql(f"SET {setting} = off")
        (plan,) = conn.exec_driver_sql(f"EXPLAIN (FORMAT JSON) {statement}", parameters).one()  # type: ignore[arg-type]
    return dict(plan[0]["Plan"])


def plan_nodes(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield node
    for child in node.get("Plans", []):
        yield from plan_nodes(child)


@pytest.mark.postgres
def test_postgresql_pages_and_plans(pg_engine, clock):
    with Session(pg_engine, expire_on_commit=False) as session:
        asker = make_user(session, clock, username="asker")
        mod = make_user(session, clock, username="mod", role=Role.moderator)
        category = make_category(session, slug="broadband")
        other = make_category(session, slug="mobile")
        threads = []
        for n in range(9):
            if n % 3 == 0:
                clock.advance(minutes=1)
            thread = make_thread(
                session,
                clock,
                author=asker,
                category=category if n % 2 else other,
                title=f"Question number {n}",
            )
            set_thread(
                session,
                thread,
                kudos_count=n % 2,
                first_response_at=clock.now() if n % 3 else None,
                solved_at=clock.now() if n % 4 == 0 else None,
            )
            threads.append(thread)
        guardian = Guardian(mod)
        assert walk(session, guardian, sort="kudos") == [
            t.id for t in sorted(threads, key=lambda t: (t.kudos_count, t.id), reverse=True)
        ]
        assert walk(session, guardian, sort="newest", category=category) == [
            t.id
            for t in sorted(threads, key=lambda t: (t.created_at, t.id), reverse=True)
            if t.category_id == category.id
        ]

        for filter, sort, in_category in itertools.product(
            listing.THREAD_FILTERS, listing.THREAD_SORTS, (True, False)
        ):
            cursor = listing.list_threads(session, guardian, sort=sort, limit=1).next_cursor
            with Statements(pg_engine) as statements:
                listing.list_threads(
                    session,
                    guardian,
                    category=category if in_category else None,
                    filter=filter,
                    sort=sort,
                    cursor=cursor,
                )
            for statement, parameters in statements.ordered():
                nodes = list(plan_nodes(pg_plan(pg_engine, statement, parameters)))
                kinds = {node["Node Type"] for node in nodes}
                assert not kinds & {"Sort", "Incremental Sort", "Seq Scan"}, (kinds, filter, sort)
                # With tiny tables PostgreSQL may prefer the all-categories index (filtering on
                # the category) to the per-category one: either way it reads in sort order.
                used = {node.get("Index Name") for node in nodes} - {None}
                assert used and all(str(name).endswith(SORT_INDEX[sort]) for name in used), used
