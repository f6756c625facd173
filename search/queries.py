"""Keyword search over the threads index, and the database fallback used while it is degraded.

``search`` is what the page and the API call: Meilisearch when it answers, otherwise a simple
title search in the database (``degraded=True``). Every Meilisearch query carries
``PUBLIC_FILTER``; filter values are quoted and escaped, never pasted into the filter as typed.
Snippets are HTML-safe: Meilisearch marks matches with private-use sentinels, the text is escaped,
and only then are the sentinels turned into ``<mark>`` tags (balanced, whatever the text holds).
"""

import logging
import math
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from markupsafe import Markup, escape
from meilisearch.errors import MeilisearchError
from sqlalchemy import exists, func, literal
from sqlmodel import Session, col, select

from community import visibility
from community.models import Category, Post, Role, Thread, User
from community.policy import Guardian
from search.client import SearchUnavailable
from search.index_settings import PUBLIC_FILTER
from search.indexer import THREADS

log = logging.getLogger("peerdesk.search")

Sort = Literal["relevance", "newest", "activity", "kudos"]
SORTS: dict[str, list[str]] = {
    "relevance": [],
    "newest": ["created_at:desc"],
    "activity": ["last_activity_at:desc"],
    "kudos": ["kudos_count:desc"],
}
FACETS = ["category", "solved", "has_official_answer", "tags", "language"]
MAX_PER_PAGE = 50
MAX_PAGE = 50
CROP_WORDS = 30
_PRE = "\ue000"
_POST = "\ue001"


@dataclass
class SearchHit:
    id: int
    title: Markup
    snippet: Markup
    category: str | None
    category_name: str | None
    solved: bool
    has_official_answer: bool
    tags: list[str]
    language: str | None
    reply_count: int
    kudos_count: int
    last_activity_at: datetime | None


@dataclass(frozen=True)
class SearchQuery:
    """What a reader asked for; the page, the API and both back ends share it."""

    q: str = ""
    category: str | None = None
    solved: bool | None = None
    official: bool | None = None
    tag: str | None = None
    language: str | None = None
    sort: Sort = "relevance"
    page: int = 1
    per_page: int = 20

    def __post_init__(self) -> None:
        object.__setattr__(self, "page", max(1, min(self.page, MAX_PAGE)))
        object.__setattr__(self, "per_page", max(1, min(self.per_page, MAX_PER_PAGE)))


@dataclass
class SearchResults:
    items: list[SearchHit]
    total: int
    page: int
    pages: int
    per_page: int
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    degraded: bool = False


