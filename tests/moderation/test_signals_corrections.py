"""Moderators correct a wrong signal in one click; the correction is stored, announced, audited,
and ``peerdesk train`` learns from it (real e5 vectors, real training code, synthetic texts)."""

from pathlib import Path

import numpy as np
import pytest
from sqlmodel import Session, col, select

from community.clock import FrozenClock
from community.errors import Forbidden, Invalid, NotAuthenticated
from community.events import OutboxEvent
from community.models import Post, Role, Thread
from community.policy import Guardian
from moderation import training
from moderation.models import AuditEntry, SignalCorrection
from moderation.signals import language
from moderation.signals.corrections import correct
from moderation.signals.model import CLASSES, Weights
from moderation.signals.text import normalise
from moderation.signals.worker import model_text
from tests.factories import make_category, make_reply, make_thread, make_user

# A small synthetic development set: plain sentences in both languages.
_DEV = {
    "negative": [
        "The delivery is late again and nobody answers, terrible service",
        "My order arrived broken and the refund never came",
        "Worst support ever, I waited two hours on the phone",
        "The app crashes every time, this is awful",
        "Il pacco è arrivato rotto e nessuno risponde, pessimo servizio",
        "Sono furioso, il rimborso non è mai arrivato",
        "Il modem si spegne ogni sera, che disastro",
        "Servizio clienti inutile, ho aspettato tre ore",
    ],
    "neutral": [
        "The store opens at nine on Saturdays",
        "The new model will be available in March",
        "I bought the router last week from the website",
        "The manual is in the box with the cable",
        "Il negozio apre alle nove il sabato",
        "Il nuovo modello sarà disponibile a marzo",
        "Ho comprato il router la settimana scorsa sul sito",
        "Il manuale è nella scatola insieme al cavo",
    ],
    "positive": [
        "Thank you so much, the technician was fantastic",
        "Great service, everything works perfectly now",
        "I love the new app, well done",
        "Excellent support, solved in five minutes",
        "Grazie mille, il tecnico è stato fantastico",
        "Servizio ottimo, ora funziona tutto perfettamente",
        "Adoro la nuova app, complimenti",
        "Assistenza eccellente, risolto in cinque minuti",
    ],
}


def _dev_examples() -> list[training.Example]:
    examples = []
    for label, texts in _DEV.items():
        for i, text in enumerate(texts):
            examples.append(
                training.Example(
                    uid=f"synthetic:{label}:{i}",
                    dataset="synthetic",
                    text=normalise(text),
                    lang=language.detect(text),
                    sentiment=label,
                    needs_brand=label == "negative",
                )
            )
    return examples


def _question(session: Session, thread: Thread) -> Post:
    return session.exec(
        select(Post).where(col(Post.thread_id) == thread.id, col(Post.post_number) == 1)
    ).one()


def test_a_moderator_corrects_a_signal_and_it_is_stored_announced_and_audited(
    session: Session, clock: FrozenClock
) -> None:
    moderator = make_user(session, clock, role=Role.moderator)
    thread = make_thread(
        session, clock, author=make_user(session, clock), category=make_category(session)
    )
    post = _question(session, thread)

    row = correct(
        session, Guardian(moderator), post, signal="sentiment", value="neutral", now=clock.now()
    )
    assert (row.post_id, row.signal, row.value, row.corrected_by_id) == (
        post.id,
        "sentiment",
        "neutral",
        moderator.id,
    )
    # one verdict per post and signal: a second click replaces the first
    clock.advance(minutes=1)
    correct(
        session, Guardian(moderator), post, signal="sentiment", value="positive", now=clock.now()
    )
    correct(
        session, Guardian(moderator), post, signal="needs_brand", value="false", now=clock.now()
    )
    stored = session.exec(select(SignalCorrection).order_by(col(SignalCorrection.id))).all()
    assert [(c.signal, c.value) for c in stored] == [
        ("sentiment", "positive"),
        ("needs_brand", "false"),
    ]
    announced = session.exec(
        select(OutboxEvent).where(col(OutboxEvent.name) == "signal_corrected")
    ).all()
    assert [e.data for e in announced][-1] == {
        "post_id": post.id,
        "signal": "needs_brand",
        "value": "false",
        "by_id": moderator.id,
    }
    assert all(e.thread_id == thread.id for e in announced)
    audited = session.exec(
        select(AuditEntry).where(col(AuditEntry.action) == "signal_corrected")
    ).all()
    assert len(audited) == 3 and all(a.actor_id == moderator.id for a in audited)


def test_only_moderators_correct_and_only_with_a_value_the_signal_takes(
    session: Session, clock: FrozenClock
) -> None:
    member = make_user(session, clock)
    moderator = make_user(session, clock, role=Role.moderator)
    thread = make_thread(session, clock, author=member, category=make_category(session))
    post = _question(session, thread)

    with pytest.raises(NotAuthenticated):
        correct(session, Guardian(None), post, signal="toxic", value="false", now=clock.now())
    with pytest.raises(Forbidden):
        correct(session, Guardian(member), post, signal="toxic", value="false", now=clock.now())
    with pytest.raises(Invalid):
        correct(session, Guardian(moderator), post, signal="mood", value="x", now=clock.now())
    with pytest.raises(Invalid):
        correct(
            session, Guardian(moderator), post, signal="sentiment", value="angry", now=clock.now()
        )
    with pytest.raises(Invalid):
        correct(session, Guardian(moderator), post, signal="toxic", value="yes", now=clock.now())
    assert session.exec(select(SignalCorrection)).all() == []


def test_retraining_learns_a_moderators_correction(
    session: Session, clock: FrozenClock, tmp_path: Path
) -> None:
    moderator = make_user(session, clock, role=Role.moderator)
    thread = make_thread(
        session, clock, author=make_user(session, clock), category=make_category(session)
    )
    # The brand's own vocabulary: "a razzo" is praise the development data never saw.
    post = make_reply(
        session,
        clock,
        author=make_user(session, clock),
        thread=thread,
        body="La nuova fibra va a razzo, il modem lampeggia blu tutta la notte",
    )
    text = normalise(model_text(post, thread))
    near_copy = normalise("La nuova fibra va a razzo, il modem lampeggia blu tutta la sera")
    passages, features = training.caches(tmp_path)
    dev = _dev_examples()

    def fit(examples: list[training.Example]) -> Weights:
        texts = [e.text for e in examples]
        return training.fit(examples, passages.embed(texts), features.embed(texts))

    def predict(weights: Weights, texts: list[str]) -> list[str]:
        italian = np.array([language.detect(t) == "it" for t in texts], dtype=np.float32)
        probabilities = weights.sentiment(
            texts, passages.embed(texts), features.embed(texts), italian
        )
        return [CLASSES[int(i)] for i in probabilities.argmax(axis=1)]

    before = fit(dev)
    said = predict(before, [text])[0]
    verdict = "positive" if said != "positive" else "negative"

    correct(session, Guardian(moderator), post, signal="sentiment", value=verdict, now=clock.now())
    extra = training.correction_examples(session)
    assert [(e.text, e.sentiment, e.weight) for e in extra] == [
        (text, verdict, training.CORRECTION_WEIGHT)
    ]
    examples = dev + extra
    after = fit(examples)

    assert predict(after, [text, near_copy]) == [verdict, verdict]
    assert after.version != before.version
