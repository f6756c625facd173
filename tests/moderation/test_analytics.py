"""Care analytics (issue 7): every figure of a small forum, worked out by hand.

The forum (all on Thursday 2026-01-15 unless said; billing's target is 4 h, network's the
default 24 h; "now" is 2026-01-20 12:00):

T0 billing, bob, 01-14 09:00 (OUT of the range): peter replies 09:10, bob accepts it 09:20
   (accepting answers his survey: 5, on 01-14).
T1 billing, alice, 09:00, question "it" negative: peter replies 09:30, mona (moderator) 10:00,
   alice accepts peter's reply 11:00 (solved by a peer; her survey answered: 5).
T2 billing, bob, 10:00, "en" neutral: mona replies 16:00 (6 h > 4 h: breached) and marks her
   reply as the solution 18:00 (solved by the brand; bob is asked, and rates it 2 on 01-16).
T3 billing, alice, 12:00, "it" negative: nobody replies (breached at now); mona opens a case at
   13:00 and resolves it at 15:00.
T4 network, bob, 11:00, "en" positive: peter replies 13:00; alice replies 01-19 10:00 (negative).
T5 network, alice, 20:00, "it" neutral, needs the brand: bob replies 20:10, no brand reply by
   now (40 h > 24 h: breached, a peer reply does not stop the clock of a brand-needing thread).
"""

from datetime import UTC, date, datetime

import pytest
import sqlalchemy
from fastapi import FastAPI
from sqlmodel import Session, select

from community import events, solutions
from community.clock import FrozenClock
from community.models import Category, Post, Role, Thread, User
from community.policy import Guardian
from moderation import analytics, cases, satisfaction, service_levels
from moderation.analytics import Figures, Percentiles
from moderation.models import SupportCase
from moderation.signals import corrections
from search import deflection
from tests.factories import make_category, make_reply, make_thread, make_user
from tests.moderation.brand_helpers import client_for
from tests.moderation.care_helpers import signal

DAY = date(2026, 1, 15)
NOW = datetime(2026, 1, 20, 12, 0, tzinfo=UTC)
H = 3600


def at(clock: FrozenClock, day: int, hour: int, minute: int = 0) -> None:
    clock.set(datetime(2026, 1, day, hour, minute, tzinfo=UTC))


def question(session: Session, thread: Thread) -> Post:
    post = session.exec(
        select(Post).where(Post.thread_id == thread.id, Post.post_number == 1)
    ).one()
    assert isinstance(post, Post)
    return post


class Forum:
    t0: Thread
    t1: Thread
    t2: Thread
    t3: Thread
    t4: Thread
    t5: Thread

    def __init__(self, session: Session, clock: FrozenClock) -> None:
        self.session, self.clock = session, clock
        at(clock, 14, 8)
        self.alice = make_user(session, clock, username="alice")
        self.bob = make_user(session, clock, username="bob")
        self.peter = make_user(session, clock, username="peter")
        self.mona = make_user(session, clock, username="mona", role=Role.moderator)
        self.adam = make_user(session, clock, username="adam", role=Role.admin)
        self.billing = make_category(session, slug="billing", position=1)
        self.network = make_category(session, slug="network", position=2)
        service_levels.set_target(session, Guardian(self.adam), self.billing, hours=4, clock=clock)

    def thread(self, author: User, category: Category, day: int, hour: int, minute: int = 0):
        at(self.clock, day, hour, minute)
        return make_thread(self.session, self.clock, author=author, category=category)

    def reply(self, author: User, thread: Thread, day: int, hour: int, minute: int = 0) -> Post:
        at(self.clock, day, hour, minute)
        return make_reply(self.session, self.clock, author=author, thread=thread)

    def accept(self, by: User, thread: Thread, post: Post, day: int, hour: int, minute: int = 0):
        at(self.clock, day, hour, minute)
        solutions.accept_solution(self.session, Guardian(by), thread, post, clock=self.clock)

    def shown(self, who: User, token: str, ids: list[int], day: int, hour: int, minute: int = 0):
        at(self.clock, day, hour, minute)
        deflection.record_impression(
            self.session, Guardian(who), token=token, thread_ids=ids, clock=self.clock
        )

    def click(self, token: str, thread_id: int, day: int, hour: int, minute: int = 0) -> None:
        at(self.clock, day, hour, minute)
        assert deflection.record_click(
            self.session, token=token, thread_id=thread_id, clock=self.clock
        )


