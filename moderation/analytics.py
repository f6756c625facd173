"""Care analytics: the service figures of a date range, computed in SQL (issue 7).

Which threads count: threads created in ``[start, end]`` (UTC days, both inclusive), not deleted and
not merged away, optionally of one category and of one language. A thread's **language** is the
one the signals worker read in its question, or ``Thread.language`` until it has; a thread with
neither matches no language filter.

The figures are read from what the care worker keeps per thread and per day
(moderation.care_figures: the care rows' figure columns, CareDuration and SentimentDay), so a
dashboard reads one index range instead of every post; they trail the forum by the worker's lag.

Definitions (every duration is whole seconds, each timestamp truncated to the second):

- **reply**: a post after the question, neither deleted nor hidden, by anyone but the asker. A
  **brand** reply is one whose author is a moderator or admin (when the worker last read the
  thread); a **peer** reply one by a member.
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
  resolved (or resolved and then closed), ``resolved_at`` - its opening.
- **by language**: the thread figures above for each of LANGUAGES (a thread in another
  language, or in none yet, counts overall only).
- **weeks**: the thread figures above per ISO week of creation (the Monday that starts it),
  every week the range touches (a week without threads has no rates).
- **sentiment**: posts *written* in the range (in threads matching the category and language
  filters, whenever those were created) that the signals worker read, per ISO week; a
  moderator's sentiment correction overrides the model, as in the queue.
- **deflection**: asking sessions (search.deflection tokens) with suggestions shown in the range,
  those in which a suggestion was opened, and those of which no question was posted after the
  click (abandoned after a click). Asking sessions have no category or language: the filters do
  not apply to them.
- **top advocates**: members by accepted answers among the counted threads.
- **CSAT**: moderation.satisfaction.csat: survey answers (ratings 1-5) *given* in the range, about
  threads (or cases from threads) that are neither deleted nor merged away.

**Percentiles** use the nearest-rank definition: over ``n`` values sorted ascending, the p-th
percentile is the value at rank ``ceil(p * n / 100)`` (1-based); the median is the 50th percentile,
so for an even ``n`` the lower of the two middle values. SQL finds the value at a rank by walking
an index ordered by value (``LIMIT 1 OFFSET rank - 1``); no row list reaches Python.
"""

from collections import defaultdict
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
from community.models import Category, Role, User
from community.policy import Guardian, ensure, ensure_signed_in
from moderation import care_figures, satisfaction, service_levels
from moderation.care_figures import Metric
from moderation.models import CareDuration, CareThread, SentimentDay, SupportCase
from search import deflection
from search.models import SuggestionEvent, SuggestionKind

MAX_DAYS = 366
FIRST_YEAR, LAST_YEAR = 2000, 2999
LANGUAGES = ("en", "it")
TOP_ADVOCATES = 5

# Metric codes of the percentiles: the CareDuration metrics, and case resolution.
_ANY, _PEER, _BRAND, _SOLUTION = (int(m) for m in Metric)
_CASE = 5
_OVERALL = 0  # the "category" of the overall percentiles
# The slice keys of the languages (category ids are positive): -1 for LANGUAGES[0], -2 ...
_LANGUAGE_KEYS = {language: -(i + 1) for i, language in enumerate(LANGUAGES)}


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
class LanguageSlice:
    language: str  # one of LANGUAGES
    figures: Slice


@dataclass(frozen=True)
class Week:
    """The thread figures of the threads created in one ISO week (the trend lines)."""

    week_start: date  # the Monday of the ISO week
    threads: int
    replied: int
    brand_replied: int
    solved: int
    solved_by_peers: int
    breaches: int
    response_rate: float | None
    brand_response_rate: float | None
    solved_share: float | None
    self_service_share: float | None
    breach_share: float | None


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
    by_language: tuple[LanguageSlice, ...]
    weeks: tuple[Week, ...]
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


def _week_of_day(dialect: str, day: Any) -> ColumnElement[Any]:
    """The Monday of the ISO week of a stored date."""
    if dialect == "postgresql":
        return cast(func.date_trunc("week", day), Date)
    # 'weekday 0' moves forward to the Sunday ending the ISO week (or stays on it).
    return func.date(day, "weekday 0", "-6 days")


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
    """Nearest rank ``ceil(percent * n / 100)`` in integer arithmetic (of ints, or in SQL)."""
    return (percent * n + 99) // 100


