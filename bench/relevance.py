"""Relevance of similar-thread suggestions: keyword-only against hybrid, Recall@5 and MRR@10.

Run ``.venv/bin/python -m bench.relevance`` (``--ratios`` for the semantic-ratio sweep,
``--related`` for the related threads). Two sets:

(a) demo: the default demo community (``community.seed``, 400 threads, seed 42, a fixed reference
    time) in a temporary SQLite database, question and accepted-solution vectors stored as the
    worker stores them, the index built by ``search.reindex.rebuild``; the labelled queries of
    bench/relevance_demo.json, each about seed topics. A thread's topic is recorded by
    regenerating the community with the same seed (``thread_topics``); every thread of a query's
    topics is relevant (for a cross-language query only those in the target language).
(b) semeval: SemEval-2016 Task 3 subtask B (../shared/data/semeval2016_cqa_ql_en, read here only
    when present, never copied): the 434 candidate threads pooled in one index, the 72 original
    questions as queries, PerfectMatch and Relevant as relevant.

``--related`` also measures the search page's related-threads block on demo: the product's
``search.similar.related_threads`` itself (its own query embedding, both searches, the mix and the
exclusion of the keyword results page, as ``search.routes.related_url`` asks), swept over the
same-language and the other-language cut-offs (``related_study``), and the decision rule for the
other-language cut-off (``choose_cross_cutoff``).

Every request is ``search.similar.similar_request``: keyword-only is the product's request without
``hybrid``/``vector``, hybrid is exactly what ``search_similar`` sends. Vectors are cached under
var/bench/ by a hash of the model name and the text, so only the first run pays for embedding.
Prints the figures and writes them to bench/out/relevance.json.
"""

import argparse
import csv
import hashlib
import json
import logging
import os
import shutil
import sqlite3
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import meilisearch
from sqlmodel import Session, col, select

from community import migrate
from community.db import make_engine
from community.models import Post, PostEmbedding, Solution, Thread
from community.seed import loader
from community.seed.generator import PRAISE, CategoryTexts, Community, TopicTexts
from community.settings import PROJECT_ROOT
from search import embeddings
from search import queries as search_queries
from search.client import EXPERIMENTAL_FEATURES
from search.embeddings import MODEL_NAME
from search.index_settings import ensure_index, wait
from search.indexer import THREADS
from search.reindex import rebuild
from search.server import ManagedMeilisearch, MeiliEndpoint, external_endpoint
from search.settings import SearchSettings
from search.similar import (
    CROSS_LANGUAGE_THRESHOLD,
    MAX_SUGGESTIONS,
    SCORE_THRESHOLD,
    SEMANTIC_RATIO,
    query_text,
    related_threads,
    similar_request,
)

BENCH_VAR = PROJECT_ROOT / "var" / "bench"
OUT = PROJECT_ROOT / "bench" / "out" / "relevance.json"
QUERIES = Path(__file__).with_name("relevance_demo.json")
SEMEVAL = PROJECT_ROOT.parent / "shared" / "data" / "semeval2016_cqa_ql_en"

DEMO_THREADS = 400
DEMO_SEED = 42
DEMO_NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
"""Fixed, so the demo data (and the labels) are the same on every run."""
RANK_DEPTH = 10
"""MRR is MRR@10: the reciprocal rank of the first relevant thread among the first ten."""
SWEEP = [round(0.1 * step, 1) for step in range(11)]
THRESHOLDS = [0.9, 0.91, 0.915, 0.92, 0.925, 0.93, 0.935, 0.94]


# Vectors, cached ---------------------------------------------------------------------------------


class VectorCache:
    """Embeddings by sha256(model, kind, text) in var/bench/vectors.sqlite3."""

    def __init__(self, path: Path = BENCH_VAR / "vectors.sqlite3") -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(path)
        self.db.execute("CREATE TABLE IF NOT EXISTS vector (key TEXT PRIMARY KEY, data BLOB)")
        self.computed = 0

    @staticmethod
    def key(kind: str, text: str) -> str:
        return hashlib.sha256(f"{MODEL_NAME}\0{kind}\0{text}".encode()).hexdigest()

    def _get(self, keys: Sequence[str]) -> dict[str, embeddings.Vector]:
        found: dict[str, embeddings.Vector] = {}
        for start in range(0, len(keys), 500):
            chunk = list(keys[start : start + 500])
            marks = ",".join("?" * len(chunk))
            for key, data in self.db.execute(
                f"SELECT key, data FROM vector WHERE key IN ({marks})", chunk
            ):
                found[key] = embeddings.from_bytes(data)
        return found

    def _put(self, pairs: list[tuple[str, embeddings.Vector]]) -> None:
        self.db.executemany(
            "INSERT OR REPLACE INTO vector VALUES (?, ?)",
            [(key, embeddings.to_bytes(vector)) for key, vector in pairs],
        )
        self.db.commit()

    def passages(self, texts: Sequence[str]) -> list[embeddings.Vector]:
        keys = [self.key("passage", text) for text in texts]
        found = self._get(keys)
        missing = sorted({k: t for k, t in zip(keys, texts, strict=True) if k not in found}.items())
        for start in range(0, len(missing), 32):
            batch = missing[start : start + 32]
            vectors = embeddings.embed_passages([text for _, text in batch])
            pairs = [(key, vectors[i]) for i, (key, _) in enumerate(batch)]
            self._put(pairs)
            found.update(pairs)
            self.computed += len(batch)
            print(f"  embedded {self.computed} passages", end="\r", flush=True)
        return [found[key] for key in keys]

    def query(self, text: str) -> embeddings.Vector:
        key = self.key("query", text)
        found = self._get([key])
        if key not in found:
            found[key] = embeddings.embed_query(text)
            self._put([(key, found[key])])
        return found[key]