@pytest.fixture
def forum(session: Session, clock: FrozenClock) -> Forum:
    f = Forum(session, clock)
    s = session
    # Asking sessions: peter looks out of the range, then in it (clicks, never asks), alice
    # clicks and then asks T5, bob is shown two different sets and clicks nothing.
    f.t0 = f.thread(f.bob, f.billing, 14, 9)
    assert f.t0.id is not None
    f.shown(f.peter, "token-peter-early-aaaa", [f.t0.id], 14, 12)
    r0 = f.reply(f.peter, f.t0, 14, 9, 10)
    f.accept(f.bob, f.t0, r0, 14, 9, 20)

    f.t1 = f.thread(f.alice, f.billing, 15, 9)
    r1 = f.reply(f.peter, f.t1, 15, 9, 30)
    f.reply(f.mona, f.t1, 15, 10)
    f.accept(f.alice, f.t1, r1, 15, 11)

    f.t2 = f.thread(f.bob, f.billing, 15, 10)
    f.t4 = f.thread(f.bob, f.network, 15, 11)
    f.t3 = f.thread(f.alice, f.billing, 15, 12)
    at(f.clock, 15, 13)
    cases.open_case(
        s,
        Guardian(f.mona),
        question(s, f.t3),
        subject="",
        priority="",
        body="Let us talk.",
        clock=f.clock,
    )
    f.reply(f.peter, f.t4, 15, 13)
    at(f.clock, 15, 15)
    opened = s.exec(select(SupportCase)).one()
    cases.update_case(s, Guardian(f.mona), opened, status="resolved", clock=f.clock)
    f.shown(f.peter, "token-peter-inrange-aa", [f.t0.id], 15, 15, 30)
    f.click("token-peter-inrange-aa", f.t0.id, 15, 15, 31)
    r2 = f.reply(f.mona, f.t2, 15, 16)
    f.accept(f.mona, f.t2, r2, 15, 18)
    f.shown(f.alice, "token-alice-asks-aaaaa", [f.t0.id], 15, 19, 30)
    f.click("token-alice-asks-aaaaa", f.t0.id, 15, 19, 35)
    f.t5 = f.thread(f.alice, f.network, 15, 20)
    f.reply(f.bob, f.t5, 15, 20, 10)
    f.shown(f.bob, "token-bob-browses-aaaa", [f.t0.id], 15, 21)
    assert f.t1.id is not None
    f.shown(f.bob, "token-bob-browses-aaaa", [f.t0.id, f.t1.id], 15, 21, 5)
    late = f.reply(f.alice, f.t4, 19, 10)

    # Signals, as the signals worker stores them; one corrected by a moderator.
    at(f.clock, 19, 11)
    signal(s, f.clock, question(s, f.t0), sentiment="negative", language="it")
    signal(s, f.clock, question(s, f.t1), sentiment="negative", language="it")
    signal(s, f.clock, question(s, f.t2), sentiment="neutral", language="en")
    signal(s, f.clock, question(s, f.t3), sentiment="negative", language="it")
    signal(s, f.clock, question(s, f.t4), sentiment="positive", language="en")
    signal(s, f.clock, question(s, f.t5), sentiment="neutral", language="it", needs_brand=True)
    signal(s, f.clock, r1, sentiment="negative", language="it")
    signal(s, f.clock, late, sentiment="negative", language="en")
    corrections.correct(s, Guardian(f.mona), r1, signal="sentiment", value="neutral", now=NOW)
    s.expire_all()
    events.drain(s, now=NOW, consumers=["care", "suggestions", "satisfaction"])
    # Surveys: alice and bob answered theirs about T1 and T0 by accepting (5); bob rates T2 2.
    at(f.clock, 16, 10)
    assert f.t2.id is not None
    survey = satisfaction.thread_survey(s, Guardian(f.bob), f.t2.id)
    satisfaction.answer(s, Guardian(f.bob), survey, rating=2, clock=f.clock)
    f.clock.set(NOW)
    return f


