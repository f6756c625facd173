"""Signals: sentiment macro-F1 per language and per dataset on the held-out split, needs-the-brand
on the airline proxy, and throughput on one core with and without the embedding.

    nice -n 10 .venv/bin/python -m bench.signals_bench            # ~2 min once vectors are cached
    .venv/bin/python -m bench.signals_bench --quick                # fewer posts for throughput

The held-out split is moderation.training.split (per dataset and label, the 20% of rows whose
sha1("<dataset>:<id>") sorts first); the shipped weights never saw it. The development data is
read from ../shared/data here only; the test rows' e5 vectors are cached in var/train/e5 (the
training cache: embedding the 3,673 held-out rows takes about 2 minutes on one core).

Throughput, on one core (BLAS limited to one thread):
  * without the embedding: every signal (language, sentiment, needs-the-brand, toxicity, personal
    data) from the stored vector, one post per call as the worker handles one event, and 64 per
    call as ``peerdesk resignal`` does;
  * with the embedding: the same plus e5 on the post's text, one post per call (what the worker
    pays for a post whose vector the embeddings consumer has not stored yet).
"""

import argparse
import json
import random
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

from community.settings import PROJECT_ROOT

DATA = PROJECT_ROOT.parent / "shared" / "data"
OUT = PROJECT_ROOT / "bench" / "out" / "signals.json"
TARGETS = {"en": 0.78, "it": 0.67}
THROUGHPUT_TARGET = 500.0
BOOTSTRAP_ROUNDS = 2000


def _macro_f1(truth: list[str], predicted: list[str]) -> float:
    from sklearn.metrics import f1_score

    return float(f1_score(truth, predicted, average="macro"))