def quote(value: str) -> str:
    """A filter string literal: double-quoted, with backslashes and quotes escaped."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def marked(text: str | None) -> Markup:
    """Escape ``text`` and turn the highlight sentinels into balanced ``<mark>`` tags."""
    out: list[str] = []
    open_ = False
    for char in text or "":
        if char == _PRE:
            if not open_:
                out.append("<mark>")
                open_ = True
        elif char == _POST:
            if open_:
                out.append("</mark>")
                open_ = False
        else:
            out.append(str(escape(char)))
    if open_:
        out.append("</mark>")
    return Markup("".join(out))


def build_filter(query: SearchQuery) -> list[str]:
    """The filter expressions (ANDed by Meilisearch), always starting with PUBLIC_FILTER."""
    filters = [PUBLIC_FILTER]
    if query.category:
        filters.append(f"category = {quote(query.category)}")
    if query.solved is not None:
        filters.append(f"solved = {'true' if query.solved else 'false'}")
    if query.official is not None:
        filters.append(f"has_official_answer = {'true' if query.official else 'false'}")
    if query.tag:
        filters.append(f"tags = {quote(query.tag)}")
    if query.language:
        filters.append(f"language = {quote(query.language)}")
    return filters


def _snippet(formatted: dict[str, Any]) -> Markup:
    for name in ("question", "solution"):
        text = formatted.get(name)
        if isinstance(text, str) and _PRE in text:
            return marked(text)
    question = formatted.get("question")
    return marked(question if isinstance(question, str) else "")


def _hit(hit: dict[str, Any]) -> SearchHit:
    formatted = hit.get("_formatted") or {}
    last = hit.get("last_activity_at")
    return SearchHit(
        id=int(hit["id"]),
        title=marked(formatted.get("title") or hit.get("title") or ""),
        snippet=_snippet(formatted),
        category=hit.get("category"),
        category_name=hit.get("category_name"),
        solved=bool(hit.get("solved")),
        has_official_answer=bool(hit.get("has_official_answer")),
        tags=list(hit.get("tags") or []),
        language=hit.get("language"),
        reply_count=int(hit.get("reply_count") or 0),
        kudos_count=int(hit.get("kudos_count") or 0),
        last_activity_at=datetime.fromtimestamp(last, UTC) if isinstance(last, int) else None,
    )


def search_threads(service: Any, query: SearchQuery) -> SearchResults:
    """One page of public threads matching the query from Meilisearch, with facet counts.

    Raises ``SearchUnavailable`` or ``MeilisearchError`` when Meilisearch cannot answer."""
    params: dict[str, Any] = {
        "filter": build_filter(query),
        "facets": FACETS,
        "page": query.page,
        "hitsPerPage": query.per_page,
        "attributesToRetrieve": [
            "id",
            "title",
            "category",
            "category_name",
            "solved",
            "has_official_answer",
            "tags",
            "language",
            "reply_count",
            "kudos_count",
            "last_activity_at",
        ],
        "attributesToHighlight": ["title", "question", "solution"],
        "attributesToCrop": ["question", "solution"],
        "cropLength": CROP_WORDS,
        "highlightPreTag": _PRE,
        "highlightPostTag": _POST,
    }
    if SORTS[query.sort]:
        params["sort"] = SORTS[query.sort]
    raw: Any = service.client.index(service.index_name(THREADS)).search(query.q, params)
    facets: dict[str, dict[str, int]] = {
        name: {
            str(k): int(v) for k, v in (raw.get("facetDistribution") or {}).get(name, {}).items()
        }
        for name in FACETS
    }
    total = int(raw.get("totalHits") or 0)
    return SearchResults(
        items=[_hit(hit) for hit in raw.get("hits", [])],
        total=total,
        page=query.page,
        pages=min(MAX_PAGE, int(raw.get("totalPages") or math.ceil(total / query.per_page))),
        per_page=query.per_page,
        facets=facets,
    )


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search_threads_in_db(session: Session, query: SearchQuery) -> SearchResults:
    """The degraded search: every word in the title (case-insensitive), public threads only,
    so it shows exactly what the index would show to anyone. Pages are capped at MAX_PAGE, so
    the OFFSET stays small."""
    conditions: list[Any] = [
        col(Thread.deleted_at).is_(None),
        col(Thread.hidden_at).is_(None),
        col(Thread.merged_into_id).is_(None),
    ]
    words = query.q.split()
    for word in words[:8]:
        conditions.append(func.lower(col(Thread.title)).like(_like(word.lower()), escape="\\"))
    if query.category:
        conditions.append(col(Category.slug) == query.category)
    if query.solved is not None:
        conditions.append(
            col(Thread.solved_at).is_not(None) if query.solved else col(Thread.solved_at).is_(None)
        )
    if query.official is not None:
        # community.posting.is_official in SQL: a live reply by a moderator or admin.
        staff_reply = exists(
            select(Post.id)
            .join(User, col(User.id) == col(Post.author_id))
            .where(
                col(Post.thread_id) == col(Thread.id),
                col(Post.post_number) > 1,
                col(Post.deleted_at).is_(None),
                col(User.role).in_([Role.moderator, Role.admin]),
            )
        )
        conditions.append(staff_reply if query.official else ~staff_reply)
    if query.language:
        conditions.append(col(Thread.language) == query.language)
    if query.tag:
        padded = literal(" ") + col(Thread.tags) + literal(" ")
        conditions.append(padded.like(_like(f" {query.tag} "), escape="\\"))
    base = select(Thread, Category).join(Category, col(Category.id) == col(Thread.category_id))
    order: list[Any] = {
        "newest": [col(Thread.created_at).desc(), col(Thread.id).desc()],
        "kudos": [col(Thread.kudos_count).desc(), col(Thread.id).desc()],
    }.get(query.sort, [col(Thread.last_activity_at).desc(), col(Thread.id).desc()])
    rows = session.exec(
        base.where(*conditions)
        .order_by(*order)
        .offset((query.page - 1) * query.per_page)
        .limit(query.per_page)
    ).all()
    total = int(
        session.exec(
            select(func.count())
            .select_from(Thread)
            .join(Category, col(Category.id) == col(Thread.category_id))
            .where(*conditions)
        ).one()
    )
    # Search is for everyone: the replies held for review are nobody's to count here.
    held = visibility.held_out_of_sight(session, Guardian(None), [t.id for t, _ in rows if t.id])
    items = [
        SearchHit(
            id=int(thread.id or 0),
            title=escape(thread.title),
            snippet=Markup(""),
            category=category_row.slug,
            category_name=category_row.name,
            solved=thread.is_solved,
            has_official_answer=query.official is True,
            tags=thread.tags.split(),
            language=thread.language,
            reply_count=thread.reply_count - held.get(thread.id or 0, 0),
            kudos_count=thread.kudos_count,
            last_activity_at=thread.last_activity_at,
        )
        for thread, category_row in rows
    ]
    return SearchResults(
        items=items,
        total=total,
        page=query.page,
        pages=min(MAX_PAGE, math.ceil(total / query.per_page)),
        per_page=query.per_page,
        degraded=True,
    )


def search(session: Session, service: Any, query: SearchQuery) -> SearchResults:
    """Meilisearch when it answers; otherwise the database fallback, marked ``degraded``."""
    if service is not None:
        try:
            return search_threads(service, query)
        except (SearchUnavailable, MeilisearchError) as error:
            log.warning("search degraded, using the database: %s", error)
    return search_threads_in_db(session, query)