def compute(session: Session, **kw: object) -> Figures:
    session.expire_all()
    return analytics.figures(
        session,
        start=DAY,
        end=date(2026, 1, 19),
        now=NOW,
        **kw,  # type: ignore[arg-type]
    )


def test_the_overall_figures_match_the_hand_worked_answers(forum: Forum, session: Session) -> None:
    o = compute(session).overall
    # T1..T5 (T0 is the day before the range).
    assert o.threads == 5
    # Any reply: T1, T2, T4, T5 -> 4/5; brand reply (mona): T1, T2 -> 2/5.
    assert (o.replied, o.response_rate) == (4, 4 / 5)
    assert (o.brand_replied, o.brand_response_rate) == (2, 2 / 5)
    # First reply: T5 600 s, T1 1800, T4 7200, T2 21600. n=4: median rank ceil(2)=2 -> 1800,
    # p90 rank ceil(3.6)=4 -> 21600.
    assert o.first_response == Percentiles(4, 1800, 21600)
    # Peers: T5 600 (bob), T1 1800 (peter), T4 7200 (peter). n=3: median rank 2 -> 1800,
    # p90 rank ceil(2.7)=3 -> 7200.
    assert o.first_peer_response == Percentiles(3, 1800, 7200)
    # Brand: T1 3600, T2 21600. n=2: median rank 1 -> 3600, p90 rank ceil(1.8)=2 -> 21600.
    assert o.first_brand_response == Percentiles(2, 3600, 21600)
    # Solved T1 (peter's answer) and T2 (mona's): 2/5; self-service 1 of 2.
    assert (o.solved, o.solved_by_peers, o.solved_by_brand) == (2, 1, 1)
    assert (o.solved_share, o.self_service_share) == (2 / 5, 1 / 2)
    # T1 09:00 -> 11:00 = 7200; T2 10:00 -> 18:00 = 28800: median rank 1, p90 rank 2.
    assert o.time_to_solution == Percentiles(2, 7200, 28800)
    # Breached: T2 (6 h > 4 h), T3 (no reply, 4 h passed), T5 (needs the brand, 40 h > 24 h).
    # T1 answered after 30 min, T4 (network) after 2 h: within target.
    assert (o.breaches, o.breach_share) == (3, 3 / 5)
    # One case about T3, opened 13:00, resolved 15:00: 7200 s.
    assert (o.escalations, o.escalated_threads) == (1, 1)
    assert o.case_resolution == Percentiles(1, 7200, 7200)


def test_per_language_breakdown(forum: Forum, session: Session) -> None:
    by_language = {s.language: s.figures for s in compute(session).by_language}
    assert list(by_language) == ["en", "it"]
    italian, english = by_language["it"], by_language["en"]
    # Italian: T1, T3, T5. Replies T5 600 (bob), T1 1800 (peter): median rank 1 -> 600, p90
    # rank 2 -> 1800; the brand only in T1 (mona, 3600). T1 solved by peter after 7200.
    # Breached: T3 (no reply) and T5 (needs the brand). The case on T3: 7200.
    assert (italian.threads, italian.replied, italian.brand_replied) == (3, 2, 1)
    assert italian.first_response == Percentiles(2, 600, 1800)
    assert italian.first_peer_response == Percentiles(2, 600, 1800)
    assert italian.first_brand_response == Percentiles(1, 3600, 3600)
    assert (italian.solved, italian.solved_by_peers, italian.solved_by_brand) == (1, 1, 0)
    assert italian.time_to_solution == Percentiles(1, 7200, 7200)
    assert (italian.breaches, italian.escalations) == (2, 1)
    assert italian.case_resolution == Percentiles(1, 7200, 7200)
    # English: T2, T4. Replies T4 7200 (peter), T2 21600 (mona); T2 solved by mona after
    # 28800 and breached (6 h > 4 h); no case.
    assert (english.threads, english.replied, english.brand_replied) == (2, 2, 1)
    assert english.first_response == Percentiles(2, 7200, 21600)
    assert english.first_peer_response == Percentiles(1, 7200, 7200)
    assert english.first_brand_response == Percentiles(1, 21600, 21600)
    assert (english.solved, english.solved_by_peers, english.solved_by_brand) == (1, 0, 1)
    assert english.time_to_solution == Percentiles(1, 28800, 28800)
    assert (english.breaches, english.escalations) == (1, 0)
    assert english.case_resolution == Percentiles()
    # Filtered to one language, the breakdown has that language alone, with the same figures.
    only = compute(session, language="en")
    assert [s.language for s in only.by_language] == ["en"]
    assert only.by_language[0].figures == english == only.overall


