"""Care analytics: the service figures of a date range, computed in SQL (issue 7).

Which threads count: threads created in ``[start, end]`` (UTC days, both inclusive), not deleted and
not merged away, optionally of one category and of one language. A thread's **language** is
``Thread.language``, or when that is null the language the signals worker read in its question
(the question's ``PostSignal.language``); a thread with neither matches no language filter.

Definitions (every duration is whole seconds, each timestamp truncated to the second):

- **reply**: a post after the question, not deleted, by anyone but the asker. A **brand** reply is
  one whose author is (now) a moderator or admin; a **peer** reply one by a member.
- **response rate**: threads with any reply / threads; **brand response rate**: threads with a
  brand reply / threads.
- **time to first response** (any, peer, brand): first such reply - question, over the threads
  that have one.
- **solved share**: solved threads / threads; **solved by peers** / **by the brand**: the accepted
  answer's author is a member / a moderator or admin; **self-service share**: solved by peers /
  solved threads.
- **time to solution**: ``solved_at`` - question, over solved threads.
- **service-level breach**: the reply that stops the clock (a brand reply when the care worker
  marked the thread as needing the brand, otherwise any reply; see moderation.service_levels)
  came at or after the category's target, or has not come and the target has passed at ``now``.
  The target is the category's current one (ServiceLevel, else the default).
- **escalations**: private cases opened about the threads; **case resolution time**: for cases
  now resolved or closed, the case's last change (``updated_at``) - its opening.
- **sentiment**: posts *written* in the range (in threads matching the category and language
  filters, whenever those were created) that the signals worker read, per ISO week (the Monday
  that starts it); a moderator's sentiment correction overrides the model, as in the queue.
- **deflection**: asking sessions (search.deflection tokens) with suggestions shown in the range,
  those in which a suggestion was opened, and those of which no question was posted after the
  click (abandoned after a click). Asking sessions have no category or language: the filters do
  not apply to them.
- **top advocates**: members by accepted solutions in the range, from the reputation ledger
  (``answer_accepted`` rows written in the range, neither reversed nor reversals).
- **CSAT**: moderation.satisfaction.csat: survey answers (ratings 1-5) *given* in the range.

**Percentiles** use the nearest-rank definition: over ``n`` values sorted ascending, the p-th
percentile is the value at rank ``ceil(p * n / 100)`` (1-based); the median is the 50th percentile,
so for an even ``n`` the lower of the two middle values. SQL computes them with ``ROW_NUMBER()``
and ``COUNT(*)`` windows (SQLite >= 3.25 and PostgreSQL); no row list reaches Python.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Date,
    Integer,
    Table,
    and_,
    case,
    cast,
    extract,
    func,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.sql import Select
from sqlmodel import Session, SQLModel, col
from sqlmodel import select as sm_select

from community.clock import Clock, as_utc
from community.errors import Invalid
from community.models import (
    Category,
    Post,
    ReputationEntry,
    ReputationReason,
    Role,
    Solution,
    Thread,
    User,
)
from community.policy import Guardian, ensure, ensure_signed_in
from moderation import satisfaction, service_levels
from moderation.models import (
    CareThread,
    CaseStatus,
    PostSignal,
    Sentiment,
    ServiceLevel,
    SignalCorrection,
    SupportCase,
)
from search import deflection
from search.models import SuggestionEvent, SuggestionKind

MAX_DAYS = 366
FIRST_YEAR, LAST_YEAR = 2000, 2999
LANGUAGES = ("en", "it")
TOP_ADVOCATES = 5
STAFF = (Role.moderator.value, Role.admin.value)

# Metric codes of the percentile query.
_ANY, _PEER, _BRAND, _SOLUTION, _CASE = 1, 2, 3, 4, 5
_OVERALL = 0  # the "category" of the overall percentiles


# Shapes -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Percentiles:
    count: int = 0
    median_seconds: int | None = None
    p90_seconds: int | None = None


@dataclass(frozen=True)
class Slice:
    """The thread figures of one slice (all the filtered threads, or one category of them)."""

    threads: int = 0
    replied: int = 0
    brand_replied: int = 0
    response_rate: float | None = None
    brand_response_rate: float | None = None
    first_response: Percentiles = field(default_factory=Percentiles)
    first_peer_response: Percentiles = field(default_factory=Percentiles)
    first_brand_response: Percentiles = field(default_factory=Percentiles)
    solved: int = 0
    solved_by_peers: int = 0
    solved_by_brand: int = 0
    solved_share: float | None = None
    self_service_share: float | None = None
    time_to_solution: Percentiles = field(default_factory=Percentiles)
    breaches: int = 0
    breach_share: float | None = None
    escalations: int = 0
    escalated_threads: int = 0
    case_resolution: Percentiles = field(default_factory=Percentiles)


@dataclass(frozen=True)
class CategorySlice:
    category_id: int
    slug: str
    name: str
    figures: Slice


@dataclass(frozen=True)
class SentimentWeek:
    week_start: date  # the Monday of the ISO week
    posts: int
    negative: int
    negative_share: float


@dataclass(frozen=True)
class Deflection:
    shown: int = 0  # asking sessions that were shown suggestions
    clicked: int = 0  # ... in which one suggestion at least was opened
    abandoned_after_click: int = 0  # ... and no question was posted
    impressions: int = 0
    clicks: int = 0
    click_rate: float | None = None
    abandon_rate: float | None = None  # abandoned after a click / clicked


@dataclass(frozen=True)
class Csat:
    average: float | None = None
    responses: int = 0


@dataclass(frozen=True)
class Advocate:
    user_id: int
    username: str
    display_name: str
    solutions: int


@dataclass(frozen=True)
class Figures:
    start: date
    end: date
    category_id: int | None
    language: str | None
    overall: Slice
    by_category: tuple[CategorySlice, ...]
    sentiment: tuple[SentimentWeek, ...]
    deflection: Deflection
    csat: Csat
    top_advocates: tuple[Advocate, ...]


# SQL building blocks -----------------------------------------------------------------------------


def _epoch(dialect: str, value: Any) -> ColumnElement[int]:
    """Whole seconds since 1970 of a stored UTC timestamp (truncated), on either database."""
    if dialect == "postgresql":
        return cast(func.floor(extract("epoch", value)), BigInteger)
    # SQLite stores "YYYY-MM-DD HH:MM:SS.ffffff" and its %s rounds to the millisecond: cut the
    # fraction off first, so both databases truncate.
    return cast(func.strftime("%s", func.substr(value, 1, 19)), Integer)


def _week_start(dialect: str, value: Any) -> ColumnElement[Any]:
    """The Monday (UTC) of the ISO week of a stored timestamp."""
    if dialect == "postgresql":
        return cast(func.date_trunc("week", func.timezone("UTC", value)), Date)
    # 'weekday 0' moves forward to the Sunday ending the ISO week (or stays on it).
    return func.date(value, "weekday 0", "-6 days")


def _table(model: type[SQLModel]) -> Table:
    table: Table = model.__table__  # type: ignore[attr-defined]
    return table


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    return (
        datetime.combine(start, time(), tzinfo=UTC),
        datetime.combine(end + timedelta(days=1), time(), tzinfo=UTC),
    )


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _rank(percent: int, n: Any) -> Any:
    """Nearest rank ``ceil(percent * n / 100)`` in integer arithmetic."""
    return (percent * n + 99) // 100


_QUESTION = _table(Post).alias("question")
_QUESTION_SIGNAL = _table(PostSignal).alias("question_signal")


def _with_language(source: Any, language: str | None) -> Any:
    """``source`` (which has the thread table) joined to its question's signal when the
    language filter needs it: a join, not a subquery per row."""
    if language is None:
        return source
    th = _table(Thread)
    return source.outerjoin(
        _QUESTION, and_(_QUESTION.c.thread_id == th.c.id, _QUESTION.c.post_number == 1)
    ).outerjoin(_QUESTION_SIGNAL, _QUESTION_SIGNAL.c.post_id == _QUESTION.c.id)


def _thread_filter(*, category_id: int | None, language: str | None) -> list[ColumnElement[bool]]:
    th = _table(Thread)
    where: list[ColumnElement[bool]] = [th.c.deleted_at.is_(None), th.c.merged_into_id.is_(None)]
    if category_id is not None:
        where.append(th.c.category_id == category_id)
    if language is not None:
        language_of = func.coalesce(th.c.language, _QUESTION_SIGNAL.c.language)
        where.append(language_of == language)
    return where


def _first_replies(*, lower: datetime, upper: datetime, category_id: int | None) -> Any:
    """Per thread created in the range: its first reply by anyone but the asker, by a member,
    by the brand; one grouped pass over the replies (the language filter comes later)."""
    asked = _table(Thread).alias("asked")
    post = _table(Post).alias("reply")
    author = _table(User).alias("reply_author")
    staff = author.c.role.in_(STAFF)
    where = [
        asked.c.created_at >= lower,
        asked.c.created_at < upper,
        post.c.post_number > 1,
        post.c.author_id != asked.c.author_id,
        post.c.deleted_at.is_(None),
    ]
    if category_id is not None:
        where.append(asked.c.category_id == category_id)
    return (
        select(
            post.c.thread_id.label("thread_id"),
            func.min(post.c.created_at).label("any_at"),
            func.min(case((author.c.role == Role.member.value, post.c.created_at))).label(
                "peer_at"
            ),
            func.min(case((staff, post.c.created_at))).label("brand_at"),
        )
        .select_from(
            asked.join(post, post.c.thread_id == asked.c.id).join(
                author, author.c.id == post.c.author_id
            )
        )
        .where(*where)
        .group_by(post.c.thread_id)
        .subquery("first_replies")
    )


def _threads_cte(
    dialect: str, *, lower: datetime, upper: datetime, category_id: int | None, language: str | None
) -> Any:
    """One row per counted thread with its times in epoch seconds."""
    th = _table(Thread)
    solution = _table(Solution)
    answer = _table(Post).alias("answer")
    answerer = _table(User).alias("answerer")
    care = _table(CareThread)
    level = _table(ServiceLevel)
    default_hours = int(service_levels.default_target().total_seconds() // 3600)
    replies = _first_replies(lower=lower, upper=upper, category_id=category_id)
    solver_staff = case((answerer.c.id.is_(None), None), (answerer.c.role.in_(STAFF), 1), else_=0)
    needs_brand = case((care.c.needs_brand, 1), else_=0)
    joined = (
        th.outerjoin(replies, replies.c.thread_id == th.c.id)
        .outerjoin(solution, solution.c.thread_id == th.c.id)
        .outerjoin(answer, answer.c.id == solution.c.post_id)
        .outerjoin(answerer, answerer.c.id == answer.c.author_id)
        .outerjoin(care, care.c.thread_id == th.c.id)
        .outerjoin(level, level.c.category_id == th.c.category_id)
    )
    return (
        select(
            th.c.id.label("thread_id"),
            th.c.category_id.label("category_id"),
            _epoch(dialect, th.c.created_at).label("created_s"),
            _epoch(dialect, replies.c.any_at).label("any_s"),
            _epoch(dialect, replies.c.peer_at).label("peer_s"),
            _epoch(dialect, replies.c.brand_at).label("brand_s"),
            _epoch(dialect, th.c.solved_at).label("solved_s"),
            solver_staff.label("solver_staff"),
            needs_brand.label("needs_brand"),
            (func.coalesce(level.c.first_response_hours, default_hours) * 3600).label("target_s"),
        )
        .select_from(_with_language(joined, language))
        .where(
            th.c.created_at >= lower,
            th.c.created_at < upper,
            *_thread_filter(category_id=category_id, language=language),
        )
        .cte("counted")
    )


# The figures --------------------------------------------------------------------------------------


@dataclass
class _Counts:
    threads: int = 0
    replied: int = 0
    brand_replied: int = 0
    solved: int = 0
    by_peers: int = 0
    by_brand: int = 0
    breaches: int = 0
    escalations: int = 0
    escalated_threads: int = 0

    def add(self, other: "_Counts") -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


def _counts(session: Session, t: Any, now_s: int) -> dict[int, _Counts]:
    stop_s = case((t.c.needs_brand == 1, t.c.brand_s), else_=t.c.any_s)
    breached = or_(
        and_(stop_s.is_not(None), stop_s - t.c.created_s >= t.c.target_s),
        and_(stop_s.is_(None), now_s - t.c.created_s >= t.c.target_s),
    )

    def total(condition: ColumnElement[bool]) -> Any:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    rows = session.execute(
        select(
            t.c.category_id,
            func.count(),
            total(t.c.any_s.is_not(None)),
            total(t.c.brand_s.is_not(None)),
            total(t.c.solved_s.is_not(None)),
            total(and_(t.c.solved_s.is_not(None), t.c.solver_staff == 0)),
            total(and_(t.c.solved_s.is_not(None), t.c.solver_staff == 1)),
            total(breached),
        ).group_by(t.c.category_id)
    ).all()
    result = {int(row[0]): _Counts(*(int(value) for value in row[1:])) for row in rows}
    cases = _table(SupportCase)
    for category_id, opened, threads in session.execute(
        select(t.c.category_id, func.count(), func.count(func.distinct(cases.c.thread_id)))
        .select_from(cases.join(t, t.c.thread_id == cases.c.thread_id))
        .group_by(t.c.category_id)
    ).all():
        counts = result.setdefault(int(category_id), _Counts())
        counts.escalations, counts.escalated_threads = int(opened), int(threads)
    return result


def _percentiles(session: Session, dialect: str, t: Any) -> dict[tuple[int, int], Percentiles]:
    """(metric, category id or _OVERALL) -> its median and 90th percentile."""
    cases = _table(SupportCase)
    resolution = _epoch(dialect, cases.c.updated_at) - _epoch(dialect, cases.c.created_at)
    sources: list[tuple[int, Any, Any, Sequence[ColumnElement[bool]]]] = [
        (_ANY, t.c.any_s - t.c.created_s, t, [t.c.any_s.is_not(None)]),
        (_PEER, t.c.peer_s - t.c.created_s, t, [t.c.peer_s.is_not(None)]),
        (_BRAND, t.c.brand_s - t.c.created_s, t, [t.c.brand_s.is_not(None)]),
        (_SOLUTION, t.c.solved_s - t.c.created_s, t, [t.c.solved_s.is_not(None)]),
        (
            _CASE,
            resolution,
            cases.join(t, t.c.thread_id == cases.c.thread_id),
            [cases.c.status.in_((CaseStatus.resolved.value, CaseStatus.closed.value))],
        ),
    ]
    parts: list[Select[Any]] = []
    for metric, value, source, where in sources:
        for per_category in (True, False):
            partition = t.c.category_id if per_category else None
            parts.append(
                select(
                    literal(metric).label("metric"),
                    (t.c.category_id if per_category else literal(_OVERALL)).label("cat"),
                    value.label("v"),
                    func.row_number().over(partition_by=partition, order_by=value).label("rn"),
                    func.count().over(partition_by=partition).label("n"),
                )
                .select_from(source)
                .where(*where)
            )
    ranked = union_all(*parts).subquery("ranked")
    rows = session.execute(
        select(ranked.c.metric, ranked.c.cat, ranked.c.v, ranked.c.rn, ranked.c.n).where(
            or_(ranked.c.rn == _rank(50, ranked.c.n), ranked.c.rn == _rank(90, ranked.c.n))
        )
    ).all()
    found: dict[tuple[int, int], dict[str, int]] = defaultdict(dict)
    for metric, cat, value, rn, n in rows:
        entry = found[(int(metric), int(cat))]
        entry["n"] = int(n)
        if int(rn) == _rank(50, int(n)):
            entry["median"] = int(value)
        if int(rn) == _rank(90, int(n)):
            entry["p90"] = int(value)
    return {
        key: Percentiles(count=e["n"], median_seconds=e.get("median"), p90_seconds=e.get("p90"))
        for key, e in found.items()
    }


def _slice(counts: _Counts, pct: dict[tuple[int, int], Percentiles], key: int) -> Slice:
    empty = Percentiles()
    return Slice(
        threads=counts.threads,
        replied=counts.replied,
        brand_replied=counts.brand_replied,
        response_rate=_ratio(counts.replied, counts.threads),
        brand_response_rate=_ratio(counts.brand_replied, counts.threads),
        first_response=pct.get((_ANY, key), empty),
        first_peer_response=pct.get((_PEER, key), empty),
        first_brand_response=pct.get((_BRAND, key), empty),
        solved=counts.solved,
        solved_by_peers=counts.by_peers,
        solved_by_brand=counts.by_brand,
        solved_share=_ratio(counts.solved, counts.threads),
        self_service_share=_ratio(counts.by_peers, counts.solved),
        time_to_solution=pct.get((_SOLUTION, key), empty),
        breaches=counts.breaches,
        breach_share=_ratio(counts.breaches, counts.threads),
        escalations=counts.escalations,
        escalated_threads=counts.escalated_threads,
        case_resolution=pct.get((_CASE, key), empty),
    )


def _sentiment(
    session: Session,
    dialect: str,
    *,
    lower: datetime,
    upper: datetime,
    category_id: int | None,
    language: str | None,
) -> tuple[SentimentWeek, ...]:
    post = _table(Post)
    th = _table(Thread)
    signal = _table(PostSignal)
    correction = _table(SignalCorrection)
    sentiment = func.coalesce(correction.c.value, signal.c.sentiment)
    week = _week_start(dialect, post.c.created_at)
    rows = session.execute(
        select(
            week.label("week"),
            func.count(),
            func.sum(case((sentiment == Sentiment.negative.value, 1), else_=0)),
        )
        .select_from(
            _with_language(
                post.join(signal, signal.c.post_id == post.c.id)
                .join(th, th.c.id == post.c.thread_id)
                .outerjoin(
                    correction,
                    and_(correction.c.post_id == post.c.id, correction.c.signal == "sentiment"),
                ),
                language,
            )
        )
        .where(
            post.c.created_at >= lower,
            post.c.created_at < upper,
            post.c.deleted_at.is_(None),
            *_thread_filter(category_id=category_id, language=language),
        )
        .group_by(week)
        .order_by(week)
    ).all()
    return tuple(
        SentimentWeek(
            week_start=date.fromisoformat(str(monday)[:10]),
            posts=int(posts),
            negative=int(negative),
            negative_share=int(negative) / int(posts),
        )
        for monday, posts, negative in rows
    )


def _deflection(session: Session, *, lower: datetime, upper: datetime) -> Deflection:
    """Asking sessions whose suggestions were shown in the range; their clicks and posts may
    come up to an hour (search.deflection.POSTED_WITHIN) after the range's end."""
    ev = _table(SuggestionEvent)

    def has(kind: SuggestionKind) -> Any:
        return func.max(case((ev.c.kind == kind.value, 1), else_=0))

    def how_many(kind: SuggestionKind) -> Any:
        return func.sum(case((ev.c.kind == kind.value, 1), else_=0))

    first_shown = func.min(case((ev.c.kind == SuggestionKind.impression.value, ev.c.created_at)))
    sessions = (
        select(
            ev.c.token,
            has(SuggestionKind.click).label("clicked"),
            has(SuggestionKind.posted).label("posted"),
            how_many(SuggestionKind.impression).label("impressions"),
            how_many(SuggestionKind.click).label("clicks"),
        )
        .where(ev.c.created_at >= lower, ev.c.created_at < upper + deflection.POSTED_WITHIN)
        .group_by(ev.c.token)
        .having(and_(first_shown >= lower, first_shown < upper))
        .subquery("asking")
    )
    row = session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(sessions.c.clicked), 0),
            func.coalesce(
                func.sum(case((and_(sessions.c.clicked == 1, sessions.c.posted == 0), 1), else_=0)),
                0,
            ),
            func.coalesce(func.sum(sessions.c.impressions), 0),
            func.coalesce(func.sum(sessions.c.clicks), 0),
        )
    ).one()
    shown, clicked, abandoned, impressions, clicks = (int(value) for value in row)
    return Deflection(
        shown=shown,
        clicked=clicked,
        abandoned_after_click=abandoned,
        impressions=impressions,
        clicks=clicks,
        click_rate=_ratio(clicked, shown),
        abandon_rate=_ratio(abandoned, clicked),
    )