@dataclass(frozen=True)
class _Filter:
    lower: datetime
    upper: datetime
    category_id: int | None
    language: str | None

    def threads(self, *, from_index: bool = True) -> list[ColumnElement[bool]]:
        """The counted threads' care rows (moderation.care_figures), found through the figures
        index: a range of weeks, whose rows come grouped by week and category, then the exact
        moments. ``from_index=False`` hides the range from the planner (``coalesce(x, x)``), so
        a join from a small table (cases) probes the care rows by key instead."""
        care = _table(CareThread)

        def column(name: str) -> Any:
            found = care.c[name]
            return found if from_index else func.coalesce(found, found)

        first_week = care_figures.week_start(self.lower)
        last_week = care_figures.week_start(self.upper - timedelta(microseconds=1))
        where: list[ColumnElement[bool]] = [
            column("week") >= first_week,
            column("week") <= last_week,
            column("created_at") >= self.lower,
            column("created_at") < self.upper,
            care.c.counted.is_(True),
        ]
        if self.category_id is not None:
            where.append(care.c.category_id == self.category_id)
        if self.language is not None:
            where.append(care.c.language == self.language)
        return where


# The figures --------------------------------------------------------------------------------------


@dataclass
class _Counts:
    threads: int = 0
    replied: int = 0
    peer_replied: int = 0
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


def _per_category(values: dict[int, Any], default: Any, category: Any) -> Any:
    """``values[category]`` in SQL, ``default`` for the other categories."""
    if not values:
        return default
    return case(values, value=category, else_=default)


def _breached(session: Session, now: datetime) -> ColumnElement[bool]:
    """Whether a care row's thread missed its first-response target (see the module doc): the
    clock-stopping reply came at or after the target, or has not come and the target passed."""
    care = _table(CareThread)
    targets = service_levels.targets(session)
    default = service_levels.default_target()
    target_s = _per_category(
        {cid: int(t.total_seconds()) for cid, t in targets.items()},
        int(default.total_seconds()),
        care.c.category_id,
    )
    # Truncated creation <= truncated now - target  <=>  creation < that + 1 s.
    now_s = as_utc(now).replace(microsecond=0)
    created_type = care.c.created_at.type

    def deadline(target: timedelta) -> Any:
        return literal(now_s - target + timedelta(seconds=1), type_=created_type)

    latest = _per_category(
        {cid: deadline(t) for cid, t in targets.items()}, deadline(default), care.c.category_id
    )
    stop = case(
        (care.c.needs_brand.is_(True), care.c.first_brand_reply_s), else_=care.c.first_reply_s
    )
    return or_(
        and_(stop.is_not(None), stop >= target_s),
        and_(stop.is_(None), care.c.created_at < latest),
    )


def _counts(
    session: Session, where: _Filter, now: datetime
) -> dict[tuple[int, date, str | None], _Counts]:
    """(category id, week, language) -> the counts of its threads, from one scan of the figures
    index."""
    care = _table(CareThread)

    def total(condition: ColumnElement[bool]) -> Any:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    solved = care.c.solution_s.is_not(None)
    rows = session.execute(
        select(
            care.c.category_id,
            care.c.week,
            care.c.language,
            func.count(),
            func.count(care.c.first_reply_s),
            func.count(care.c.first_peer_reply_s),
            func.count(care.c.first_brand_reply_s),
            func.count(care.c.solution_s),
            total(and_(solved, care.c.solved_by_brand.is_(False))),
            total(and_(solved, care.c.solved_by_brand.is_(True))),
            total(_breached(session, now)),
            func.coalesce(func.sum(care.c.escalations), 0),
            total(care.c.escalations > 0),
        )
        .where(*where.threads())
        .group_by(care.c.week, care.c.category_id, care.c.language)
    ).all()
    return {
        (int(row[0]), care_figures.as_date(row[1]), row[2]): _Counts(
            *(int(value) for value in row[3:])
        )
        for row in rows
    }


_SIZES: dict[Metric, str] = {
    Metric.first_reply: "replied",
    Metric.first_peer_reply: "peer_replied",
    Metric.first_brand_reply: "brand_replied",
    Metric.solution: "solved",
}


