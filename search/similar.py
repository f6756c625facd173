"""Similar threads while asking: up to five public threads that likely answer a new question.

Hybrid search over the threads index: Meilisearch's keyword ranking (typos, synonyms across
Italian and English) blended with the semantic similarity of the question's embedding to each
thread's stored vector, so "la fibra si disconnette ogni sera" finds "My fiber connection drops
every evening". Solved threads come first (relevance order kept within each group), each with the
opening of its accepted solution as plain text. Threads that score under ``SCORE_THRESHOLD``
are not suggested at all: a question nobody has asked gets an empty box, not five unrelated
threads.

Suggestions are a convenience: when Meilisearch is unavailable, or anything else goes wrong, the
answer is an empty list, never an error that would get in the way of asking.
"""

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from search.embeddings import embed_query
from search.index_settings import EMBEDDER, PUBLIC_FILTER
from search.indexer import THREADS

log = logging.getLogger("peerdesk.search")

MIN_QUERY_CHARS = 3
MAX_QUERY_CHARS = 500
MAX_SUGGESTIONS = 5
# Meilisearch merges the two result lists by score times weight; e5 similarities score about
# 0.9 and keyword scores rarely 0.5, so from 0.5 up the result is the semantic one alone. At 0.3
# a strong keyword match (score above about 0.4) still ranks first: best on both relevance sets
# (bench/relevance.py, bench/README.md).
SEMANTIC_RATIO = 0.3
# Not suggested under this score (rankingScoreThreshold): e5 puts unrelated threads at 0.88-0.93,
# so the lowest value at which "ho perso il gatto" gets nothing; 13 of 16 off-topic questions get
# nothing, Recall@5 0.60 -> 0.49 on the demo set, 0.54 -> 0.49 on SemEval (bench/relevance.py).
SCORE_THRESHOLD: float | None = 0.925
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


def plain_excerpt(text: str | None, *, limit: int = EXCERPT_CHARS) -> str | None:
    """The opening of a plain text (a search document's solution), cut at a word near ``limit``
    characters."""
    text = (text or "").strip()
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


def similar_request(
    vector: Sequence[float] | None,
    *,
    semantic_ratio: float = SEMANTIC_RATIO,
    threshold: float | None = SCORE_THRESHOLD,
    limit: int = MAX_SUGGESTIONS,
) -> dict[str, Any]:
    """The search parameters of a suggestion query (sent with the query text as ``q``).

    With ``vector`` (the query's embedding) a hybrid search with the relevance cut-off
    ``threshold`` (calibrated on hybrid scores); without it the keyword search alone, the same
    request minus ``hybrid``, ``vector`` and the cut-off. The relevance benchmark
    (bench/relevance.py) builds its requests here too, so it measures what the product sends.
    """
    params: dict[str, Any] = {
        "filter": PUBLIC_FILTER,
        "limit": limit,
        "attributesToRetrieve": ["id", "title", "solved", "solution"],
    }
    if vector is not None:
        params["hybrid"] = {"embedder": EMBEDDER, "semanticRatio": semantic_ratio}
        params["vector"] = [float(x) for x in vector]
        if threshold is not None:
            params["rankingScoreThreshold"] = threshold
    return params


def search_similar(service: Any, *, q: str, limit: int = MAX_SUGGESTIONS) -> list[Suggestion]:
    """The hybrid search itself; raises when Meilisearch (or the model) cannot answer."""
    vector = embed_query(q)
    raw: Any = service.client.index(service.index_name(THREADS)).search(
        q, similar_request(vector.tolist(), limit=limit)
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
