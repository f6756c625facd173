"""The relevance benchmark's labels and metrics (bench/relevance.py): cheap, no server needed."""

import json
import re
from collections import Counter

from bench.relevance import (
    DEMO_NOW,
    QUERIES,
    average_precision,
    recall_at,
    reciprocal_rank,
    thread_topics,
)
from community.seed import topics as catalogue
from community.seed import vocabulary as vocab

TOPICS = {
    f"{spec.slug}/{n}": topic
    for spec in catalogue.CATEGORIES
    for n, topic in enumerate(spec.topics)
}


def _pattern(template: str) -> re.Pattern[str]:
    """A title template as a regular expression: every {slot} matches some text."""
    parts = re.split(r"\{[a-z_]+\}", template)
    return re.compile(".+?".join(re.escape(part) for part in parts) + r"\Z")


def _titles_of(key: str | None) -> list[str]:
    if key is None:
        return [title for titles in vocab.PRAISE_TITLES.values() for title in titles]
    topic = TOPICS[key]
    return [
        title
        for texts in (topic.titles, topic.complaints)
        for titles in texts.values()
        for title in titles
    ]


def test_every_thread_is_labelled_with_the_topic_its_title_was_written_from() -> None:
    labels = thread_topics(threads=150, seed=42, now=DEMO_NOW)

    assert sorted(labels) == list(range(1, 151))
    for thread_id, (key, title) in labels.items():
        assert any(_pattern(t).match(title) for t in _titles_of(key)), (thread_id, key, title)
    counts = Counter(key for key, _ in labels.values())
    assert len(counts) > 20  # many topics, not one label for everything
    assert 0 < counts[None] < 30  # praise threads are about no topic


def test_the_same_seed_gives_the_same_labels() -> None:
    first = thread_topics(threads=40, seed=7, now=DEMO_NOW)
    assert thread_topics(threads=40, seed=7, now=DEMO_NOW) == first
    assert thread_topics(threads=40, seed=8, now=DEMO_NOW) != first


def test_the_demo_queries_name_real_topics_in_three_sets_of_twenty() -> None:
    data = json.loads(QUERIES.read_text())
    queries = data["queries"]
    assert Counter(q["set"] for q in queries) == {"it": 20, "en": 20, "cross": 20}
    assert len({q["id"] for q in queries}) == len(queries)
    titles = {t.lower() for key in TOPICS for t in _titles_of(key)}
    for query in queries:
        assert set(query["topics"]) <= set(TOPICS), query
        assert query["q"].lower() not in titles, query  # a paraphrase, not a seed title
        assert (query["set"] == "cross") == ("target" in query), query
    assert Counter(q["target"] for q in queries if q["set"] == "cross") == {"en": 10, "it": 10}
    assert len(data["off_topic"]) >= 10


def test_the_metrics() -> None:
    ranked = [1, 2, 3, 4, 5, 6]
    assert recall_at(ranked, {1, 6, 7}) == 1 / 3  # 6 is sixth: outside the five
    assert recall_at(ranked, {2, 4}) == 1.0
    assert recall_at(ranked, set(range(1, 11))) == 1.0  # five places, all relevant
    assert reciprocal_rank(ranked, {3, 5}) == 1 / 3
    assert reciprocal_rank(ranked, {42}) == 0.0
    assert reciprocal_rank(list(range(20)), {12}) == 0.0  # MRR@10
    assert average_precision([1, 2, 3], {1, 3}) == (1 + 2 / 3) / 2