def _percentiles(
    session: Session, where: _Filter, counts: dict[int, _Counts]
) -> dict[tuple[int, int], Percentiles]:
    """(metric, slice key) -> its median and 90th percentile; a slice key is a category id,
    _OVERALL, or a language's _LANGUAGE_KEYS value.

    ``counts`` (per slice key) gives each metric's ``n``; the value at rank k is
    then a walk of the CareDuration index in value order that stops after k rows instead of
    sorting them all: ``ORDER BY seconds LIMIT 1 OFFSET k - 1``, or from the top end
    (``DESC ... OFFSET n - k``) when that is shorter, as for the 90th percentile. Every walk
    runs in one statement."""
    durations = _table(CareDuration)
    parts: list[Select[Any]] = []
    sizes: dict[tuple[int, int], int] = {}
    for metric, size in _SIZES.items():
        for key, slice_counts in counts.items():
            n = getattr(slice_counts, size)
            if not n:
                continue
            sizes[(int(metric), key)] = n
            category_id = key if key > 0 else where.category_id
            language = _language_of(key) or where.language
            for rank in sorted({_rank(50, n), _rank(90, n)}):
                conditions = [
                    durations.c.metric == int(metric),
                    durations.c.created_at >= where.lower,
                    durations.c.created_at < where.upper,
                ]
                if category_id is not None:
                    conditions.append(durations.c.category_id == category_id)
                if language is not None:
                    conditions.append(durations.c.language == language)
                from_top = n - rank < rank - 1
                walk = (
                    select(durations.c.seconds.label("v"))
                    .where(*conditions)
                    .order_by(durations.c.seconds.desc() if from_top else durations.c.seconds)
                    .limit(1)
                    .offset(n - rank if from_top else rank - 1)
                    .subquery()
                )
                parts.append(
                    select(
                        literal(int(metric)).label("metric"),
                        literal(key).label("cat"),
                        literal(rank).label("rn"),
                        walk.c.v,
                    )
                )
    found: dict[tuple[int, int], dict[int, int]] = defaultdict(dict)
    if parts:
        for metric, cat, rank, value in session.execute(union_all(*parts)).all():
            found[(int(metric), int(cat))][int(rank)] = int(value)
    result = {
        key: Percentiles(
            count=n,
            median_seconds=found[key].get(_rank(50, n)),
            p90_seconds=found[key].get(_rank(90, n)),
        )
        for key, n in sizes.items()
    }
    result.update(_case_percentiles(session, where))
    return result


def _language_of(key: int) -> str | None:
    return next((lang for lang, k in _LANGUAGE_KEYS.items() if k == key), None)


