"""Sentiment recipes compared on repeated inner splits of the training rows (never the held-out
split), so a choice rests on more than one 1,600-row validation draw.

    nice -n 10 .venv/bin/python -m bench.sentiment_cv                      # the shipped recipe
    nice -n 10 .venv/bin/python -m bench.sentiment_cv --weights confidence  # a variant

Split k (0..--splits-1) holds out, per dataset and label, the 20% of the training rows of
moderation.training.split whose ``sha1("val<k>:<dataset>:<id>")`` sorts first; the recipe
(moderation.training.fit) learns from the rest and is scored by macro-F1 per language on them.
Every split pairs with the same split of another run, so two recipes compare split by split.
The e5 vectors come from the training caches under var/train (``peerdesk train`` fills them).
"""

import argparse
import csv
import dataclasses
import hashlib
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from community.settings import PROJECT_ROOT
from moderation import training
from moderation.signals.model import CLASSES
from moderation.training import Example

DATA = PROJECT_ROOT.parent / "shared" / "data"
CACHE = PROJECT_ROOT / "var" / "train"


def inner_split(rows: Sequence[Example], k: int) -> tuple[list[Example], list[Example]]:
    groups: dict[tuple[str, str | None], list[Example]] = defaultdict(list)
    for example in rows:
        groups[(example.dataset, example.sentiment)].append(example)
    held: set[str] = set()
    for members in groups.values():
        ordered = sorted(
            members, key=lambda e: hashlib.sha1(f"val{k}:{e.uid}".encode()).hexdigest()
        )
        held.update(e.uid for e in ordered[: round(len(ordered) * 0.2)])
    return [e for e in rows if e.uid not in held], [e for e in rows if e.uid in held]


def _confidence(data: Path) -> dict[str, float]:
    found: dict[str, float] = {}
    with (data / "airline_sentiment_en" / "dev.csv").open(newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            found[f"airline_sentiment_en:{row['id']}"] = float(row["label_confidence"] or 1)
    return found


def weighting(name: str, data: Path) -> Callable[[list[Example]], list[Example]]:
    """none: as shipped; confidence: airline rows weigh their annotators' agreement;
    balanced: each label weighs as much as the others within its dataset."""
    if name == "confidence":
        agreement = _confidence(data)
        return lambda rows: [dataclasses.replace(e, weight=agreement.get(e.uid, 1.0)) for e in rows]
    if name == "balanced":

        def balanced(rows: list[Example]) -> list[Example]:
            per_label = Counter((e.dataset, e.sentiment) for e in rows)
            per_set = Counter(e.dataset for e in rows)
            return [
                dataclasses.replace(
                    e, weight=per_set[e.dataset] / (3 * per_label[(e.dataset, e.sentiment)])
                )
                for e in rows
            ]

        return balanced
    return lambda rows: rows


def main(argv: list[str] | None = None) -> None:
    from sklearn.metrics import f1_score

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--splits", type=int, default=5)
    parser.add_argument("--weights", choices=("none", "confidence", "balanced"), default="none")
    args = parser.parse_args(argv)
    train, _ = training.split(training.load_dev(args.data))
    passages, features = training.caches(CACHE)
    for cache in (passages, features):
        cache.embed([e.text for e in train])
    prepare = weighting(args.weights, args.data)
    scores: dict[str, list[float]] = {"en": [], "it": []}
    for k in range(args.splits):
        started = time.perf_counter()
        learn, held = inner_split(train, k)
        learn = prepare(learn)
        texts = [e.text for e in learn]
        weights = training.fit(learn, passages.lookup(texts), features.lookup(texts))
        italian = np.array([e.lang == "it" for e in held], dtype=np.float32)
        texts = [e.text for e in held]
        probabilities = weights.sentiment(
            texts, passages.lookup(texts), features.lookup(texts), italian
        )
        predicted = np.array(CLASSES)[probabilities.argmax(axis=1)]
        truth = np.array([e.sentiment for e in held])
        for lang, mask in (("en", italian == 0), ("it", italian > 0)):
            scores[lang].append(float(f1_score(truth[mask], predicted[mask], average="macro")))
        print(
            f"split {k}: en {scores['en'][-1]:.4f}  it {scores['it'][-1]:.4f}"
            f"  ({time.perf_counter() - started:.0f} s)",
            flush=True,
        )
    for lang, values in scores.items():
        array = np.array(values)
        print(
            f"{lang}: mean {array.mean():.4f}, sd {array.std(ddof=1) if len(array) > 1 else 0:.4f},"
            f" range {array.min():.4f}-{array.max():.4f} over {len(array)} splits"
        )


if __name__ == "__main__":
    main()