def _advocates(
    session: Session,
    *,
    lower: datetime,
    upper: datetime,
    category_id: int | None,
    language: str | None,
) -> tuple[Advocate, ...]:
    ledger = _table(ReputationEntry)
    th = _table(Thread)
    user = _table(User)
    solutions = func.count().label("solutions")
    rows = session.execute(
        select(user.c.id, user.c.username, user.c.display_name, solutions)
        .select_from(
            _with_language(
                ledger.join(th, th.c.id == ledger.c.thread_id).join(
                    user, user.c.id == ledger.c.user_id
                ),
                language,
            )
        )
        .where(
            ledger.c.reason == ReputationReason.answer_accepted.value,
            ledger.c.reversed_at.is_(None),
            ledger.c.reverses_id.is_(None),
            ledger.c.created_at >= lower,
            ledger.c.created_at < upper,
            user.c.role == Role.member.value,
            *_thread_filter(category_id=category_id, language=language),
        )
        .group_by(user.c.id, user.c.username, user.c.display_name)
        .order_by(solutions.desc(), user.c.id)
        .limit(TOP_ADVOCATES)
    ).all()
    return tuple(Advocate(int(a), str(b), str(c), int(d)) for a, b, c, d in rows)


def _csat(
    session: Session,
    *,
    lower: datetime,
    upper: datetime,
    category_id: int | None,
    language: str | None,
) -> Csat:
    """Survey answers given in the range (moderation.satisfaction)."""
    average, responses = satisfaction.csat(
        session, start=lower, end=upper, category_id=category_id, language=language
    )
    return Csat(average=average, responses=responses)