def test_the_weekly_trend_covers_every_week_of_the_range(forum: Forum, session: Session) -> None:
    # 15..19 January touches the weeks of Monday 12 and Monday 19; all five threads are in the
    # first, the second has none (no rates: a gap in the line, not a zero).
    first, second = compute(session).weeks
    assert first == analytics.Week(
        week_start=date(2026, 1, 12),
        threads=5,
        replied=4,
        brand_replied=2,
        solved=2,
        solved_by_peers=1,
        breaches=3,
        response_rate=4 / 5,
        brand_response_rate=2 / 5,
        solved_share=2 / 5,
        self_service_share=1 / 2,
        breach_share=3 / 5,
    )
    assert (second.week_start, second.threads, second.response_rate) == (date(2026, 1, 19), 0, None)


def test_per_category_breakdown(forum: Forum, session: Session) -> None:
    figures = compute(session)
    slices = {c.slug: c.figures for c in figures.by_category}
    assert [c.slug for c in figures.by_category] == ["billing", "network"]
    billing, network = slices["billing"], slices["network"]
    # Billing: T1, T2, T3. Replies T1 (1800), T2 (21600): median rank 1 -> 1800, p90 -> 21600.
    assert (billing.threads, billing.replied, billing.brand_replied) == (3, 2, 2)
    assert billing.first_response == Percentiles(2, 1800, 21600)
    assert billing.first_peer_response == Percentiles(1, 1800, 1800)
    assert billing.first_brand_response == Percentiles(2, 3600, 21600)
    assert (billing.solved, billing.solved_by_peers, billing.solved_by_brand) == (2, 1, 1)
    # T2 and T3 breached: 2/3.
    assert (billing.breaches, billing.breach_share) == (2, 2 / 3)
    assert (billing.escalations, billing.case_resolution.median_seconds) == (1, 7200)
    # Network: T4 (7200, peter), T5 (600, bob): median rank 1 -> 600, p90 rank 2 -> 7200.
    assert (network.threads, network.replied, network.brand_replied) == (2, 2, 0)
    assert network.first_response == Percentiles(2, 600, 7200)
    assert network.first_brand_response == Percentiles()
    assert (network.solved, network.solved_share, network.self_service_share) == (0, 0.0, None)
    # Only T5 breached: 1/2.
    assert (network.breaches, network.breach_share) == (1, 1 / 2)
    assert network.escalations == 0


def test_sentiment_deflection_advocates_and_csat(forum: Forum, session: Session) -> None:
    figures = compute(session)
    # Week of Monday 01-12 (posts written 01-15..01-18 with a signal): questions T1..T5 and
    # peter's T1 reply = 6; negative: T1 and T3 questions (peter's reply was corrected to
    # neutral; T0's question is from 01-14, before the range) = 2 -> 1/3.
    # Week of Monday 01-19: alice's reply in T4, negative -> 1/1.
    weeks = [(w.week_start, w.posts, w.negative, w.negative_share) for w in figures.sentiment]
    assert weeks == [(date(2026, 1, 12), 6, 2, 2 / 6), (date(2026, 1, 19), 1, 1, 1.0)]
    # Asking sessions shown in the range: peter (clicked, asked nothing: abandoned), alice
    # (clicked, then asked T5), bob (two impressions, no click); peter's 01-14 one is outside.
    d = figures.deflection
    assert (d.shown, d.clicked, d.abandoned_after_click) == (3, 2, 1)
    assert (d.impressions, d.clicks) == (4, 2)
    assert (d.click_rate, d.abandon_rate) == (2 / 3, 1 / 2)
    # Accepted answers in the range: peter's in T1 (mona's in T2 is the brand's; peter's in T0
    # was accepted on 01-14).
    assert [(a.username, a.solutions) for a in figures.top_advocates] == [("peter", 1)]
    # Surveys answered in the range: 5 (T1, by accepting) and 2 (T2) -> 3.5 over 2; T0's 5 was
    # on 01-14.
    assert (figures.csat.average, figures.csat.responses) == (3.5, 2)


