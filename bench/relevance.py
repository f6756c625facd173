"""Relevance of similar-thread suggestions: keyword-only against hybrid, Recall@5 and MRR@10.

Run ``.venv/bin/python -m bench.relevance`` (``--ratios`` for the semantic-ratio sweep). Two sets:

(a) demo: the default demo community (``community.seed``, 400 threads, seed 42, a fixed reference
    time) in a temporary SQLite database, question and accepted-solution vectors stored as the
    worker stores them, the index built by ``search.reindex.rebuild``; the labelled queries of
    bench/relevance_demo.json, each about seed topics. A thread's topic is recorded by
    regenerating the community with the same seed (``thread_topics``); every thread of a query's
    topics is relevant (for a cross-language query only those in the target language).
(b) semeval: SemEval-2016 Task 3 subtask B (../shared/data/semeval2016_cqa_ql_en, read here only
    when present, never copied): the 434 candidate threads pooled in one index, the 72 original
    questions as queries, PerfectMatch and Relevant as relevant.

Every request is ``search.similar.similar_request``: keyword-only is the product's request without
``hybrid``/``vector``, hybrid is exactly what ``search_similar`` sends. Vectors are cached under
var/bench/ by a hash of the model name and the text, so only the first run pays for embedding.
Prints the figures and writes them to bench/out/relevance.json.
"""

import argparse
import csv
import hashlib
import json
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
from search.client import EXPERIMENTAL_FEATURES
from search.embeddings import MODEL_NAME
from search.index_settings import ensure_index, wait
from search.reindex import rebuild
from search.server import ManagedMeilisearch, MeiliEndpoint, external_endpoint
from search.settings import SearchSettings
from search.similar import (
    MAX_SUGGESTIONS,
    SCORE_THRESHOLD,
    SEMANTIC_RATIO,
    query_text,
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
    live = f"{prefix}_demo"
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
