"""Similar threads while asking: up to five public threads that likely answer a new question.

Hybrid search over the threads index: Meilisearch's keyword ranking (typos, synonyms across
Italian and English) blended with the semantic similarity of the question's embedding to each
thread's stored vector, so "la fibra si disconnette ogni sera" finds "My fiber connection drops
every evening". Solved threads come first (relevance order kept within each group), each with the
opening of its accepted solution as plain text. Threads that score under ``SCORE_THRESHOLD``
are not suggested at all: a question nobody has asked gets an empty box, not five unrelated
threads.

The search page's "related threads" block (``related_threads``) is these suggestions, less the
threads its results page lists, mixed with those of a second search in the query's other languages
under ``CROSS_LANGUAGE_THRESHOLD``: a translation scores lower than a same-language match, so at the
suggestions' cut-off an Italian query rarely reaches the English twin of its thread.

Suggestions are a convenience: when Meilisearch is unavailable, or anything else goes wrong, the
answer is an empty list, never an error that would get in the way of asking.
"""

import logging
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from itertools import zip_longest
from typing import Any

from search.embeddings import embed_query
from search.index_settings import EMBEDDER, PUBLIC_FILTER
from search.indexer import THREADS
from search.queries import quote

log = logging.getLogger("peerdesk.search")

MIN_QUERY_CHARS = 3
MAX_QUERY_CHARS = 500
MAX_SUGGESTIONS = 5
MAX_EXCLUDED = 50
"""Thread ids the related threads may leave out: a whole results page (queries.MAX_PER_PAGE)."""
# Meilisearch merges the two result lists by score times weight; e5 similarities score about
# 0.9 and keyword scores rarely 0.5, so from 0.5 up the result is the semantic one alone. At 0.3
# a strong keyword match (score above about 0.4) still ranks first: best on both relevance sets
# (bench/relevance.py, bench/README.md).
SEMANTIC_RATIO = 0.3
# Not suggested under this score (rankingScoreThreshold): e5 puts unrelated threads at 0.88-0.93,
# so the lowest value at which "ho perso il gatto" gets nothing; 13 of 16 off-topic questions get
# nothing, Recall@5 0.60 -> 0.49 on the demo set, 0.54 -> 0.49 on SemEval (bench/relevance.py).
SCORE_THRESHOLD: float | None = 0.925
# Threads in another language than the query's, measured on related_threads itself with the
# page's exclusion (bench/relevance.py --related, 60 labelled and 44 off-topic demo questions):
# the lowest cut-off at which no more than 2 more off-topic questions get a related thread than
# with both cut-offs at SCORE_THRESHOLD (3 of 44 at 0.92 and 0.925, 6 at 0.915, 15 at 0.905).
# Recall@5 of the other language's relevant threads 0.32 (0.39 at 0.915, 0.26 at 0.925); 60% of
# the other-language threads shown are relevant (57% at 0.915).
CROSS_LANGUAGE_THRESHOLD = 0.92
EXCERPT_CHARS = 200


@dataclass(frozen=True)
class Suggestion:
    id: int
    title: str
    solved: bool
    solution_excerpt: str | None
    language: str | None = None

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
    not_language: str | None = None,
) -> dict[str, Any]:
    """The search parameters of a suggestion query (sent with the query text as ``q``).

    With ``vector`` (the query's embedding) a hybrid search with the relevance cut-off
    ``threshold`` (calibrated on hybrid scores); without it the keyword search alone, the same
    request minus ``hybrid``, ``vector`` and the cut-off. The relevance benchmark
    (bench/relevance.py) builds its requests here too, so it measures what the product sends.
    ``not_language`` leaves out the threads written in that language.
    """
    params: dict[str, Any] = {
        "filter": PUBLIC_FILTER
        if not_language is None
        else [PUBLIC_FILTER, f"language != {quote(not_language)}"],
        "limit": limit,
        "attributesToRetrieve": ["id", "title", "solved", "solution", "language"],
    }
    if vector is not None:
        params["hybrid"] = {"embedder": EMBEDDER, "semanticRatio": semantic_ratio}
        params["vector"] = [float(x) for x in vector]
        if threshold is not None:
            params["rankingScoreThreshold"] = threshold
    return params


def search_similar(
    service: Any,
    *,
    q: str,
    limit: int = MAX_SUGGESTIONS,
    vector: Sequence[float] | None = None,
    threshold: float | None = SCORE_THRESHOLD,
    not_language: str | None = None,
) -> list[Suggestion]:
    """The hybrid search itself (as ``similar_request`` describes it), most relevant first;
    raises when Meilisearch (or the model) cannot answer."""
    if vector is None:
        vector = embed_query(q).tolist()
    raw: Any = service.client.index(service.index_name(THREADS)).search(
        q, similar_request(vector, limit=limit, threshold=threshold, not_language=not_language)
    )
    return [
        Suggestion(
            id=int(hit["id"]),
            title=str(hit.get("title") or ""),
            solved=bool(hit.get("solved")),
            solution_excerpt=plain_excerpt(hit.get("solution")),
            language=hit.get("language"),
        )
        for hit in raw.get("hits", [])
    ]


def similar_threads(service: Any, *, q: str, limit: int = MAX_SUGGESTIONS) -> list[Suggestion]:
    """Up to ``limit`` (at most 5) public threads like ``q``, solved ones first.

    An empty list when ``q`` is shorter than three characters, when search is not configured
    (``service`` is None) or when it fails: suggestions never break asking a question."""
    q = query_text(q)
    limit = max(0, min(limit, MAX_SUGGESTIONS))
    if service is None or len(q) < MIN_QUERY_CHARS or limit == 0:
        return []
    try:
        return solved_first(search_similar(service, q=q, limit=limit))
    except Exception:  # a suggestion box must never stop anyone from asking
        log.warning("similar threads unavailable", exc_info=True)
        return []


def related_threads(
    service: Any,
    *,
    q: str,
    language: str,
    exclude: Collection[int] = (),
    threshold: float | None = SCORE_THRESHOLD,
    cross_threshold: float = CROSS_LANGUAGE_THRESHOLD,
) -> list[Suggestion]:
    """Up to five public threads like ``q`` and none of ``exclude``, solved ones first: the
    suggestions (cut-off ``threshold``) in turn with those in other languages than the query's
    (the reader's ``language`` when nothing matches it well; cut-off ``cross_threshold``). The
    page keeps both cut-offs; bench/relevance.py sweeps them on this very code path.

    Empty, never an error, as ``similar_threads``."""
    q = query_text(q)
    if service is None or len(q) < MIN_QUERY_CHARS:
        return []
    excluded = set(exclude)
    wanted = MAX_SUGGESTIONS + len(excluded)  # so that the excluded cannot leave the list short
    try:
        vector = embed_query(q).tolist()
        anywhere = search_similar(service, q=q, vector=vector, limit=wanted, threshold=threshold)
        # The query's language is that of its best match (a translation scores lower), else
        # the reader's: an Italian reader may well type English.
        written_in = (anywhere[0].language if anywhere else None) or language
        elsewhere = search_similar(
            service,
            q=q,
            vector=vector,
            limit=wanted,
            threshold=cross_threshold,
            not_language=written_in,
        )
    except Exception:  # the block is an extra: the results above it stand without it
        log.warning("related threads unavailable", exc_info=True)
        return []
    mixed = {
        item.id: item
        for pair in zip_longest(anywhere, elsewhere)
        for item in pair
        if item is not None and item.id not in excluded
    }
    return solved_first(list(mixed.values())[:MAX_SUGGESTIONS])