def figures(
    session: Session,
    *,
    start: date,
    end: date,
    category_id: int | None = None,
    language: str | None = None,
    now: datetime,
) -> Figures:
    """The figures of the threads created from ``start`` to ``end`` (UTC days, inclusive)."""
    dialect = session.get_bind().dialect.name
    lower, upper = _bounds(start, end)
    now_s = int(as_utc(now).timestamp())
    t = _threads_cte(dialect, lower=lower, upper=upper, category_id=category_id, language=language)
    counts = _counts(session, t, now_s)
    pct = _percentiles(session, dialect, t)
    overall = _Counts()
    for per_category in counts.values():
        overall.add(per_category)
    categories = {
        c.id: c for c in session.exec(sm_select(Category).where(col(Category.id).in_(list(counts))))
    }
    by_category = tuple(
        sorted(
            (
                CategorySlice(
                    category_id=cid,
                    slug=categories[cid].slug,
                    name=categories[cid].name,
                    figures=_slice(counts[cid], pct, cid),
                )
                for cid in counts
                if cid in categories
            ),
            key=lambda s: (categories[s.category_id].position, s.name, s.category_id),
        )
    )
    return Figures(
        start=start,
        end=end,
        category_id=category_id,
        language=language,
        overall=_slice(overall, pct, _OVERALL),
        by_category=by_category,
        sentiment=_sentiment(
            session, dialect, lower=lower, upper=upper, category_id=category_id, language=language
        ),
        deflection=_deflection(session, lower=lower, upper=upper),
        csat=_csat(session, lower=lower, upper=upper, category_id=category_id, language=language),
        top_advocates=_advocates(
            session, lower=lower, upper=upper, category_id=category_id, language=language
        ),
    )


