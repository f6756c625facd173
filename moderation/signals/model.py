"""The learned part of the signals: weights in ``weights.npz`` (made by ``peerdesk train``,
moderation/training.py), read with numpy; the n-gram features are scikit-learn's stateless
``HashingVectorizer``, so nothing but the weights is stored.

Sentiment is a stack of two models and a logistic regression that weighs them by language:
  * n-grams: character 2-5-grams (inside word boundaries) and word 1-2-grams, hashed, with
    sublinear tf-idf, L2-normalised;
  * a small neural network (one hidden layer of 256 ReLU units) over the post's two e5
    embeddings: the passage vector search stores, and the feature vector the signals worker
    stores (the same model with its ``query: `` prefix, search.embeddings.embed_features); with a
    copy gated by "is Italian" so each language gets its own correction of the shared weights;
  * the stacker reads both models' log-probabilities (and the same gated by Italian).
Needs-the-brand's learned part is one logistic regression over the e5 passage vector (so what it
learns from English airline tweets carries over to Italian); ``needs_brand.py`` combines it with
rules.
"""

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

WEIGHTS_FILE = Path(__file__).with_name("weights.npz")
CLASSES = ("negative", "neutral", "positive")
N_FEATURES = 2**17  # per analyzer: char and word n-grams each hash into this many columns
DIMENSIONS = 384
MEMORY_SIMILARITY = 0.95
HIDDEN = 256

Array = npt.NDArray[np.float32]


def _vectorizers() -> tuple[Any, Any]:
    from sklearn.feature_extraction.text import HashingVectorizer

    chars = HashingVectorizer(
        analyzer="char_wb",
        ngram_range=(2, 5),
        n_features=N_FEATURES,
        alternate_sign=False,
        norm=None,
        dtype=np.float32,
    )
    words = HashingVectorizer(
        analyzer="word",
        ngram_range=(1, 2),
        n_features=N_FEATURES,
        alternate_sign=False,
        norm=None,
        token_pattern=r"(?u)\b\w+\b|[!?]",
        dtype=np.float32,
    )
    return chars, words


_local = threading.local()


def ngram_counts(texts: list[str]) -> Any:
    """Raw hashed n-gram counts, a scipy CSR matrix of shape (len(texts), 2 * N_FEATURES)."""
    import scipy.sparse as sp

    if not hasattr(_local, "vectorizers"):
        _local.vectorizers = _vectorizers()
    chars, words = _local.vectorizers
    return sp.hstack([chars.transform(texts), words.transform(texts)], format="csr")


def tfidf(counts: Any, idf: Array) -> Any:
    """Sublinear tf times idf, rows L2-normalised (what TfidfTransformer(sublinear_tf) does)."""
    matrix = counts.tocsr().astype(np.float32, copy=True)
    matrix.sum_duplicates()
    data = (np.log(matrix.data) + 1.0) * idf[matrix.indices]
    rows = np.repeat(np.arange(matrix.shape[0]), np.diff(matrix.indptr))
    norms = np.sqrt(np.bincount(rows, weights=data * data, minlength=matrix.shape[0]))
    norms[norms == 0] = 1.0
    matrix.data = (data / norms[rows]).astype(np.float32)
    return matrix


def sparse_dot(matrix: Any, coef: Array) -> Array:
    """``matrix @ coef`` for a CSR matrix with few non-zeros per row and a tall dense ``coef``
    (scipy would copy the whole of ``coef`` on every call)."""
    products = coef[matrix.indices] * matrix.data[:, None]
    cumulative = np.vstack(
        [np.zeros((1, coef.shape[1]), dtype=np.float64), products.cumsum(axis=0)]
    )
    result: Array = (cumulative[matrix.indptr[1:]] - cumulative[matrix.indptr[:-1]]).astype(
        np.float32
    )
    return result


def gated(vectors: Array, italian: Array) -> Array:
    """[v, v * is_italian]: shared weights plus an Italian correction."""
    return np.hstack([vectors, vectors * italian[:, None]]).astype(np.float32)


def e5_inputs(vectors: Array, feature_vectors: Array, italian: Array) -> Array:
    """What the e5 network reads: both vectors side by side, gated by language."""
    return gated(np.hstack([vectors, feature_vectors]), italian)


def stack_features(log_ngram: Array, log_e5: Array, italian: Array) -> Array:
    z = np.hstack([log_ngram, log_e5])
    return np.hstack([z, z * italian[:, None], italian[:, None]]).astype(np.float32)


def softmax(logits: Array) -> Array:
    shifted = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    result: Array = (exp / exp.sum(axis=1, keepdims=True)).astype(np.float32)
    return result


def log_proba(logits: Array) -> Array:
    result: Array = np.log(softmax(logits) + 1e-6).astype(np.float32)
    return result