# Metrics -----------------------------------------------------------------------------------------


def recall_at(ranked: Sequence[Any], relevant: set[Any], k: int = MAX_SUGGESTIONS) -> float:
    """Share of the relevant threads among the first ``k``, out of at most ``k`` (so 1.0 means
    all ``k`` places hold relevant threads, or every relevant thread is there)."""
    return len(set(ranked[:k]) & relevant) / min(k, len(relevant))


def reciprocal_rank(ranked: Sequence[Any], relevant: set[Any], depth: int = RANK_DEPTH) -> float:
    for position, item in enumerate(ranked[:depth], start=1):
        if item in relevant:
            return 1.0 / position
    return 0.0


def average_precision(ranked: Sequence[Any], relevant: set[Any]) -> float:
    hits, total = 0, 0.0
    for position, item in enumerate(ranked, start=1):
        if item in relevant:
            hits += 1
            total += hits / position
    return total / len(relevant) if relevant else 0.0


def mean(values: Sequence[float]) -> float:
    return statistics.fmean(values) if values else 0.0


@dataclass(frozen=True)
class Query:
    qid: str
    subset: str
    text: str
    relevant: frozenset[Any]
    filter: str | None = None
    """An extra filter of the evaluation (the target language of a cross-language query)."""


@dataclass
class Run:
    """The ranked ids and scores of every query for one way of searching."""

    ranked: dict[str, list[Any]] = field(default_factory=dict)
    scores: dict[str, list[float]] = field(default_factory=dict)
    first: dict[str, list[Any]] = field(default_factory=dict)
    """The ids answered to the product's own request (five suggestions), for Recall@5."""

    def figures(self, queries: Sequence[Query]) -> dict[str, float]:
        recall = [recall_at(self.first[q.qid], set(q.relevant)) for q in queries]
        rr = [reciprocal_rank(self.ranked[q.qid], set(q.relevant)) for q in queries]
        return {"recall@5": round(mean(recall), 4), "mrr@10": round(mean(rr), 4)}


Searcher = Callable[[str, dict[str, Any]], list[dict[str, Any]]]