# The service behind the API ---------------------------------------------------------------------


def _parse_day(raw: str, field_name: str) -> date:
    try:
        day = date.fromisoformat(raw.strip())
    except ValueError:
        raise Invalid("Dates are written YYYY-MM-DD, e.g. 2026-11-24.", field=field_name) from None
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise Invalid(
            "Dates are from the year %(first)s to %(last)s.",
            field=field_name,
            first=FIRST_YEAR,
            last=LAST_YEAR,
        )
    return day


def figures_for(
    session: Session,
    guardian: Guardian,
    *,
    start: str,
    end: str,
    category: str = "",
    language: str = "",
    clock: Clock,
) -> Figures:
    """The figures for moderators and admins, from the raw query parameters."""
    ensure_signed_in(guardian)
    ensure(guardian.can_see_analytics(), "Only moderators and admins can see the analytics.")
    first = _parse_day(start, "from")
    last = _parse_day(end, "to")
    if first > last:
        raise Invalid("The start date must not be after the end date.", field="from")
    if (last - first).days + 1 > MAX_DAYS:
        raise Invalid("A range is at most %(days)s days.", field="to", days=MAX_DAYS)
    category_id: int | None = None
    if category.strip():
        found = session.exec(
            sm_select(Category).where(col(Category.slug) == category.strip())
        ).first()
        if found is None:
            raise Invalid("There is no category %(slug)s.", field="category", slug=category.strip())
        category_id = found.id
    lang = language.strip() or None
    if lang is not None and lang not in LANGUAGES:
        raise Invalid(
            "The language is one of: %(languages)s.",
            field="language",
            languages=", ".join(LANGUAGES),
        )
    return figures(
        session, start=first, end=last, category_id=category_id, language=lang, now=clock.now()
    )