def test_filters_by_category_and_language(forum: Forum, session: Session) -> None:
    network = compute(session, category_id=forum.network.id)
    assert network.overall.threads == 2
    assert [c.slug for c in network.by_category] == ["network"]
    # Network posts with a signal: T4 and T5 questions (week 01-12), alice's T4 reply (01-19).
    assert [(w.posts, w.negative) for w in network.sentiment] == [(2, 0), (1, 1)]
    assert network.top_advocates == ()
    assert (network.csat.average, network.csat.responses) == (None, 0)

    # Italian (the questions' signals): T1, T3, T5.
    italian_figures = compute(session, language="it")
    italian = italian_figures.overall
    # Italian threads' posts with a signal: T1, T3, T5 questions and peter's T1 reply (corrected
    # to neutral) -> 4 posts, 2 negative, all in the week of 01-12.
    assert [(w.posts, w.negative) for w in italian_figures.sentiment] == [(4, 2)]
    assert [(a.username, a.solutions) for a in italian_figures.top_advocates] == [("peter", 1)]
    # Only T1's survey (5) is about an Italian thread.
    assert (italian_figures.csat.average, italian_figures.csat.responses) == (5.0, 1)
    assert (italian.threads, italian.replied, italian.brand_replied) == (3, 2, 1)
    # T5 600, T1 1800: median rank 1 -> 600, p90 rank 2 -> 1800.
    assert italian.first_response == Percentiles(2, 600, 1800)
    # T3 and T5 breached; T1 solved by peter.
    assert (italian.breaches, italian.solved, italian.solved_by_peers) == (2, 1, 1)
    english = compute(session, language="en").overall
    assert (english.threads, english.breaches, english.solved_by_brand) == (2, 1, 1)
    # T2 was solved by mona (the brand): no advocate in English.
    assert compute(session, language="en").top_advocates == ()


def test_a_range_without_threads_has_empty_figures(forum: Forum, session: Session) -> None:
    session.expire_all()
    empty = analytics.figures(session, start=date(2025, 1, 1), end=date(2025, 1, 31), now=NOW)
    assert empty.overall.threads == 0
    assert empty.overall.response_rate is None
    assert empty.overall.first_response == Percentiles()
    assert empty.by_category == () and empty.sentiment == ()


