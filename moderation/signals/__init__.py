"""What the models read in a post: language, sentiment, needs-the-brand, toxicity, personal data.

``analyse(texts, vectors, feature_vectors=...)`` is the one entry point (the worker,
``peerdesk resignal``, ``peerdesk classify`` and the bench call it). Sentiment and the learned part
of needs-the-brand read the post's e5 passage vector, the one search already stores
(search.embeddings); sentiment also reads its feature vector (embed_features), which the signals
worker stores. Pass None to have either computed here (``peerdesk classify``). What is learned
and what is a rule is said in each module and in MODEL_CARD.md.
"""

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from moderation.signals import language, model, needs_brand, pii, toxicity
from moderation.signals.text import normalise


@dataclass(frozen=True)
class Signals:
    language: str
    sentiment: str
    sentiment_score: float  # the probability of ``sentiment``
    needs_brand: bool
    needs_brand_score: float
    toxic: bool
    toxic_score: float
    pii: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def model_version() -> str:
    return model.weights().version


def analyse(
    texts: Sequence[str],
    vectors: npt.NDArray[np.float32] | None = None,
    *,
    feature_vectors: npt.NDArray[np.float32] | None = None,
    pii_texts: Sequence[str] | None = None,
) -> list[Signals]:
    """The signals of each text. ``vectors`` and ``feature_vectors``: their e5 passage and
    feature embeddings, row for row (None: computed here). ``pii_texts``: where to look for
    personal data when it is not the text itself (a post's full markdown, links and all, while the
    models read the plain text)."""
    if not texts:
        return []
    clean = [normalise(t) for t in texts]
    if vectors is None or feature_vectors is None:
        from search.embeddings import MAX_CHARS, embed_features, embed_passages

        cut = [t[:MAX_CHARS] for t in clean]
        vectors = embed_passages(cut) if vectors is None else vectors
        feature_vectors = embed_features(cut) if feature_vectors is None else feature_vectors
    vectors = np.asarray(vectors, dtype=np.float32)
    languages = [language.detect(t) for t in clean]
    italian = np.array([lang == "it" for lang in languages], dtype=np.float32)
    weights = model.weights()
    sentiment = weights.sentiment(
        clean, vectors, np.asarray(feature_vectors, dtype=np.float32), italian
    )
    learned_needs = weights.needs_brand(vectors)
    # a copy or near copy of a post a moderator corrected takes the moderator's verdict (the
    # sentiment model applies it itself)
    _, remembered_needs = weights.remembered(vectors)
    results = []
    for i, text in enumerate(clean):
        best = int(np.argmax(sentiment[i]))
        needs = needs_brand.score(text, float(learned_needs[i]))
        if remembered_needs[i] >= 0:
            needs = 0.9 if remembered_needs[i] else 0.1
        toxic = toxicity.score(text)
        results.append(
            Signals(
                language=languages[i],
                sentiment=model.CLASSES[best],
                sentiment_score=round(float(sentiment[i, best]), 4),
                needs_brand=needs >= needs_brand.THRESHOLD,
                needs_brand_score=round(needs, 4),
                toxic=toxic >= toxicity.THRESHOLD,
                toxic_score=toxic,
                pii=pii.kinds(pii_texts[i] if pii_texts is not None else texts[i]),
            )
        )
    return results
