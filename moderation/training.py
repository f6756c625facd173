"""``peerdesk train``: the signal classifiers learned from the development data and the brand's
own corrections.

Data (read here, at training time only; the running app never reads it):
``<shared>/data/airline_sentiment_en``, ``sentipolc2016_it``, ``multiemotions_it`` (see
moderation/signals/MODEL_CARD.md for provenance and licences).

Held-out split, fixed and reproducible: within each (dataset, label) group the rows are ordered by
``sha1("<dataset>:<id>")`` and the first 20% are the test split. Nothing is tuned on it; the
training code chooses nothing by looking at it.
"""

import csv
import dataclasses
import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlmodel import Session

from moderation.signals.model import (
    CLASSES,
    HIDDEN,
    Weights,
    e5_inputs,
    log_proba,
    ngram_counts,
    sparse_dot,
    stack_features,
    tfidf,
)
from moderation.signals.text import normalise

DATASETS = ("airline_sentiment_en", "sentipolc2016_it", "multiemotions_it")
TEST_FRACTION = 0.2
# negativereason values that are not a reason to contact the brand
_NO_REASON = {"", "Can't Tell"}


@dataclass(frozen=True)
class Example:
    uid: str  # "<dataset>:<id>"
    dataset: str
    text: str  # normalised
    lang: str
    sentiment: str | None  # None: not known (a correction of another signal)
    needs_brand: bool | None = None  # only where the data says (airline: negativereason)
    toxic: bool | None = None
    weight: float = 1.0


def _hash(uid: str) -> str:
    return hashlib.sha1(uid.encode()).hexdigest()


def load_dataset(data_dir: Path, name: str) -> list[Example]:
    rows: list[Example] = []
    with (data_dir / name / "dev.csv").open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            text = normalise(row["text"])
            if not text:
                continue
            # The airline's negativereason is the needs-the-brand proxy: a complaint with a
            # reason (a lost bag, a late flight) needs the airline; praise and neutral remarks
            # do not (the rules catch the neutral questions); "Can't Tell" is left out.
            needs: bool | None = None
            if name == "airline_sentiment_en":
                if row["label"] != "negative":
                    needs = False
                elif row["negativereason"] not in _NO_REASON:
                    needs = True
            rows.append(
                Example(
                    uid=f"{name}:{row['id']}",
                    dataset=name,
                    text=text,
                    lang=row["lang"],
                    sentiment=row["label"],
                    needs_brand=needs,
                )
            )
    return rows


def load_dev(data_dir: Path) -> list[Example]:
    """Every development set found in ``data_dir`` (a missing one is skipped)."""
    return [
        example
        for name in DATASETS
        if (data_dir / name / "dev.csv").exists()
        for example in load_dataset(data_dir, name)
    ]


def split(examples: Sequence[Example]) -> tuple[list[Example], list[Example]]:
    """(train, test): the stratified, hash-ordered held-out rule described above."""
    groups: dict[tuple[str, str | None], list[Example]] = defaultdict(list)
    for example in examples:
        groups[(example.dataset, example.sentiment)].append(example)
    test_ids: set[str] = set()
    for members in groups.values():
        ordered = sorted(members, key=lambda e: _hash(e.uid))
        test_ids.update(e.uid for e in ordered[: round(len(ordered) * TEST_FRACTION)])
    train = [e for e in examples if e.uid not in test_ids]
    test = [e for e in examples if e.uid in test_ids]
    return train, test


# The e5 vectors of training texts, computed once and cached under var/train/ -----------------

Encoder = Callable[[Sequence[str]], npt.NDArray[np.float32]]