def test_the_api_gives_the_figures_to_moderators_only(
    forum: Forum, app: FastAPI, session: Session
) -> None:
    url = "/api/v1/analytics?from=2026-01-15&to=2026-01-19"
    assert client_for(app).get(url).status_code == 401
    assert client_for(app, forum.alice).get(url).status_code == 403
    moderator = client_for(app, forum.mona)
    response = moderator.get(url)
    assert response.status_code == 200
    body = response.json()
    assert body["overall"]["threads"] == 5
    assert body["overall"]["first_response"] == {
        "count": 4,
        "median_seconds": 1800,
        "p90_seconds": 21600,
    }
    assert [c["slug"] for c in body["by_category"]] == ["billing", "network"]
    assert [(s["language"], s["figures"]["threads"]) for s in body["by_language"]] == [
        ("en", 2),
        ("it", 3),
    ]
    assert body["sentiment"][0]["week_start"] == "2026-01-12"
    filtered = moderator.get(url + "&category=billing&language=it").json()
    # Billing in Italian: T1 and T3.
    assert filtered["overall"]["threads"] == 2
    assert client_for(app, forum.adam).get(url).status_code == 200


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("from=2026-13-01&to=2026-01-19", "YYYY-MM-DD"),
        ("to=2026-01-19", "YYYY-MM-DD"),
        ("from=9999-12-31&to=9999-12-31", "from the year 2000 to 2999"),
        ("from=2026-01-15&to=2026-01-15T00:00", "YYYY-MM-DD"),
        ("from=2026-01-20&to=2026-01-19", "must not be after"),
        ("from=2025-01-01&to=2026-01-19", "at most 366 days"),
        ("from=2026-01-15&to=2026-01-19&category=nope", "no category nope"),
        ("from=2026-01-15&to=2026-01-19&language=fr", "en, it"),
        ("from=2026-01-15&to=2026-01-19&category=a%00b", "control characters"),
        ("from=2026-01-15%00&to=2026-01-19", "YYYY-MM-DD"),
    ],
)
def test_the_api_explains_bad_parameters(
    forum: Forum, app: FastAPI, query: str, message: str
) -> None:
    response = client_for(app, forum.mona).get(f"/api/v1/analytics?{query}")
    assert response.status_code == 422
    assert message in response.json()["detail"]


def test_a_full_leap_year_is_allowed(forum: Forum, app: FastAPI) -> None:
    # 2024-01-01..2024-12-31 is 366 days: the longest range.
    response = client_for(app, forum.mona).get("/api/v1/analytics?from=2024-01-01&to=2024-12-31")
    assert response.status_code == 200


def test_durations_truncate_each_time_to_the_second_on_both_databases(
    session: Session, clock: FrozenClock
) -> None:
    asker = make_user(session, clock, username="asker")
    helper = make_user(session, clock, username="helper")
    category = make_category(session, slug="misc")
    clock.set(datetime(2026, 1, 15, 9, 0, 0, 999_999, tzinfo=UTC))
    thread = make_thread(session, clock, author=asker, category=category)
    clock.set(datetime(2026, 1, 15, 9, 0, 30, 1, tzinfo=UTC))
    make_reply(session, clock, author=helper, thread=thread)
    events.drain(session, now=NOW, consumers=["care"])
    session.expire_all()
    found = analytics.figures(session, start=DAY, end=DAY, now=NOW)
    # 09:00:30 - 09:00:00 = 30 s (not 29.000002, nor 29 from rounding .999999 up).
    assert found.overall.first_response == Percentiles(1, 30, 30)


@pytest.mark.sqlite_only
def test_the_figures_read_the_worker_s_tallies_through_their_indexes(
    forum: Forum, session: Session, db
) -> None:
    """What keeps the dashboard fast at 100,000 threads (bench/analytics_bench.py): no statement
    reads the posts or the ledger, threads only by key (the surveys'); the care rows come from
    the covering figures index, and each percentile is a walk of the duration index, no sort."""
    statements: list[tuple[str, object]] = []

    def capture(conn, cursor, statement, parameters, context, executemany) -> None:
        statements.append((statement, parameters))

    sqlalchemy.event.listen(db, "before_cursor_execute", capture)
    try:
        compute(session)
    finally:
        sqlalchemy.event.remove(db, "before_cursor_execute", capture)
    plans: dict[str, str] = {}
    with db.connect() as conn:
        for statement, parameters in statements:
            rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
            plans[statement] = " | ".join(str(row[-1]) for row in rows)
    steps = [step.strip() for plan in plans.values() for step in plan.split("|")]
    for table in ("post", "reputation_entry", "post_signal", "thread"):
        reads = [step for step in steps if f" {table} " in f" {step} "]
        allowed = "USING INTEGER PRIMARY KEY" if table == "thread" else "(nothing)"
        assert all(allowed in step for step in reads), reads
    counts = next(p for s, p in plans.items() if "count(care_thread.first_reply_s)" in s)
    assert "COVERING INDEX ix_care_thread_figures" in counts and "TEMP B-TREE" not in counts
    walks = next(p for s, p in plans.items() if "FROM care_duration" in s)
    assert "COVERING INDEX ix_care_duration" in walks and "TEMP B-TREE" not in walks