def searcher(index: Any) -> Searcher:
    def search(q: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        hits: list[dict[str, Any]] = index.search(q, params)["hits"]
        return hits

    return search


def run_queries(
    search: Searcher,
    queries: Sequence[Query],
    vectors: dict[str, list[float]] | None,
    *,
    semantic_ratio: float = SEMANTIC_RATIO,
    threshold: float | None = None,
    limit: int = RANK_DEPTH,
) -> Run:
    """Each query as the product sends it (keyword-only when ``vectors`` is None), with the
    query's evaluation filter, if any: once with ``limit`` and the ranking score shown (for MRR
    and the scores), once exactly as the product asks for five (for Recall@5). No relevance
    cut-off unless ``threshold`` is given (it is calibrated on hybrid scores only)."""
    run = Run()
    for query in queries:
        vector = vectors[query.qid] if vectors is not None else None
        for size in dict.fromkeys((limit, MAX_SUGGESTIONS)):
            params = similar_request(
                vector, semantic_ratio=semantic_ratio, threshold=threshold, limit=size
            )
            if query.filter:
                params["filter"] = f"({params['filter']}) AND ({query.filter})"
            if size == limit:
                params["showRankingScore"] = True
            hits = search(query.text, params)
            if size == limit:
                run.ranked[query.qid] = [hit["id"] for hit in hits]
                run.scores[query.qid] = [float(hit["_rankingScore"]) for hit in hits]
            if size == MAX_SUGGESTIONS:
                run.first[query.qid] = [hit["id"] for hit in hits]
    return run


def subsets(queries: Sequence[Query]) -> dict[str, list[Query]]:
    groups: dict[str, list[Query]] = {}
    for query in queries:
        groups.setdefault(query.subset, []).append(query)
    if len(groups) > 1:
        groups["all"] = list(queries)
    return groups


def compare(
    search: Searcher, queries: Sequence[Query], vectors: dict[str, list[float]]
) -> tuple[dict[str, Any], Run, Run]:
    keyword = run_queries(search, queries, None)
    hybrid = run_queries(search, queries, vectors)
    table = {
        name: {
            "queries": len(group),
            "keyword": keyword.figures(group),
            "hybrid": hybrid.figures(group),
        }
        for name, group in subsets(queries).items()
    }
    return table, keyword, hybrid


def sweep(
    search: Searcher, queries: Sequence[Query], vectors: dict[str, list[float]]
) -> dict[str, dict[str, float]]:
    return {
        f"{ratio:.1f}": run_queries(search, queries, vectors, semantic_ratio=ratio).figures(queries)
        for ratio in SWEEP
    }


def score_study(run: Run, queries: Sequence[Query]) -> dict[str, Any]:
    """Ranking scores of relevant and irrelevant hits in the first five (quartiles)."""
    relevant: list[float] = []
    other: list[float] = []
    for query in queries:
        for hit_id, score in list(zip(run.ranked[query.qid], run.scores[query.qid], strict=True))[
            :5
        ]:
            (relevant if hit_id in query.relevant else other).append(score)

    def quartiles(values: list[float]) -> list[float]:
        if len(values) < 2:
            return [round(v, 3) for v in values]
        return [
            round(min(values), 3),
            *(round(v, 3) for v in statistics.quantiles(values, n=4)),
            round(max(values), 3),
        ]

    return {
        "relevant": {"n": len(relevant), "min_q1_median_q3_max": quartiles(relevant)},
        "irrelevant": {"n": len(other), "min_q1_median_q3_max": quartiles(other)},
    }  # fmt: skip


def cutoff_study(
    search: Searcher,
    queries: Sequence[Query],
    vectors: dict[str, list[float]],
    off: Sequence[Query] = (),
    off_vectors: dict[str, list[float]] | None = None,
    thresholds: Sequence[float | None] = (None, *THRESHOLDS, SCORE_THRESHOLD),
) -> dict[str, dict[str, float]]:
    """The product's request (five suggestions) with ``rankingScoreThreshold`` at each value:
    Recall@5 of the labelled queries, and how many suggestions the off-topic queries get."""
    rows: dict[str, dict[str, float]] = {}
    for threshold in dict.fromkeys(thresholds):
        run = run_queries(search, queries, vectors, threshold=threshold, limit=MAX_SUGGESTIONS)
        row = {
            f"recall@5 {name}": round(
                mean([recall_at(run.first[q.qid], set(q.relevant)) for q in group]), 4
            )
            for name, group in subsets(queries).items()
        }
        row["answered"] = sum(1 for q in queries if set(run.first[q.qid]) & q.relevant)
        if off and off_vectors is not None:
            off_run = run_queries(
                search, off, off_vectors, threshold=threshold, limit=MAX_SUGGESTIONS
            )
            counts = [len(off_run.first[q.qid]) for q in off]
            row["off_topic_suggestions"] = round(mean(counts), 2)
            row["off_topic_with_any"] = sum(1 for count in counts if count)
        rows["none" if threshold is None else f"{threshold:.3f}"] = row
    return rows


def print_cutoff(title: str, rows: dict[str, dict[str, float]], off_total: int = 0) -> None:
    print(f"\n{title}: relevance cut-off (rankingScoreThreshold), product request")
    for threshold, row in rows.items():
        recall = "  ".join(
            f"{key.split()[1]} {value:.3f}"
            for key, value in row.items()
            if key.startswith("recall")
        )
        line = f"  {threshold:>6}  Recall@5 {recall}  answered {row['answered']:.0f}"
        if "off_topic_suggestions" in row:
            line += (
                f"   off-topic: {row['off_topic_suggestions']:.2f} suggestions per query,"
                f" {row['off_topic_with_any']:.0f}/{off_total} get any"
            )
        print(line)


# Meilisearch -------------------------------------------------------------------------------------


@contextmanager
def meilisearch_endpoint(work: Path) -> Iterator[MeiliEndpoint]:
    """MEILI_URL when set, otherwise the pinned binary on a free port with data under ``work``."""
    settings = SearchSettings()
    if settings.is_external:
        yield external_endpoint(settings)
        return
    server = ManagedMeilisearch(SearchSettings(var_dir=work / "meili", meili_port=0, meili_url=""))
    server.start()
    try:
        yield server.endpoint
    finally:
        server.stop()


def drop_prefixed(client: meilisearch.Client, prefix: str) -> None:
    indexes: Any = client.get_indexes({"limit": 1000})
    for index in indexes["results"]:
        if index.uid.startswith(prefix):
            client.wait_for_task(client.delete_index(index.uid).task_uid)


# (a) The demo community --------------------------------------------------------------------------


class _TopicRecorder(Community):
    """The demo generator, unchanged, noting the topic each thread is written from (in order).

    ``_opening`` is called once per thread, with the topic the thread was drawn for; a praise
    thread is generic thanks whatever its topic, so it is about no topic (None)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.keys: dict[int, str] = {
            id(topic): f"{category.spec.slug}/{n}"
            for category in self.categories
            for n, topic in enumerate(category.topics)
        }
        self.recorded: list[str | None] = []

    def _opening(self, kind: str, texts: CategoryTexts, topic: TopicTexts, lang: str) -> Any:
        self.recorded.append(None if kind == PRAISE else self.keys[id(topic)])
        return super()._opening(kind, texts, topic, lang)


def thread_topics(*, threads: int, seed: int, now: datetime) -> dict[int, tuple[str | None, str]]:
    """Thread id -> (topic key or None, title), regenerated with the seed the database has."""
    community = _TopicRecorder(threads=threads, seed=seed, now=now, password_hash="-")
    titles: list[str] = []
    for batch in community.batches(1000):
        titles.extend(str(row["title"]) for row in batch.threads)
    return {
        n: (topic, title)
        for n, (topic, title) in enumerate(zip(community.recorded, titles, strict=True), start=1)
    }


def load_demo_queries(
    labels: dict[int, tuple[str | None, str]], languages: dict[int, str]
) -> tuple[list[Query], list[str], dict[str, int]]:
    data = json.loads(QUERIES.read_text())
    known = {topic for topic, _ in labels.values() if topic}
    queries: list[Query] = []
    per_topic: dict[str, int] = {}
    for item in data["queries"]:
        topics = set(item["topics"])
        if unknown := topics - known:
            raise SystemExit(f"{item['id']}: unknown topics {sorted(unknown)}")
        target = item.get("target")
        relevant = frozenset(
            thread_id
            for thread_id, (topic, _) in labels.items()
            if topic in topics and (target is None or languages[thread_id] == target)
        )
        if not relevant:
            # The community is drawn at random from the topics: a topic can miss a language.
            where = f" in {target}" if target else ""
            print(f"  {item['id']} left out: no thread of {sorted(topics)}{where} in the demo data")
            continue
        queries.append(
            Query(
                qid=item["id"],
                subset=item["set"],
                text=query_text(item["q"]),
                relevant=relevant,
                filter=f'language = "{target}"' if target else None,
            )
        )
    for topic, _ in labels.values():
        if topic:
            per_topic[topic] = per_topic.get(topic, 0) + 1
    # The cut-off study keeps to the 16 off-topic questions its figures were first measured on.
    off_topic = [query_text(item["q"]) for item in data["off_topic"] if item["set"] == "off"]
    return queries, off_topic, per_topic


def build_demo(
    work: Path, cache: VectorCache
) -> tuple[str, dict[int, tuple[str | None, str]], dict[int, str]]:
    """Seed, store the vectors a thread document needs, migrate; returns the database url."""
    url = f"sqlite:///{work / 'demo.sqlite3'}"
    migrate.upgrade(url)
    engine = make_engine(url)
    loader.seed(engine, threads=DEMO_THREADS, seed=DEMO_SEED, now=DEMO_NOW)
    labels = thread_topics(threads=DEMO_THREADS, seed=DEMO_SEED, now=DEMO_NOW)
    with Session(engine) as session:
        threads = {t.id: t for t in session.exec(select(Thread))}
        for thread_id, thread in threads.items():
            assert thread_id is not None
            if labels[thread_id][1] != thread.title:
                raise SystemExit(f"regenerated thread {thread_id} differs from the seeded one")
        accepted = set(session.exec(select(Solution.post_id)))
        posts = [
            post
            for post in session.exec(select(Post).order_by(col(Post.id)))
            if post.is_question or post.id in accepted
        ]
        texts = [embeddings.passage_text(post, threads[post.thread_id].title) for post in posts]
        vectors = cache.passages(texts)
        for post, vector in zip(posts, vectors, strict=True):
            assert post.id is not None
            session.add(
                PostEmbedding(
                    post_id=post.id,
                    model=MODEL_NAME,
                    dimensions=int(vector.shape[0]),
                    vector=embeddings.to_bytes(vector),
                    created_at=DEMO_NOW,
                )
            )
        session.commit()
        languages = {t_id: str(t.language) for t_id, t in threads.items() if t_id is not None}
    engine.dispose()
    return url, labels, languages


# (a) The demo community: the search page's related threads --------------------------------------

RELATED_SAME = [0.92, 0.93]
"""Same-language cut-offs (``threshold`` of ``related_threads``) besides the shipped
SCORE_THRESHOLD: a step either side."""
RELATED_CROSS = [0.9, 0.905, 0.91, 0.915, 0.92, 0.925]
"""Other-language cut-offs (``cross_threshold``), up to the same-language one; the shipped
CROSS_LANGUAGE_THRESHOLD and SCORE_THRESHOLD are always among them (``cross_cutoffs``)."""
OFF_TOPIC_SLACK = 2
MIN_OTHER_PRECISION = 0.5
RECALL_TIE = 0.01
OTHER_LANGUAGE = {"it": "en", "en": "it"}


@dataclass(frozen=True)
class RelatedQuery:
    qid: str
    subset: str
    """it, en or cross (labelled), off or off-new (off-topic)."""
    text: str
    language: str
    """What the query is written in, and the reader's language (the block's fallback)."""
    relevant: frozenset[int]
    """Every thread of the query's topics, in either language: in the block, the same-language
    threads of a cross-language query are right answers too. Empty for an off-topic question."""


def cross_cutoffs() -> list[float]:
    shipped = [CROSS_LANGUAGE_THRESHOLD] + ([] if SCORE_THRESHOLD is None else [SCORE_THRESHOLD])
    return sorted({*RELATED_CROSS, *shipped})


class BenchService:
    """What the product's search code needs of the app's SearchService: a client and the index
    names, here the run's admin client and prefix."""

    def __init__(self, client: meilisearch.Client, prefix: str) -> None:
        self.client = client
        self.prefix = prefix

    def index_name(self, name: str) -> str:
        return f"{self.prefix}_{name}"