@dataclass(frozen=True)
class Weights:
    version: str
    idf: Array  # (2 * N_FEATURES,)
    ngram_coef: Array  # (2 * N_FEATURES, 3)
    ngram_bias: Array  # (3,)
    e5_hidden_coef: Array  # (4 * DIMENSIONS, HIDDEN): e5_inputs
    e5_hidden_bias: Array  # (HIDDEN,)
    e5_coef: Array  # (HIDDEN, 3)
    e5_bias: Array  # (3,)
    stack_coef: Array  # (13, 3)
    stack_bias: Array  # (3,)
    needs_coef: Array  # (DIMENSIONS,)
    needs_bias: float
    # The moderators' corrections, remembered by their text's vector: a post this close to a
    # corrected one takes the moderator's verdict (see ``remembered``).
    memory_vectors: Array  # (k, DIMENSIONS)
    memory_sentiment: npt.NDArray[np.int8]  # (k,) index into CLASSES, -1 when not corrected
    memory_needs: npt.NDArray[np.int8]  # (k,) 1 / 0, -1 when not corrected

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(
            path,
            version=np.array(self.version),
            idf=self.idf.astype(np.float16),
            ngram_coef=self.ngram_coef.astype(np.float16),
            ngram_bias=self.ngram_bias,
            e5_hidden_coef=self.e5_hidden_coef.astype(np.float16),
            e5_hidden_bias=self.e5_hidden_bias,
            e5_coef=self.e5_coef,
            e5_bias=self.e5_bias,
            stack_coef=self.stack_coef,
            stack_bias=self.stack_bias,
            needs_coef=self.needs_coef,
            needs_bias=np.array(self.needs_bias),
            memory_vectors=self.memory_vectors.astype(np.float16),
            memory_sentiment=self.memory_sentiment,
            memory_needs=self.memory_needs,
        )

    @classmethod
    def load(cls, path: Path) -> "Weights":
        with np.load(path) as data:
            return cls(
                version=str(data["version"]),
                idf=data["idf"].astype(np.float32),
                ngram_coef=data["ngram_coef"].astype(np.float32),
                ngram_bias=data["ngram_bias"].astype(np.float32),
                e5_hidden_coef=data["e5_hidden_coef"].astype(np.float32),
                e5_hidden_bias=data["e5_hidden_bias"].astype(np.float32),
                e5_coef=data["e5_coef"].astype(np.float32),
                e5_bias=data["e5_bias"].astype(np.float32),
                stack_coef=data["stack_coef"].astype(np.float32),
                stack_bias=data["stack_bias"].astype(np.float32),
                needs_coef=data["needs_coef"].astype(np.float32),
                needs_bias=float(data["needs_bias"]),
                memory_vectors=data["memory_vectors"].astype(np.float32),
                memory_sentiment=data["memory_sentiment"].astype(np.int8),
                memory_needs=data["memory_needs"].astype(np.int8),
            )

    # inference --------------------------------------------------------------------------------

    def sentiment(
        self, texts: list[str], vectors: Array, feature_vectors: Array, italian: Array
    ) -> Array:
        """Probabilities (len(texts), 3) in the order of CLASSES. ``vectors``: the texts' e5
        passage vectors; ``feature_vectors``: their search.embeddings.embed_features vectors."""
        features = tfidf(ngram_counts(texts), self.idf)
        log_ngram = log_proba(sparse_dot(features, self.ngram_coef) + self.ngram_bias)
        log_e5 = log_proba(self.e5_logits(e5_inputs(vectors, feature_vectors, italian)))
        stacked = stack_features(log_ngram, log_e5, italian)
        probabilities = softmax(stacked @ self.stack_coef + self.stack_bias)
        remembered, _ = self.remembered(vectors)
        for row in np.flatnonzero(remembered >= 0):  # a moderator's verdict on (nearly) this text
            probabilities[row] = 0.05
            probabilities[row, remembered[row]] = 0.9
        return probabilities

    def e5_logits(self, features: Array) -> Array:
        hidden = np.maximum(features @ self.e5_hidden_coef + self.e5_hidden_bias, 0.0)
        result: Array = (hidden @ self.e5_coef + self.e5_bias).astype(np.float32)
        return result

    def needs_brand(self, vectors: Array) -> Array:
        """The learned probability that a post asks something of the brand (e5 only)."""
        logits = vectors @ self.needs_coef + self.needs_bias
        result: Array = (1.0 / (1.0 + np.exp(-logits))).astype(np.float32)
        return result

    def remembered(self, vectors: Array) -> tuple[Any, Any]:
        """(sentiment index, needs) of the closest corrected post when its cosine similarity is
        at least MEMORY_SIMILARITY (a copy or a near copy), else -1, row for row."""
        none = np.full(len(vectors), -1, dtype=np.int8)
        if len(self.memory_vectors) == 0 or len(vectors) == 0:
            return none, none.copy()
        similarity = vectors @ self.memory_vectors.T
        best = similarity.argmax(axis=1)
        close = similarity[np.arange(len(vectors)), best] >= MEMORY_SIMILARITY
        sentiment = np.where(close, self.memory_sentiment[best], -1).astype(np.int8)
        needs = np.where(close, self.memory_needs[best], -1).astype(np.int8)
        return sentiment, needs


_lock = threading.Lock()
_loaded: dict[Path, Weights] = {}


def weights(path: Path = WEIGHTS_FILE) -> Weights:
    """The weights, loaded once per process."""
    if path not in _loaded:
        with _lock:
            if path not in _loaded:
                _loaded[path] = Weights.load(path)
    return _loaded[path]


def reload(path: Path = WEIGHTS_FILE) -> Weights:
    """Forget the loaded weights (after ``peerdesk train`` in the same process)."""
    with _lock:
        _loaded.pop(path, None)
    return weights(path)
