"""Similar threads while asking: up to five public threads that likely answer a new question.

Hybrid search over the threads index: Meilisearch's keyword ranking (typos, synonyms across
Italian and English) blended with the semantic similarity of the question's embedding to each
thread's stored vector, so "la fibra si disconnette ogni sera" finds "My fiber connection drops
every evening". Solved threads come first (relevance order kept within each group), each with the
opening of its accepted solution as plain text.

Suggestions are a convenience: when Meilisearch is unavailable, or anything else goes wrong, the
answer is an empty list, never an error that would get in the way of asking.
"""

import logging
import re
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from community import markdown
from search.embeddings import embed_query
from search.index_settings import EMBEDDER, PUBLIC_FILTER
from search.indexer import THREADS

log = logging.getLogger("peerdesk.search")

MIN_QUERY_CHARS = 3
MAX_QUERY_CHARS = 500
MAX_SUGGESTIONS = 5
SEMANTIC_RATIO = 0.6
EXCERPT_CHARS = 200


@dataclass(frozen=True)
class Suggestion:
    id: int
    title: str
    solved: bool
    solution_excerpt: str | None

    @property
    def url(self) -> str:
        return f"/t/{self.id}"


def plain_excerpt(body: str | None, *, limit: int = EXCERPT_CHARS) -> str | None:
    """The opening of a Markdown post as plain text, cut at a word near ``limit`` characters."""
    if not body:
        return None
    text = re.sub(r"\s+", " ", Markup(markdown.render(body)).striptags()).strip()
    if not text:
        return None
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,.;:-") + "…"


def query_text(*parts: str) -> str:
    """What a question says so far (title, then body), as one query of bounded length."""
    text = re.sub(r"\s+", " ", " ".join(part for part in parts if part)).strip()
    return text[:MAX_QUERY_CHARS]


def solved_first(items: list[Suggestion]) -> list[Suggestion]:
    """Solved threads before the others; within each group the order is kept (stable sort)."""
    return sorted(items, key=lambda item: not item.solved)


def search_similar(service: Any, *, q: str, limit: int = MAX_SUGGESTIONS) -> list[Suggestion]:
    """The hybrid search itself; raises when Meilisearch (or the model) cannot answer."""
    vector = embed_query(q)
    raw: Any = service.client.index(service.index_name(THREADS)).search(
        q,
        {
            "hybrid": {"embedder": EMBEDDER, "semanticRatio": SEMANTIC_RATIO},
            "vector": vector.tolist(),
            "filter": PUBLIC_FILTER,
            "limit": limit,
            "attributesToRetrieve": ["id", "title", "solved", "solution"],
        },
    )
    found = [
        Suggestion(
            id=int(hit["id"]),
            title=str(hit.get("title") or ""),
            solved=bool(hit.get("solved")),
            solution_excerpt=plain_excerpt(hit.get("solution")),
        )
        for hit in raw.get("hits", [])
    ]
    return solved_first(found)


def similar_threads(service: Any, *, q: str, limit: int = MAX_SUGGESTIONS) -> list[Suggestion]:
    """Up to ``limit`` (at most 5) public threads like ``q``, solved ones first.

    An empty list when ``q`` is shorter than three characters, when search is not configured
    (``service`` is None) or when it fails: suggestions never break asking a question."""
    q = query_text(q)
    limit = max(0, min(limit, MAX_SUGGESTIONS))
    if service is None or len(q) < MIN_QUERY_CHARS or limit == 0:
        return []
    try:
        return search_similar(service, q=q, limit=limit)
    except Exception:  # a suggestion box must never stop anyone from asking
        log.warning("similar threads unavailable", exc_info=True)
        return []