def _text_key(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()[:20]


class VectorCache:
    """Vectors by text, stored as ``keys.npy`` + ``vectors.npy`` in one directory. ``encode``
    computes the missing ones."""

    def __init__(self, directory: Path, encode: Encoder) -> None:
        self.directory = directory
        self.encode = encode
        self.index: dict[str, int] = {}
        self.vectors = np.empty((0, 384), dtype=np.float32)
        keys_file, vectors_file = directory / "keys.npy", directory / "vectors.npy"
        if keys_file.exists() and vectors_file.exists():
            keys = np.load(keys_file)
            self.vectors = np.load(vectors_file)
            self.index = {str(k): i for i, k in enumerate(keys)}

    def save(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        keys = np.empty(len(self.index), dtype="U20")
        for key, i in self.index.items():
            keys[i] = key
        np.save(self.directory / "keys.npy", keys)
        np.save(self.directory / "vectors.npy", self.vectors)

    def embed(
        self,
        texts: Sequence[str],
        *,
        batch_size: int = 32,
        save_every: int = 1024,
        progress: Callable[[int, int], None] | None = None,
    ) -> npt.NDArray[np.float32]:
        from search.embeddings import MAX_CHARS

        missing = sorted({t for t in texts if _text_key(t) not in self.index})
        done_since_save = 0
        for start in range(0, len(missing), batch_size):
            batch = missing[start : start + batch_size]
            vectors = self.encode([t[:MAX_CHARS] for t in batch])
            base = len(self.index)
            self.vectors = np.vstack([self.vectors, vectors])
            for offset, text in enumerate(batch):
                self.index[_text_key(text)] = base + offset
            done_since_save += len(batch)
            if done_since_save >= save_every:
                self.save()
                done_since_save = 0
            if progress is not None:
                progress(start + len(batch), len(missing))
        if missing:
            self.save()
        return self.lookup(texts)

    def lookup(self, texts: Iterable[str]) -> npt.NDArray[np.float32]:
        rows = [self.index[_text_key(t)] for t in texts]
        return self.vectors[rows] if rows else np.empty((0, 384), dtype=np.float32)


def caches(directory: Path) -> tuple[VectorCache, VectorCache]:
    """(passage vectors, feature vectors) of the training texts, cached under ``directory``."""
    from search.embeddings import embed_features, embed_passages

    return (
        VectorCache(directory / "e5", embed_passages),
        VectorCache(directory / "e5-features", embed_features),
    )


# Training ------------------------------------------------------------------------------------

SENTIMENT_C = 4.0
NEEDS_C = 1.0
STACK_C = 1.0
FOLDS = 5
SEED = 20261123
# A moderator's verdict on the brand's own post counts as much as this many development rows.
CORRECTION_WEIGHT = 10.0
CORRECTIONS = "corrections"


def _idf(counts: Any) -> npt.NDArray[np.float32]:
    """Smoothed idf, as scikit-learn's TfidfTransformer computes it."""
    n = counts.shape[0]
    df = np.bincount(counts.indices, minlength=counts.shape[1])
    idf: npt.NDArray[np.float32] = (np.log((1 + n) / (1 + df)) + 1).astype(np.float32)
    return idf


def _logreg(c: float) -> Any:
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=c, max_iter=1000, tol=1e-3)


def _mlp() -> Any:
    from sklearn.neural_network import MLPClassifier

    return MLPClassifier(
        hidden_layer_sizes=(HIDDEN,),
        alpha=1e-3,
        early_stopping=True,
        max_iter=200,
        random_state=SEED % 2**31,
    )


def _mlp_weights(model: Any, classes: Sequence[str]) -> dict[str, npt.NDArray[np.float32]]:
    order = [list(model.classes_).index(c) for c in classes]
    return {
        "e5_hidden_coef": model.coefs_[0].astype(np.float32),
        "e5_hidden_bias": model.intercepts_[0].astype(np.float32),
        "e5_coef": model.coefs_[1][:, order].astype(np.float32),
        "e5_bias": model.intercepts_[1][order].astype(np.float32),
    }


def _coef(
    model: Any, classes: Sequence[str]
) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]:
    """(coef (features, classes), bias) in the order of ``classes``."""
    order = [list(model.classes_).index(c) for c in classes]
    return (
        model.coef_[order].T.astype(np.float32),
        model.intercept_[order].astype(np.float32),
    )


def fit(
    examples: Sequence[Example],
    vectors: npt.NDArray[np.float32],
    feature_vectors: npt.NDArray[np.float32],
    *,
    version: str | None = None,
    log: Callable[[str], None] = lambda _: None,
) -> Weights:
    """Learn every weight from ``examples`` (their e5 passage ``vectors`` and
    ``feature_vectors``, search.embeddings.embed_features, row for row).

    BLAS runs on one thread: a summation split across threads rounds differently, and the
    solvers' early stops turn that into other weights, so the same data would give another model
    on a machine with more cores. (One thread is also no slower here.)"""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        return _fit(examples, vectors, feature_vectors, version=version, log=log)


