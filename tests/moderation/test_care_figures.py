"""What the care worker keeps for the analytics (moderation.care_figures): the per-thread facts,
the duration index and the daily sentiment tallies follow every change to the forum."""

from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import update
from sqlmodel import Session, col, select

from community import events, posting, solutions
from community.clock import FrozenClock
from community.models import Category, Post, Role, Thread, User
from community.policy import Guardian
from moderation import analytics, care, care_figures, cases, tools
from moderation.care_figures import Metric
from moderation.models import (
    CareDuration,
    CareThread,
    PostSignal,
    SentimentDay,
    SignalCorrection,
)
from moderation.signals import corrections
from tests.factories import make_category, make_reply, make_thread, make_user
from tests.moderation.care_helpers import signal

Cell = tuple[date, int, str]


def _drain(session: Session, clock: FrozenClock) -> None:
    session.expire_all()
    events.drain(session, now=clock.now(), consumers=["care"])
    session.expire_all()


def _tallies(session: Session) -> dict[Cell, tuple[int, int]]:
    return {
        (row.day, row.category_id, row.language): (row.posts, row.negative)
        for row in session.exec(select(SentimentDay))
        if row.posts or row.negative
    }


def _recount(session: Session) -> dict[Cell, tuple[int, int]]:
    """The tallies worked out from the posts themselves, as the definitions say."""
    posts: Counter[Cell] = Counter()
    negative: Counter[Cell] = Counter()
    corrected = {
        c.post_id: c.value
        for c in session.exec(
            select(SignalCorrection).where(SignalCorrection.signal == "sentiment")
        )
    }
    rows = session.exec(
        select(Post, PostSignal, Thread, CareThread)
        .join(PostSignal, col(PostSignal.post_id) == col(Post.id))
        .join(Thread, col(Thread.id) == col(Post.thread_id))
        .join(CareThread, col(CareThread.thread_id) == col(Thread.id))
        .where(
            col(Post.deleted_at).is_(None),
            col(Thread.deleted_at).is_(None),
            col(Thread.merged_into_id).is_(None),
        )
    ).all()
    for post, sig, thread, row in rows:
        assert post.id is not None
        cell = (post.created_at.date(), thread.category_id, row.language or "")
        posts[cell] += 1
        negative[cell] += corrected.get(post.id, sig.sentiment) == "negative"
    return {cell: (posts[cell], negative[cell]) for cell in posts}


class World:
    def __init__(self, session: Session, clock: FrozenClock) -> None:
        self.session, self.clock = session, clock
        clock.set(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))  # a Monday
        self.ann = make_user(session, clock, username="ann")
        self.ben = make_user(session, clock, username="ben")
        self.mod = make_user(session, clock, username="mod", role=Role.moderator)
        self.fibre = make_category(session, slug="fibre")
        self.mobile = make_category(session, slug="mobile")
        self.first = make_thread(session, clock, author=self.ann, category=self.fibre)
        self.q1 = self.question(self.first)
        clock.advance(minutes=20)
        self.r1 = make_reply(session, clock, author=self.ben, thread=self.first)
        clock.advance(days=1)
        self.second = make_thread(session, clock, author=self.ben, category=self.mobile)
        self.q2 = self.question(self.second)
        clock.advance(hours=2)
        self.r2 = make_reply(session, clock, author=self.mod, thread=self.second)
        signal(session, clock, self.q1, sentiment="negative", language="it")
        signal(session, clock, self.r1, sentiment="neutral", language="it")
        signal(session, clock, self.q2, sentiment="negative", language="en")
        signal(session, clock, self.r2, sentiment="positive", language="en")
        _drain(session, clock)

    def question(self, thread: Thread) -> Post:
        return self.session.exec(
            select(Post).where(Post.thread_id == thread.id, Post.post_number == 1)
        ).one()

    def cell(self, day: int, category: Category, language: str) -> Cell:
        assert category.id is not None
        return (date(2026, 3, day), category.id, language)


@pytest.fixture
def world(session: Session, clock: FrozenClock) -> World:
    return World(session, clock)


def test_each_post_counts_once_on_its_day_in_its_threads_category_and_language(world: World):
    s = world.session
    assert _tallies(s) == {
        world.cell(2, world.fibre, "it"): (2, 1),
        world.cell(3, world.mobile, "en"): (2, 1),
    }
    assert _tallies(s) == _recount(s)


def test_the_tallies_follow_corrections_deletions_moves_merges_and_new_posts(world: World):
    s, clock = world.session, world.clock
    mod = Guardian(world.mod)
    clock.advance(hours=1)
    corrections.correct(s, mod, world.q1, signal="sentiment", value="neutral", now=clock.now())
    _drain(s, clock)
    assert _tallies(s)[world.cell(2, world.fibre, "it")] == (2, 0)

    posting.delete_post(s, Guardian(world.ben), world.r1, clock=clock)
    _drain(s, clock)
    assert _tallies(s)[world.cell(2, world.fibre, "it")] == (1, 0)

    tools.move_thread(s, mod, world.second, category=world.fibre, clock=clock)
    _drain(s, clock)
    assert world.cell(3, world.mobile, "en") not in _tallies(s)
    assert _tallies(s)[world.cell(3, world.fibre, "en")] == (2, 1)

    tools.merge_thread(s, mod, world.second, into=world.first, clock=clock)
    _drain(s, clock)
    # The merged posts now live in the first thread, which is Italian.
    assert _tallies(s) == {
        world.cell(2, world.fibre, "it"): (1, 0),
        world.cell(3, world.fibre, "it"): (2, 1),
    }
    assert _tallies(s) == _recount(s)

    late = make_reply(s, clock, author=world.ann, thread=world.first)
    signal(s, clock, late, sentiment="negative", language="it")
    tools.hide_post(s, mod, late, clock=clock)  # hidden, still written: still counted
    _drain(s, clock)
    assert _tallies(s) == _recount(s)
    assert sum(n for _, n in _tallies(s).values()) == 2

    posting.delete_post(s, Guardian(world.ann), world.q1, clock=clock)  # the whole thread
    _drain(s, clock)
    assert _tallies(s) == {}