def _case_percentiles(session: Session, where: _Filter) -> dict[tuple[int, int], Percentiles]:
    """Case resolution times (resolved_at - opening) of cases about the counted threads: few
    rows, so ranked with window functions. The resolved cases are gathered first (a
    materialized CTE) and the care rows probed by key, never the other way round."""
    dialect = session.get_bind().dialect.name
    support = _table(SupportCase)
    care = _table(CareThread)
    cases = (
        select(support.c.thread_id, support.c.created_at, support.c.resolved_at)
        .where(support.c.resolved_at.is_not(None), support.c.thread_id.is_not(None))
        .cte("resolved")
        .prefix_with("MATERIALIZED")
    )
    value = _epoch(dialect, cases.c.resolved_at) - _epoch(dialect, cases.c.created_at)
    language_key = case(_LANGUAGE_KEYS, value=care.c.language, else_=None)
    parts: list[Select[Any]] = []
    for partition, key in (
        (care.c.category_id, care.c.category_id),
        (None, literal(_OVERALL)),
        (care.c.language, language_key),
    ):
        parts.append(
            select(
                key.label("cat"),
                value.label("v"),
                func.row_number().over(partition_by=partition, order_by=value).label("rn"),
                func.count().over(partition_by=partition).label("n"),
            )
            .select_from(cases.join(care, care.c.thread_id == cases.c.thread_id))
            .where(*where.threads(from_index=False))
        )
    ranked = union_all(*parts).subquery("ranked")
    rows = session.execute(
        select(ranked.c.cat, ranked.c.v, ranked.c.rn, ranked.c.n).where(
            or_(
                ranked.c.rn == _rank(50, ranked.c.n),
                ranked.c.rn == _rank(90, ranked.c.n),
            )
        )
    ).all()
    found: dict[int, dict[str, int]] = defaultdict(dict)
    for cat, value_s, rn, n in rows:
        if cat is None:  # a language without a slice of its own
            continue
        entry = found[int(cat)]
        entry["n"] = int(n)
        if int(rn) == _rank(50, int(n)):
            entry["median"] = int(value_s)
        if int(rn) == _rank(90, int(n)):
            entry["p90"] = int(value_s)
    return {
        (_CASE, cat): Percentiles(
            count=e["n"], median_seconds=e.get("median"), p90_seconds=e.get("p90")
        )
        for cat, e in found.items()
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


def _week(week_start: date, counts: _Counts) -> Week:
    return Week(
        week_start=week_start,
        threads=counts.threads,
        replied=counts.replied,
        brand_replied=counts.brand_replied,
        solved=counts.solved,
        solved_by_peers=counts.by_peers,
        breaches=counts.breaches,
        response_rate=_ratio(counts.replied, counts.threads),
        brand_response_rate=_ratio(counts.brand_replied, counts.threads),
        solved_share=_ratio(counts.solved, counts.threads),
        self_service_share=_ratio(counts.by_peers, counts.solved),
        breach_share=_ratio(counts.breaches, counts.threads),
    )


def _sentiment(
    session: Session, where: _Filter, *, start: date, end: date
) -> tuple[SentimentWeek, ...]:
    """Per ISO week, from the daily tallies the care worker keeps (moderation.care_figures)."""
    dialect = session.get_bind().dialect.name
    days = _table(SentimentDay)
    week = _week_of_day(dialect, days.c.day)
    conditions: list[ColumnElement[bool]] = [days.c.day >= start, days.c.day <= end]
    if where.category_id is not None:
        conditions.append(days.c.category_id == where.category_id)
    if where.language is not None:
        conditions.append(days.c.language == where.language)
    rows = session.execute(
        select(week.label("week"), func.sum(days.c.posts), func.sum(days.c.negative))
        .where(*conditions)
        .group_by(week)
        .order_by(week)
    ).all()
    return tuple(
        SentimentWeek(
            week_start=care_figures.as_date(monday),
            posts=int(posts),
            negative=int(negative),
            negative_share=int(negative) / int(posts),
        )
        for monday, posts, negative in rows
        if int(posts) > 0
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


def _advocates(session: Session, where: _Filter) -> tuple[Advocate, ...]:
    """Members (now) by accepted answers among the counted threads: counted per solver from the
    figures index first, so only the solvers, not every solved thread, meet the user table."""
    care = _table(CareThread)
    user = _table(User)
    per_solver = (
        select(care.c.solver_id.label("user_id"), func.count().label("solutions"))
        .where(
            *where.threads(),
            care.c.solution_s.is_not(None),
            care.c.solved_by_brand.is_(False),
        )
        .group_by(care.c.solver_id)
        .subquery("per_solver")
    )
    rows = session.execute(
        select(user.c.id, user.c.username, user.c.display_name, per_solver.c.solutions)
        .select_from(per_solver.join(user, user.c.id == per_solver.c.user_id))
        .where(user.c.role == Role.member.value)
        .order_by(per_solver.c.solutions.desc(), user.c.id)
        .limit(TOP_ADVOCATES)
    ).all()
    return tuple(Advocate(int(a), str(b), str(c), int(d)) for a, b, c, d in rows)


def _mondays(start: date, end: date) -> list[date]:
    """Every week the range touches, so a week without threads is a gap in a trend line."""
    monday = start - timedelta(days=start.weekday())
    weeks = []
    while monday <= end:
        weeks.append(monday)
        monday += timedelta(days=7)
    return weeks


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
    lower, upper = _bounds(start, end)
    where = _Filter(lower=lower, upper=upper, category_id=category_id, language=language)
    cells = _counts(session, where, now)
    per_category: dict[int, _Counts] = defaultdict(_Counts)
    per_language: dict[str, _Counts] = defaultdict(_Counts)
    per_week: dict[date, _Counts] = defaultdict(_Counts)
    overall = _Counts()
    for (cid, week, lang), counts in cells.items():
        per_category[cid].add(counts)
        if lang in _LANGUAGE_KEYS:
            per_language[lang].add(counts)
        per_week[week].add(counts)
        overall.add(counts)
    slices: dict[int, _Counts] = {**per_category, _OVERALL: overall}
    slices.update({_LANGUAGE_KEYS[lang]: counts for lang, counts in per_language.items()})
    pct = _percentiles(session, where, slices)
    categories = {
        c.id: c
        for c in session.exec(sm_select(Category).where(col(Category.id).in_(list(per_category))))
    }
    by_category = tuple(
        sorted(
            (
                CategorySlice(
                    category_id=cid,
                    slug=categories[cid].slug,
                    name=categories[cid].name,
                    figures=_slice(per_category[cid], pct, cid),
                )
                for cid in per_category
                if cid in categories
            ),
            key=lambda s: (categories[s.category_id].position, s.name, s.category_id),
        )
    )
    average, responses = satisfaction.csat(
        session, start=lower, end=upper, category_id=category_id, language=language
    )
    return Figures(
        start=start,
        end=end,
        category_id=category_id,
        language=language,
        overall=_slice(overall, pct, _OVERALL),
        by_category=by_category,
        by_language=tuple(
            LanguageSlice(lang, _slice(per_language[lang], pct, _LANGUAGE_KEYS[lang]))
            for lang in LANGUAGES
            if lang in per_language
        ),
        weeks=tuple(_week(monday, per_week[monday]) for monday in _mondays(start, end)),
        sentiment=_sentiment(session, where, start=start, end=end),
        deflection=_deflection(session, lower=lower, upper=upper),
        csat=Csat(average=average, responses=responses),
        top_advocates=_advocates(session, where),
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