def bootstrap_interval(
    truth: list[str], predicted: list[str], *, rounds: int = BOOTSTRAP_ROUNDS, seed: int = 11
) -> tuple[float, float]:
    """The 95% percentile-bootstrap interval of macro-F1: how far the figure could move on
    another draw of the same number of rows (rows resampled with replacement)."""
    labels = sorted(set(truth) | set(predicted))
    k = len(labels)
    pairs = np.array(
        [labels.index(t) * k + labels.index(p) for t, p in zip(truth, predicted, strict=True)]
    )
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, len(pairs), size=(rounds, len(pairs)))
    cells = pairs[draws]
    confusion = np.stack([(cells == c).sum(axis=1) for c in range(k * k)], axis=1).reshape(
        rounds, k, k
    )
    hits = confusion[:, np.arange(k), np.arange(k)]
    said, true = confusion.sum(axis=1), confusion.sum(axis=2)
    with np.errstate(invalid="ignore", divide="ignore"):
        f1 = np.nan_to_num(2 * hits / (said + true))
    scores = f1.mean(axis=1)
    low, high = np.percentile(scores, [2.5, 97.5])
    return float(low), float(high)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--quick", action="store_true", help="fewer posts for throughput")
    args = parser.parse_args(argv)

    from threadpoolctl import threadpool_limits

    from community.settings import get_settings
    from moderation import training
    from moderation.signals import analyse, model_version
    from moderation.signals.text import normalise
    from search.embeddings import embed_features, embed_passages

    threadpool_limits(1)
    _, test = training.split(training.load_dev(args.data))
    passages, features = training.caches(get_settings().var_dir / "train")
    started = time.perf_counter()
    vectors = passages.embed([e.text for e in test])
    feature_vectors = features.embed([e.text for e in test])
    print(f"{len(test):,} held-out rows; vectors ready in {time.perf_counter() - started:.0f} s")

    results = analyse([e.text for e in test], vectors, feature_vectors=feature_vectors)
    by: dict[str, tuple[list[str], list[str]]] = defaultdict(lambda: ([], []))
    for example, signals in zip(test, results, strict=True):
        assert example.sentiment is not None
        for key in (f"lang:{example.lang}", f"dataset:{example.dataset}"):
            by[key][0].append(example.sentiment)
            by[key][1].append(signals.sentiment)
    sentiment = {
        key: {
            "macro_f1": round(_macro_f1(*pair), 4),
            "interval_95": [round(bound, 4) for bound in bootstrap_interval(*pair)],
            "rows": len(pair[0]),
        }
        for key, pair in sorted(by.items())
    }
    needs_rows = [(e, s) for e, s in zip(test, results, strict=True) if e.needs_brand is not None]
    needs_truth = [bool(e.needs_brand) for e, _ in needs_rows]
    needs_said = [s.needs_brand for _, s in needs_rows]
    tp = sum(t and p for t, p in zip(needs_truth, needs_said, strict=True))
    precision = tp / max(1, sum(needs_said))
    recall = tp / max(1, sum(needs_truth))
    needs = {
        "rows": len(needs_rows),
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(2 * precision * recall / max(1e-9, precision + recall), 4),
        "macro_f1": round(
            _macro_f1([str(t) for t in needs_truth], [str(p) for p in needs_said]), 4
        ),
    }

    # Throughput --------------------------------------------------------------------------------
    rng = random.Random(7)
    sample = rng.sample(range(len(test)), min(len(test), 600 if args.quick else 2000))
    texts = [test[i].text for i in sample]
    sample_vectors, sample_features = vectors[sample], feature_vectors[sample]

    def stored(start: int, stop: int) -> None:
        analyse(
            texts[start:stop],
            sample_vectors[start:stop],
            feature_vectors=sample_features[start:stop],
        )

    stored(0, 8)  # warm: model loaded, regexes compiled
    started = time.perf_counter()
    for i in range(len(texts)):
        stored(i, i + 1)
    one_by_one = len(texts) / (time.perf_counter() - started)
    started = time.perf_counter()
    for i in range(0, len(texts), 64):
        stored(i, i + 64)
    batched = len(texts) / (time.perf_counter() - started)
    # with both embeddings computed, as the worker does for a new post
    with_embedding_texts = texts[: 60 if args.quick else 200]
    embed_passages([normalise(with_embedding_texts[0])])
    started = time.perf_counter()
    for text in with_embedding_texts:
        analyse([text], embed_passages([text]), feature_vectors=embed_features([text]))
    with_embedding = len(with_embedding_texts) / (time.perf_counter() - started)

    report: dict[str, Any] = {
        "model_version": model_version(),
        "held_out_rows": len(test),
        "sentiment": sentiment,
        "needs_brand_airline_proxy": needs,
        "throughput_posts_per_s_one_core": {
            "without_embedding_one_per_call": round(one_by_one, 1),
            "without_embedding_batches_of_64": round(batched, 1),
            "with_embedding_one_per_call": round(with_embedding, 1),
            "posts_timed": len(texts),
            "posts_timed_with_embedding": len(with_embedding_texts),
        },
        "targets": {"macro_f1": TARGETS, "posts_per_s_without_embedding": THROUGHPUT_TARGET},
    }
    _print(report)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(report, indent=2) + "\n")
    print(f"written to {OUT.relative_to(PROJECT_ROOT)}")
    return report


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def _print(report: dict[str, Any]) -> None:
    print(f"model {report['model_version']}")
    print("sentiment macro-F1 on the held-out split [95% bootstrap interval]:")
    for key, row in report["sentiment"].items():
        low, high = row["interval_95"]
        line = f"  {key:32} {row['macro_f1']:.4f}  [{low:.3f}, {high:.3f}]  ({row['rows']:,} rows)"
        lang = key.removeprefix("lang:")
        if key.startswith("lang:") and lang in TARGETS:
            line += f"  target {TARGETS[lang]:.2f} {_verdict(row['macro_f1'] >= TARGETS[lang])}"
        print(line)
    needs = report["needs_brand_airline_proxy"]
    print(
        f"needs-the-brand on the airline proxy ({needs['rows']:,} rows): precision "
        f"{needs['precision']:.3f}, recall {needs['recall']:.3f}, F1 {needs['f1']:.3f}, "
        f"macro-F1 {needs['macro_f1']:.3f}"
    )
    speed = report["throughput_posts_per_s_one_core"]
    one = speed["without_embedding_one_per_call"]
    print(
        f"throughput on one core: without the embedding {one:,.0f} posts/s one per call "
        f"(target {THROUGHPUT_TARGET:.0f}: {_verdict(one >= THROUGHPUT_TARGET)}), "
        f"{speed['without_embedding_batches_of_64']:,.0f} posts/s in batches of 64; "
        f"with the embedding {speed['with_embedding_one_per_call']:,.1f} posts/s"
    )


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