def test_durations_mirror_the_care_rows_and_hidden_replies_do_not_answer(world: World):
    s, clock = world.session, world.clock
    durations = {(d.thread_id, d.metric): d.seconds for d in s.exec(select(CareDuration))}
    assert world.first.id is not None and world.second.id is not None
    assert durations == {
        (world.first.id, Metric.first_reply): 20 * 60,
        (world.first.id, Metric.first_peer_reply): 20 * 60,
        (world.second.id, Metric.first_reply): 2 * 3600,
        (world.second.id, Metric.first_brand_reply): 2 * 3600,
    }
    clock.advance(hours=1)
    tools.hide_post(s, Guardian(world.mod), world.r1, clock=clock)
    _drain(s, clock)
    row = s.get(CareThread, world.first.id)
    assert row is not None and row.first_reply_s is None and row.first_peer_reply_s is None
    assert (world.first.id, Metric.first_reply) not in {
        (d.thread_id, d.metric) for d in s.exec(select(CareDuration))
    }
    tools.unhide_post(s, Guardian(world.mod), world.r1, clock=clock)
    solutions.accept_solution(s, Guardian(world.ann), world.first, world.r1, clock=clock)
    _drain(s, clock)
    row = s.get(CareThread, world.first.id)
    assert row is not None and row.first_reply_s == 20 * 60
    assert row.solution_s == 27 * 3600 + 20 * 60 and row.solved_by_brand is False  # 03-03 12:20
    assert row.solver_id == world.ben.id


def test_catch_up_rebuilds_rows_older_than_the_facts(world: World):
    s, clock = world.session, world.clock
    s.execute(
        update(CareThread).values(facts_version=None, first_reply_s=None, first_peer_reply_s=None)
    )
    s.commit()
    assert care_figures.stale_rows(s, 10) == sorted(
        i for i in (world.first.id, world.second.id) if i is not None
    )
    assert care.catch_up(s, clock.now()) == 2
    s.commit()
    assert care_figures.stale_rows(s, 10) == []
    row = s.get(CareThread, world.first.id)
    assert row is not None and row.first_reply_s == 20 * 60
    assert row.facts_version == care_figures.FACTS_VERSION


def test_weekly_trends_split_the_threads_by_week_of_creation(world: World):
    s, clock = world.session, world.clock
    clock.advance(days=7)  # the next ISO week
    make_thread(s, clock, author=world.ann, category=world.mobile)
    _drain(s, clock)
    found = analytics.figures(
        s, start=date(2026, 3, 1), end=date(2026, 3, 31), now=clock.now() + timedelta(days=2)
    )
    # Every week the range touches (23 Feb to 30 Mar); weeks without threads have no rates.
    assert [(w.week_start, w.threads, w.replied, w.response_rate) for w in found.weeks] == [
        (date(2026, 2, 23), 0, 0, None),
        (date(2026, 3, 2), 2, 2, 1.0),
        (date(2026, 3, 9), 1, 0, 0.0),
        (date(2026, 3, 16), 0, 0, None),
        (date(2026, 3, 23), 0, 0, None),
        (date(2026, 3, 30), 0, 0, None),
    ]
    assert [w.breaches for w in found.weeks][1:3] == [0, 1]  # unanswered for 2 days > 24 h


def test_case_resolution_runs_to_the_last_resolution_and_ignores_closing(
    world: World, session: Session, clock: FrozenClock
):
    mod = Guardian(world.mod)
    opened = cases.open_case(
        session, mod, world.q1, subject="", priority="", body="Hello", clock=clock
    )
    clock.advance(hours=3)
    cases.update_case(session, mod, opened, status="resolved", clock=clock)
    clock.advance(hours=1)
    cases.update_case(session, mod, opened, status="open", clock=clock)
    assert opened.resolved_at is None
    clock.advance(hours=1)
    cases.update_case(session, mod, opened, status="resolved", clock=clock)
    resolved_at = clock.now()
    clock.advance(days=2)
    cases.update_case(session, mod, opened, status="closed", clock=clock)
    assert opened.resolved_at is not None and opened.resolved_at == resolved_at
    _drain(session, clock)
    found = analytics.figures(
        session, start=date(2026, 3, 1), end=date(2026, 3, 8), now=clock.now()
    )
    assert found.overall.escalations == 1
    assert found.overall.case_resolution == analytics.Percentiles(1, 5 * 3600, 5 * 3600)


def test_a_staff_answer_is_the_brand_s_solution_even_after_the_thread_moves(world: World):
    s, clock = world.session, world.clock
    solutions.accept_solution(s, Guardian(world.ben), world.second, world.r2, clock=clock)
    tools.move_thread(s, Guardian(world.mod), world.second, category=world.fibre, clock=clock)
    _drain(s, clock)
    found = analytics.figures(s, start=date(2026, 3, 1), end=date(2026, 3, 8), now=clock.now())
    assert found.overall.solved_by_brand == 1 and found.overall.solved_by_peers == 0
    assert [c.slug for c in found.by_category] == ["fibre"]
    assert found.top_advocates == ()  # staff are not advocates
    assert isinstance(s.get(User, world.mod.id), User)