class _Failures(logging.Handler):
    """Warnings of the search code: ``related_threads`` answers an empty block when anything
    fails, which a benchmark must not count as "nothing related"."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def load_related_queries(
    labels: dict[int, tuple[str | None, str]],
) -> list[RelatedQuery]:
    """Every labelled query (the two left out of the Recall figures included: their block can
    still be right or wrong) and every off-topic question of bench/relevance_demo.json."""
    data = json.loads(QUERIES.read_text())
    found: list[RelatedQuery] = []
    for item in data["queries"]:
        target = item.get("target")
        language = OTHER_LANGUAGE[target] if target else item["set"]
        relevant = frozenset(
            thread_id for thread_id, (topic, _) in labels.items() if topic in item["topics"]
        )
        found.append(RelatedQuery(item["id"], item["set"], item["q"], language, relevant))
    found.extend(
        RelatedQuery(item["id"], item["set"], item["q"], item["language"], frozenset())
        for item in data["off_topic"]
    )
    return found


def results_page(service: BenchService, q: str) -> set[int]:
    """The threads the search page lists for ``q`` (its first page, as ``search_page`` asks for
    it): what ``related_url`` passes to the block as ``exclude``."""
    found = search_queries.search_threads(service, search_queries.SearchQuery(q=q))
    return {hit.id for hit in found.items}


def ratio(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def block_figures(
    group: Sequence[RelatedQuery],
    shown: dict[str, list[int]],
    excluded: dict[str, set[int]],
    languages: dict[int, str],
) -> dict[str, float]:
    """Labelled queries: how many of the block's threads are relevant (all, and those in the
    other language), and the recall of the other language's relevant threads the block could
    show (those not on the results page), out of at most five (Recall@5's denominator)."""
    right = other = other_right = 0
    recall: list[float] = []
    for query in group:
        ids = shown[query.qid]
        theirs = [i for i in ids if languages[i] != query.language]
        right += sum(i in query.relevant for i in ids)
        other += len(theirs)
        other_right += sum(i in query.relevant for i in theirs)
        wanted = {i for i in query.relevant if languages[i] != query.language} - excluded.get(
            query.qid, set()
        )
        if wanted:
            recall.append(len(wanted & set(ids)) / min(MAX_SUGGESTIONS, len(wanted)))
    total = sum(len(shown[query.qid]) for query in group)
    return {
        "queries": len(group),
        "threads_per_query": round(total / len(group), 2),
        "precision": ratio(right, total),
        "other_threads": other,
        "other_precision": ratio(other_right, other),
        "other_queries": len(recall),
        "other_recall@5": round(mean(recall), 4),
        "other_found": sum(1 for value in recall if value),
    }


def off_topic_figures(
    group: Sequence[RelatedQuery], shown: dict[str, list[int]], languages: dict[int, str]
) -> dict[str, float]:
    counts = [len(shown[query.qid]) for query in group]
    return {
        "queries": len(group),
        "with_any": sum(1 for count in counts if count),
        "threads_per_query": round(mean(counts), 2),
        "with_other_language": sum(
            1 for query in group if any(languages[i] != query.language for i in shown[query.qid])
        ),
    }


def related_study(
    service: BenchService,
    related: Sequence[RelatedQuery],
    languages: dict[int, str],
    titles: dict[int, str],
) -> dict[str, Any]:
    """``related_threads`` itself (query embedding, both searches, the mix, the exclusion) for
    every query at each pair of cut-offs: with the page's exclusion (the keyword results page of
    the query) at every pair, without it (the API called with no ``exclude``) at the shipped
    same-language cut-off. The reader's language is the query's."""
    pages = {query.qid: results_page(service, query.text) for query in related}
    labelled = [query for query in related if query.relevant]
    off = [query for query in related if not query.relevant]
    crosses = cross_cutoffs()
    configs = [(SCORE_THRESHOLD, cross, exclude) for exclude in (True, False) for cross in crosses]
    configs += [(same, cross, True) for same in RELATED_SAME for cross in crosses]
    failures = _Failures()
    logging.getLogger("peerdesk.search").addHandler(failures)
    rows: list[dict[str, Any]] = []
    blocks: dict[tuple[float | None, float, bool], dict[str, list[int]]] = {}
    try:
        for same, cross, exclude in configs:
            excluded = pages if exclude else {}
            shown = {
                query.qid: [
                    item.id
                    for item in related_threads(
                        service,
                        q=query.text,
                        language=query.language,
                        exclude=excluded.get(query.qid, ()),
                        threshold=same,
                        cross_threshold=cross,
                    )
                ]
                for query in related
            }
            blocks[same, cross, exclude] = shown
            rows.append(
                {
                    "same": same,
                    "cross": cross,
                    "exclude": "page" if exclude else "none",
                    "cross_queries": block_figures(
                        [q for q in labelled if q.subset == "cross"], shown, excluded, languages
                    ),
                    "labelled": block_figures(labelled, shown, excluded, languages),
                    "off_topic": off_topic_figures(off, shown, languages),
                    "off_topic_first_16": off_topic_figures(
                        [q for q in off if q.subset == "off"], shown, languages
                    ),
                }
            )
    finally:
        logging.getLogger("peerdesk.search").removeHandler(failures)
    if failures.records:
        raise SystemExit(f"related threads failed: {failures.records[0].getMessage()}")
    chosen = choose_cross_cutoff(rows)
    shipped = blocks[SCORE_THRESHOLD, CROSS_LANGUAGE_THRESHOLD, True]
    return {
        "labelled_queries": len(labelled),
        "off_topic_queries": len(off),
        "results_page_sizes": sorted({len(page) for page in pages.values()}),
        "rows": rows,
        "rule": {
            "off_topic_slack": OFF_TOPIC_SLACK,
            "min_other_precision": MIN_OTHER_PRECISION,
            "recall_tie": RECALL_TIE,
            "chosen_cross": chosen,
        },
        "off_topic_shown_at_shipped": {
            query.text: [titles[i] for i in shipped[query.qid]]
            for query in off
            if shipped[query.qid]
        },
    }


def choose_cross_cutoff(rows: Sequence[dict[str, Any]]) -> float | None:
    """The decision rule, written down before the first sweep was run (bench/README.md).

    At the shipped same-language cut-off, with the page's exclusion: a cross-language cut-off
    is admissible when the off-topic questions that get any related thread are at most
    ``OFF_TOPIC_SLACK`` more than with the cross-language cut-off equal to the same-language
    one, and at least ``MIN_OTHER_PRECISION`` of the other-language threads shown to labelled
    queries are relevant. Of those, the one with the highest other-language recall of the
    labelled queries; within ``RECALL_TIE`` of it, the highest cut-off. None admissible: the
    same-language cut-off. None when there is no same-language cut-off to start from."""
    page = [r for r in rows if r["exclude"] == "page" and r["same"] == SCORE_THRESHOLD]
    base = next((r for r in page if r["cross"] == SCORE_THRESHOLD), None)
    if base is None:
        return None
    allowed = base["off_topic"]["with_any"] + OFF_TOPIC_SLACK
    admissible = [
        r
        for r in page
        if r["off_topic"]["with_any"] <= allowed
        and (
            r["labelled"]["other_threads"] == 0
            or r["labelled"]["other_precision"] >= MIN_OTHER_PRECISION
        )
    ]
    if not admissible:
        return float(base["cross"])
    best = max(r["labelled"]["other_recall@5"] for r in admissible)
    return float(
        max(r["cross"] for r in admissible if r["labelled"]["other_recall@5"] >= best - RECALL_TIE)
    )


def print_related(study: dict[str, Any]) -> None:
    n_off = study["off_topic_queries"]
    print(
        f"\ndemo: related threads (search.similar.related_threads), {study['labelled_queries']}"
        f" labelled and {n_off} off-topic queries"
    )
    print(
        "  same  cross  exclude | cross queries: prec  other-prec  other-R@5  found"
        " | all labelled: prec  other-prec  other-R@5  found | off-topic: any (first 16)  mean"
    )
    for row in study["rows"]:
        c, a, o = row["cross_queries"], row["labelled"], row["off_topic"]
        print(
            f"  {row['same']:.3f} {row['cross']:.3f} {row['exclude']:>7} |"
            f" {c['precision']:18.2f} {c['other_precision']:11.2f} {c['other_recall@5']:10.3f}"
            f" {c['other_found']:3.0f}/{c['other_queries']:<2.0f}|"
            f" {a['precision']:17.2f} {a['other_precision']:11.2f} {a['other_recall@5']:10.3f}"
            f" {a['other_found']:3.0f}/{a['other_queries']:<2.0f}|"
            f" {o['with_any']:12.0f}/{n_off} ({row['off_topic_first_16']['with_any']:.0f})"
            f" {o['threads_per_query']:5.2f}"
        )
    rule = study["rule"]
    print(
        f"  rule (same-language {SCORE_THRESHOLD}, with the page's exclusion): off-topic with any"
        f" <= that at cross = same + {rule['off_topic_slack']}, other-language precision >="
        f" {rule['min_other_precision']}, then the highest other-R@5 (ties within"
        f" {rule['recall_tie']}: the higher cut-off) -> {rule['chosen_cross']}"
        f" (shipped {CROSS_LANGUAGE_THRESHOLD})"
    )
    print(f"  off-topic questions with related threads at {CROSS_LANGUAGE_THRESHOLD}:")
    for text, shown in study["off_topic_shown_at_shipped"].items():
        print(f"    {text!r}: {shown}")


# (b) SemEval 2016 --------------------------------------------------------------------------------


def semeval_documents(
    rows: list[dict[str, str]], cache: VectorCache
) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """Threads documents (the index's shape) for the candidate threads; ids are numbered."""
    threads = [row for row in rows if row["role"] == "thread"]
    texts = [
        embeddings.plain_text(f"{row['title'].strip()}. {row['body']}")[: embeddings.MAX_CHARS]
        for row in threads
    ]
    vectors = cache.passages(texts)
    numbers = {row["id"]: n for n, row in enumerate(threads, start=1)}
    documents: list[dict[str, Any]] = [
        {
            "id": numbers[row["id"]],
            "title": row["title"],
            "question": row["body"],
            "solution": None,
            "best_replies": [],
            "tags": [],
            "category": row["category"],
            "category_name": row["category"],
            "solved": False,
            "solved_rank": 0,
            "has_official_answer": False,
            "language": "en",
            "author": None,
            "created_at": 0,
            "last_activity_at": 0,
            "kudos_count": 0,
            "reply_count": 0,
            "visibility": "public",
            "_vectors": {"default": [float(x) for x in vector]},
        }
        for row, vector in zip(threads, vectors, strict=True)
    ]
    return documents, numbers


def semeval_queries(
    rows: list[dict[str, str]], pairs: list[dict[str, str]], numbers: dict[str, int]
) -> tuple[list[Query], dict[str, list[tuple[int, int]]]]:
    """The queries with a relevant thread, and every query's candidates (number, search rank)."""
    relevant: dict[str, set[int]] = {}
    candidates: dict[str, list[tuple[int, int]]] = {}
    for pair in pairs:
        number = numbers[pair["thread_id"]]
        candidates.setdefault(pair["query_id"], []).append((number, int(pair["search_rank"])))
        if int(pair["relevance"]) >= 1:
            relevant.setdefault(pair["query_id"], set()).add(number)
    queries = [
        Query(
            qid=row["id"],
            subset="semeval",
            text=query_text(row["title"], row["body"]),
            relevant=frozenset(relevant[row["id"]]),
        )
        for row in rows
        if row["role"] == "query" and relevant.get(row["id"])
    ]
    return queries, candidates


def reranking(
    search: Searcher,
    queries: Sequence[Query],
    candidates: dict[str, list[tuple[int, int]]],
    vectors: dict[str, list[float]] | None,
    total: int,
) -> dict[str, float]:
    """The official setting: each query's own candidates in the order of the pooled ranking
    (every thread retrieved), those not retrieved after, in search-engine order; with
    ``vectors`` None and ``total`` 0, the search engine's order itself (the baseline)."""
    ap, rr = [], []
    for query in queries:
        own = sorted(candidates[query.qid], key=lambda pair: pair[1])
        order = [number for number, _ in own]
        if total:
            vector = vectors[query.qid] if vectors is not None else None
            params = similar_request(vector, threshold=None, limit=total)
            params["attributesToRetrieve"] = ["id"]
            pooled = [hit["id"] for hit in search(query.text, params)]
            mine = set(order)
            ranked = [number for number in pooled if number in mine]
            order = ranked + [number for number in order if number not in set(ranked)]
        ap.append(average_precision(order, set(query.relevant)))
        rr.append(reciprocal_rank(order, set(query.relevant)))
    return {"map": round(mean(ap), 4), "mrr": round(mean(rr), 4)}


# Main --------------------------------------------------------------------------------------------


def print_table(title: str, table: dict[str, Any]) -> None:
    print(f"\n{title}: Recall@5 / MRR@10, keyword-only vs hybrid (semanticRatio {SEMANTIC_RATIO})")
    for name, row in table.items():
        k, h = row["keyword"], row["hybrid"]
        print(
            f"  {name:8} n={row['queries']:3}  keyword {k['recall@5']:.3f} / {k['mrr@10']:.3f}"
            f"   hybrid {h['recall@5']:.3f} / {h['mrr@10']:.3f}"
        )


def print_sweep(title: str, figures: dict[str, dict[str, float]]) -> None:
    print(f"\n{title}: semanticRatio sweep, Recall@5 / MRR@10")
    for ratio, row in figures.items():
        print(f"  {ratio}  {row['recall@5']:.3f} / {row['mrr@10']:.3f}")


def demo_set(
    client: meilisearch.Client,
    prefix: str,
    work: Path,
    cache: VectorCache,
    args: argparse.Namespace,
) -> dict[str, Any]:
    started = time.monotonic()
    url, labels, languages = build_demo(work, cache)
    queries, off_topic, per_topic = load_demo_queries(labels, languages)
    service = BenchService(client, f"{prefix}_demo")
    live = service.index_name(THREADS)
    rebuild(make_engine(url), client, live)
    search = searcher(client.index(live))
    vectors = {q.qid: cache.query(q.text).tolist() for q in queries}
    table, keyword, hybrid = compare(search, queries, vectors)
    print_table("demo (400 threads)", table)
    result: dict[str, Any] = {
        "threads": DEMO_THREADS,
        "topics": per_topic,
        "figures": table,
        "scores": {
            "keyword": score_study(keyword, queries),
            "hybrid": score_study(hybrid, queries),
        },
    }
    off = [
        Query(qid=f"off{n}", subset="off", text=text, relevant=frozenset())
        for n, text in enumerate(off_topic)
    ]
    off_vectors = {q.qid: cache.query(q.text).tolist() for q in off}
    off_run = run_queries(search, off, off_vectors, limit=MAX_SUGGESTIONS)
    result["off_topic_scores"] = [round(max(off_run.scores[q.qid], default=0.0), 3) for q in off]
    result["cutoff"] = cutoff_study(search, queries, vectors, off, off_vectors)
    print_cutoff("demo", result["cutoff"], len(off))
    kept = run_queries(search, off, off_vectors, threshold=SCORE_THRESHOLD, limit=MAX_SUGGESTIONS)
    titles = {thread_id: title for thread_id, (_, title) in labels.items()}
    result["off_topic_suggested"] = {
        q.text: [titles[thread_id] for thread_id in kept.first[q.qid]]
        for q in off
        if kept.first[q.qid]
    }
    print(f"  off-topic queries still suggested something at {SCORE_THRESHOLD}:")
    for text, suggested in result["off_topic_suggested"].items():
        print(f"    {text!r}: {suggested}")
    if args.related:
        result["related"] = related_study(service, load_related_queries(labels), languages, titles)
        print_related(result["related"])
    if args.ratios:
        result["sweep"] = sweep(search, queries, vectors)
        print_sweep("demo", result["sweep"])
    if args.scores:
        print(
            json.dumps(result["scores"], indent=1),
            "off-topic best scores",
            result["off_topic_scores"],
        )
    result["seconds"] = round(time.monotonic() - started, 1)
    return result


def semeval_set(
    client: meilisearch.Client, prefix: str, cache: VectorCache, args: argparse.Namespace
) -> dict[str, Any] | None:
    if not (SEMEVAL / "questions.csv").is_file():
        print(f"\nsemeval: {SEMEVAL} not present, skipped")
        return None
    started = time.monotonic()
    with (SEMEVAL / "questions.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    with (SEMEVAL / "pairs.csv").open(newline="") as handle:
        pairs = list(csv.DictReader(handle))
    documents, numbers = semeval_documents(rows, cache)
    queries, candidates = semeval_queries(rows, pairs, numbers)
    name = f"{prefix}_semeval"
    ensure_index(client, name)
    index = client.index(name)
    wait(client, index.add_documents(documents).task_uid, timeout_ms=300_000)
    search = searcher(index)
    vectors = {q.qid: cache.query(q.text).tolist() for q in queries}
    table, keyword, hybrid = compare(search, queries, vectors)
    print_table(f"semeval (pooled over {len(documents)} threads)", table)
    total = len(documents)
    rerank = {
        "search_engine": reranking(search, queries, candidates, None, 0),
        "keyword": reranking(search, queries, candidates, None, total),
        "hybrid": reranking(search, queries, candidates, vectors, total),
    }
    print("  re-ranking each query's own candidates, MAP / MRR:")
    for mode, figures in rerank.items():
        print(f"    {mode:14} {figures['map']:.3f} / {figures['mrr']:.3f}")
    cutoff = cutoff_study(search, queries, vectors)
    print_cutoff("semeval", cutoff)
    result: dict[str, Any] = {
        "threads": total,
        "cutoff": cutoff,
        "figures": table,
        "reranking": rerank,
        "scores": {
            "keyword": score_study(keyword, queries),
            "hybrid": score_study(hybrid, queries),
        },
    }
    if args.ratios:
        result["sweep"] = sweep(search, queries, vectors)
        print_sweep("semeval", result["sweep"])
    if args.scores:
        print(json.dumps(result["scores"], indent=1))
    result["seconds"] = round(time.monotonic() - started, 1)
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ratios", action="store_true", help="also sweep semanticRatio 0..1")
    parser.add_argument("--scores", action="store_true", help="print ranking-score quartiles")
    parser.add_argument(
        "--related",
        action="store_true",
        help="also the search page's related threads, swept over both cut-offs",
    )
    args = parser.parse_args(argv)
    BENCH_VAR.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="relevance-", dir=BENCH_VAR))
    cache = VectorCache()
    prefix = f"bench_rel_{uuid.uuid4().hex[:8]}"
    results: dict[str, Any] = {"model": MODEL_NAME, "semantic_ratio": SEMANTIC_RATIO}
    try:
        with meilisearch_endpoint(work) as endpoint:
            client = meilisearch.Client(endpoint.url, api_key=endpoint.master_key, timeout=30)
            client.update_experimental_features(EXPERIMENTAL_FEATURES)
            try:
                results["demo"] = demo_set(client, prefix, work, cache, args)
                results["semeval"] = semeval_set(client, prefix, cache, args)
            finally:
                drop_prefixed(client, prefix)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    beats = [
        row["hybrid"]["recall@5"] > row["keyword"]["recall@5"]
        and row["hybrid"]["mrr@10"] > row["keyword"]["mrr@10"]
        for part in (results.get("demo"), results.get("semeval"))
        if part
        for row in part["figures"].values()
    ]
    results["hybrid_beats_keyword"] = all(beats)
    print(f"\nhybrid beats keyword-only (Recall@5 and MRR@10, every subset): {all(beats)}")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nwritten {os.path.relpath(OUT)}")


if __name__ == "__main__":
    main()