def _fit(
    examples: Sequence[Example],
    vectors: npt.NDArray[np.float32],
    feature_vectors: npt.NDArray[np.float32],
    *,
    version: str | None,
    log: Callable[[str], None],
) -> Weights:
    from sklearn.model_selection import StratifiedKFold

    rows = [i for i, e in enumerate(examples) if e.sentiment is not None]
    texts = [examples[i].text for i in rows]
    labels = np.array([examples[i].sentiment for i in rows])
    sample_weight = np.array([examples[i].weight for i in rows], dtype=np.float64)
    italian = np.array([examples[i].lang == "it" for i in rows], dtype=np.float32)

    missing = set(CLASSES) - set(labels.tolist())
    if missing:
        raise ValueError(f"no training rows labelled {', '.join(sorted(missing))}")
    counts = ngram_counts(texts)
    idf = _idf(counts)
    ngrams = tfidf(counts, idf)
    e5 = e5_inputs(vectors[rows], feature_vectors[rows], italian)

    log("sentiment: n-gram and e5 models, out-of-fold for the stacker")
    n_folds = min(FOLDS, int(np.bincount(np.unique(labels, return_inverse=True)[1]).min()))
    folds = StratifiedKFold(max(2, n_folds), shuffle=True, random_state=SEED)
    log_ngram = np.zeros((len(rows), 3), dtype=np.float32)
    log_e5 = np.zeros((len(rows), 3), dtype=np.float32)
    for train_rows, held_rows in folds.split(ngrams, labels):
        model = _logreg(SENTIMENT_C).fit(
            ngrams[train_rows], labels[train_rows], sample_weight=sample_weight[train_rows]
        )
        coef, bias = _coef(model, CLASSES)
        log_ngram[held_rows] = log_proba(sparse_dot(ngrams[held_rows], coef) + bias)
        network = _mlp().fit(
            e5[train_rows], labels[train_rows], sample_weight=sample_weight[train_rows]
        )
        order = [list(network.classes_).index(c) for c in CLASSES]
        log_e5[held_rows] = np.log(network.predict_proba(e5[held_rows])[:, order] + 1e-6)
    stacker = _logreg(STACK_C).fit(
        stack_features(log_ngram, log_e5, italian), labels, sample_weight=sample_weight
    )
    log("sentiment: final models on all rows")
    ngram_coef, ngram_bias = _coef(
        _logreg(SENTIMENT_C).fit(ngrams, labels, sample_weight=sample_weight), CLASSES
    )
    e5_network = _mlp_weights(_mlp().fit(e5, labels, sample_weight=sample_weight), CLASSES)
    stack_coef, stack_bias = _coef(stacker, CLASSES)

    log("needs the brand: e5 model")
    known = [i for i, e in enumerate(examples) if e.needs_brand is not None]
    needs = _logreg(NEEDS_C).fit(
        vectors[known],
        np.array([bool(examples[i].needs_brand) for i in known]),
        sample_weight=np.array([examples[i].weight for i in known]),
    )
    needs_coef = needs.coef_[0].astype(np.float32)
    needs_bias = float(needs.intercept_[0])
    if list(needs.classes_) == [True, False]:  # never: sklearn sorts False first
        needs_coef, needs_bias = -needs_coef, -needs_bias

    weights = Weights(
        version="",
        idf=idf,
        ngram_coef=ngram_coef,
        ngram_bias=ngram_bias,
        e5_hidden_coef=e5_network["e5_hidden_coef"],
        e5_hidden_bias=e5_network["e5_hidden_bias"],
        e5_coef=e5_network["e5_coef"],
        e5_bias=e5_network["e5_bias"],
        stack_coef=stack_coef,
        stack_bias=stack_bias,
        needs_coef=needs_coef,
        needs_bias=needs_bias,
        **_memory(examples, vectors),
    )
    return dataclasses.replace(weights, version=version or _version(weights))


def _memory(examples: Sequence[Example], vectors: npt.NDArray[np.float32]) -> dict[str, Any]:
    """The corrected posts' vectors and verdicts (model.Weights.remembered)."""
    rows = [i for i, e in enumerate(examples) if e.dataset == CORRECTIONS]
    return {
        "memory_vectors": vectors[rows].astype(np.float32).reshape(len(rows), vectors.shape[1]),
        "memory_sentiment": np.array(
            [CLASSES.index(s) if (s := examples[i].sentiment) else -1 for i in rows],
            dtype=np.int8,
        ),
        "memory_needs": np.array(
            [-1 if (n := examples[i].needs_brand) is None else int(n) for i in rows],
            dtype=np.int8,
        ),
    }


def _version(weights: Weights) -> str:
    digest = hashlib.sha1()
    for array in (
        weights.ngram_coef,
        weights.e5_hidden_coef,
        weights.e5_coef,
        weights.stack_coef,
        weights.needs_coef,
        weights.memory_vectors,
        weights.memory_sentiment,
        weights.memory_needs,
    ):
        digest.update(np.ascontiguousarray(array).tobytes())
    return f"signals-2-{digest.hexdigest()[:10]}"


def correction_examples(session: Session) -> list[Example]:
    """The moderators' corrections as training rows, one per corrected post (its sentiment and/or
    needs-the-brand verdict), each weighing CORRECTION_WEIGHT development rows. The text is what
    the worker's models read (moderation.signals.worker.model_text)."""
    from sqlmodel import col, select

    from community.models import Post, Thread
    from moderation.models import SignalCorrection
    from moderation.signals import language
    from moderation.signals.worker import model_text

    verdicts: dict[int, dict[str, str]] = defaultdict(dict)
    for correction in session.exec(select(SignalCorrection).order_by(col(SignalCorrection.id))):
        verdicts[correction.post_id][correction.signal] = correction.value
    examples = []
    for post_id, verdict in sorted(verdicts.items()):
        if "sentiment" not in verdict and "needs_brand" not in verdict:
            continue
        post = session.get(Post, post_id)
        thread = session.get(Thread, post.thread_id) if post is not None else None
        if post is None or thread is None or post.is_deleted:
            continue
        text = normalise(model_text(post, thread))
        needs = verdict.get("needs_brand")
        examples.append(
            Example(
                uid=f"correction:{post_id}",
                dataset=CORRECTIONS,
                text=text,
                lang=language.detect(text),
                sentiment=verdict.get("sentiment"),
                needs_brand=None if needs is None else needs == "true",
                weight=CORRECTION_WEIGHT,
            )
        )
    return examples
