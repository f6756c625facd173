"""The ``signals`` consumer: every new or edited post gets its signals (with the model version)
from the worker, never in the request; personal data hides the post until a moderator reviews it.
Real model, real embedding, real database."""

from fastapi import FastAPI
from sqlmodel import Session, col, select

from community import events, posting, visibility
from community.clock import FrozenClock
from community.events import OutboxEvent
from community.models import HiddenReason, Post, PostEmbedding, Role, Thread
from community.policy import Guardian
from moderation.models import PostFeatureVector, PostSignal
from moderation.signals import model_version, worker
from search import embeddings
from tests.factories import make_category, make_reply, make_thread, make_user
from tests.moderation.brand_helpers import client_for, submit


def _drain_signals(session: Session, clock: FrozenClock) -> None:
    session.expire_all()
    events.drain(session, now=clock.now(), consumers=[worker.CONSUMER])
    session.expire_all()


def _question(session: Session, thread: Thread) -> Post:
    return session.exec(
        select(Post).where(col(Post.thread_id) == thread.id, col(Post.post_number) == 1)
    ).one()


def _signalled(session: Session) -> list[OutboxEvent]:
    return list(
        session.exec(
            select(OutboxEvent)
            .where(col(OutboxEvent.name) == "post_signalled")
            .order_by(col(OutboxEvent.id))
        )
    )


def test_new_posts_are_signalled_by_the_worker_with_the_model_version(
    session: Session, clock: FrozenClock
) -> None:
    asker, helper = make_user(session, clock), make_user(session, clock)
    thread = make_thread(
        session,
        clock,
        author=asker,
        category=make_category(session),
        title="Rimborso mai arrivato",
        body="Ho restituito il router un mese fa e il rimborso non è mai arrivato. "
        "Nessuno risponde al telefono, sono furioso. Come faccio ad averlo?",
    )
    question = _question(session, thread)
    reply = make_reply(
        session, clock, author=helper, thread=thread, body="Thank you so much, it works now!"
    )
    assert session.get(PostSignal, question.id) is None  # not in the request

    _drain_signals(session, clock)

    asked = session.get(PostSignal, question.id)
    thanked = session.get(PostSignal, reply.id)
    assert asked is not None and thanked is not None
    assert asked.model_version == thanked.model_version == model_version()
    assert (asked.language, asked.sentiment, asked.needs_brand, asked.toxic, asked.pii) == (
        "it",
        "negative",
        True,
        False,
        "",
    )
    assert (thanked.language, thanked.sentiment, thanked.needs_brand) == ("en", "positive", False)
    assert 0.33 < asked.sentiment_score <= 1.0
    assert asked.thread_id == thread.id
    # the vector the models read is stored for search too (computed once), and the feature
    # vector only the models read is stored beside it
    passage = session.get(PostEmbedding, question.id)
    feature = session.get(PostFeatureVector, question.id)
    assert passage is not None and feature is not None
    # the same text through the same model, with e5's other prefix: close, not the same
    similarity = float(
        embeddings.from_bytes(passage.vector) @ embeddings.from_bytes(feature.vector)
    )
    assert 0.8 < similarity < 0.999

    announced = _signalled(session)
    assert [(e.thread_id, e.data["post_id"]) for e in announced] == [
        (thread.id, question.id),
        (thread.id, reply.id),
    ]
    assert announced[0].data == {
        "post_id": question.id,
        "model_version": model_version(),
        "sentiment": "negative",
        "needs_brand": True,
        "toxic": False,
        "pii": [],
    }


def test_abuse_is_signalled_as_toxic(session: Session, clock: FrozenClock) -> None:
    thread = make_thread(
        session, clock, author=make_user(session, clock), category=make_category(session)
    )
    reply = make_reply(
        session,
        clock,
        author=make_user(session, clock),
        thread=thread,
        body="Sei proprio un idiota, stai zitto.",
    )
    _drain_signals(session, clock)
    row = session.get(PostSignal, reply.id)
    assert row is not None and row.toxic and row.toxic_score >= 0.5


def test_personal_data_hides_the_question_and_its_thread_and_the_author_sees_why(
    session: Session, clock: FrozenClock
) -> None:
    thread = make_thread(
        session,
        clock,
        author=make_user(session, clock),
        category=make_category(session),
        title="Fattura sbagliata",
        body="La fattura è sbagliata, chiamatemi al 347 123 4567 o scrivete a ada@example.it",
    )
    question = _question(session, thread)
    _drain_signals(session, clock)

    session.refresh(question)
    session.refresh(thread)
    assert question.hidden_reason == HiddenReason.personal_data
    assert question.hidden_by_id is None  # the brand's worker, not a person
    assert thread.hidden_reason == HiddenReason.personal_data
    row = session.get(PostSignal, question.id)
    assert row is not None and row.pii == "email phone"
    names = [
        e.name
        for e in session.exec(select(OutboxEvent).order_by(col(OutboxEvent.id)))
        if e.name in ("post_hidden", "thread_hidden", "post_signalled")
    ]
    assert names == ["post_hidden", "thread_hidden", "post_signalled"]


def test_a_reply_with_personal_data_is_hidden_and_its_thread_is_not(
    session: Session, clock: FrozenClock
) -> None:
    thread = make_thread(
        session, clock, author=make_user(session, clock), category=make_category(session)
    )
    reply = make_reply(
        session,
        clock,
        author=make_user(session, clock),
        thread=thread,
        body="Il mio IBAN è IT60 X054 2811 1010 0000 0123 456, rimborsatemi lì.",
    )
    clean = make_reply(session, clock, author=make_user(session, clock), thread=thread)
    _drain_signals(session, clock)
    for row in (reply, clean, thread):
        session.refresh(row)
    assert reply.hidden_reason == HiddenReason.personal_data
    assert clean.hidden_at is None
    assert thread.hidden_at is None


def test_a_moderators_unhide_stands_until_the_text_changes(
    session: Session, clock: FrozenClock
) -> None:
    author = make_user(session, clock)
    moderator = make_user(session, clock, role=Role.moderator)
    thread = make_thread(session, clock, author=author, category=make_category(session))
    reply = make_reply(
        session,
        clock,
        author=author,
        thread=thread,
        body="Il numero del negozio è 06 1234 5678, chiedete di Luca.",
    )
    _drain_signals(session, clock)
    session.refresh(reply)
    assert reply.hidden_reason == HiddenReason.personal_data

    # A moderator reviews it: a shop's number is fine.
    clock.advance(minutes=5)
    visibility.unhide_post(session, reply, by_id=moderator.id or 0, now=clock.now())
    session.commit()

    # Recomputing (a new model, a redelivered event, the catch-up) does not hide it again.
    clock.advance(minutes=5)
    worker.resignal(session, now=clock.now())
    session.refresh(reply)
    assert reply.hidden_at is None

    # The author edits it and the text still has personal data: hidden again for review.
    clock.advance(minutes=5)
    posting.edit_post(
        session,
        Guardian(author),
        reply,
        body="Il numero del negozio è 06 1234 5678, oppure il mio: 333 765 4321.",
        clock=clock,
    )
    _drain_signals(session, clock)
    session.refresh(reply)
    assert reply.hidden_reason == HiddenReason.personal_data


def test_an_edit_is_signalled_from_the_new_text(session: Session, clock: FrozenClock) -> None:
    author = make_user(session, clock)
    thread = make_thread(session, clock, author=author, category=make_category(session))
    reply = make_reply(
        session, clock, author=author, thread=thread, body="Grazie mille, siete fantastici!"
    )
    _drain_signals(session, clock)
    row = session.get(PostSignal, reply.id)
    assert row is not None and row.sentiment == "positive"
    before = session.get(PostFeatureVector, reply.id)
    assert before is not None
    old_vector = before.vector

    clock.advance(minutes=10)
    posting.edit_post(
        session,
        Guardian(author),
        reply,
        body="Anzi no: il servizio è pessimo, il modem è di nuovo rotto e nessuno risponde.",
        clock=clock,
    )
    _drain_signals(session, clock)
    row = session.get(PostSignal, reply.id)
    assert row is not None and row.sentiment == "negative" and row.needs_brand
    after = session.get(PostFeatureVector, reply.id)
    assert after is not None and after.vector != old_vector
    assert after.created_at == clock.now()


def test_the_catch_up_signals_posts_no_event_covered(session: Session, clock: FrozenClock) -> None:
    thread = make_thread(
        session, clock, author=make_user(session, clock), category=make_category(session)
    )
    replies = [
        make_reply(session, clock, author=make_user(session, clock), thread=thread)
        for _ in range(3)
    ]
    # like seeded rows: nothing announced them to the signals consumer
    catch_up = worker.CatchUp(batch_size=2)
    assert catch_up(session, clock.now()) == 2
    assert catch_up(session, clock.now()) == 2
    assert catch_up(session, clock.now()) == 0
    assert catch_up.finished
    session.commit()
    ids = [_question(session, thread).id] + [r.id for r in replies]
    assert all(session.get(PostSignal, post_id) is not None for post_id in ids)


def test_resignal_recomputes_every_post_and_reuses_stored_vectors(
    session: Session, clock: FrozenClock
) -> None:
    thread = make_thread(
        session, clock, author=make_user(session, clock), category=make_category(session)
    )
    make_reply(session, clock, author=make_user(session, clock), thread=thread)
    _drain_signals(session, clock)
    stored = {row.post_id: row.created_at for row in session.exec(select(PostEmbedding))}
    features = {row.post_id: row.created_at for row in session.exec(select(PostFeatureVector))}
    assert set(features) == set(stored) and len(stored) == 2
    for row in session.exec(select(PostSignal)):
        row.model_version = "old"
        session.add(row)
    session.commit()

    clock.advance(minutes=30)
    assert worker.resignal(session, now=clock.now(), batch_size=1) == 2
    session.expire_all()
    assert {row.model_version for row in session.exec(select(PostSignal))} == {model_version()}
    assert {row.post_id: row.created_at for row in session.exec(select(PostEmbedding))} == stored
    assert {
        row.post_id: row.created_at for row in session.exec(select(PostFeatureVector))
    } == features


def test_personal_data_in_a_reply_waiting_for_approval_waits_for_the_review_instead(
    app: FastAPI, session: Session, clock: FrozenClock
) -> None:
    asker, newcomer = make_user(session, clock), make_user(session, clock)
    reader = make_user(session, clock)
    moderator = make_user(session, clock, role=Role.moderator)
    thread = make_thread(session, clock, author=asker, category=make_category(session))
    reply = make_reply(
        session,
        clock,
        author=newcomer,
        thread=thread,
        body="See https://example.org/help or write to mario.rossi@example.com",
    )
    # A newcomer's link, but the personal data holds it from the start: approving would not do.
    assert reply.hidden_reason == HiddenReason.personal_data
    session.expire_all()
    events.drain(session, now=clock.now())  # signals, then the queue's care rows
    session.expire_all()

    held = session.get(Post, reply.id)
    assert held is not None and held.hidden_reason == HiddenReason.personal_data
    staff = client_for(app, moderator)
    row = next(
        item
        for item in staff.get("/api/v1/moderation/queue").json()["items"]
        if item["id"] == thread.id
    )
    assert "pii" in row["reasons"]
    # "approve" publishes what waits for approval; the personal data now waits for its review
    assert submit(staff, f"/mod/threads/{thread.id}/approve").status_code == 409
    page = client_for(app, reader).get(f"/t/{thread.id}").text
    assert "mario.rossi@example.com" not in page


def test_a_question_waiting_for_approval_with_personal_data_in_its_title_stays_hidden(
    app: FastAPI, session: Session, clock: FrozenClock
) -> None:
    newcomer, reader = make_user(session, clock), make_user(session, clock)
    moderator = make_user(session, clock, role=Role.moderator)
    thread = make_thread(
        session,
        clock,
        author=newcomer,
        category=make_category(session, slug="fibra"),
        title="Fibra giù, chiamatemi al 333 1234567",
        body="La guida su https://example.org/help non aiuta.",
    )
    assert thread.hidden_reason == HiddenReason.personal_data  # not only awaiting approval
    _drain_signals(session, clock)

    staff = client_for(app, moderator)
    assert submit(staff, f"/mod/threads/{thread.id}/approve").status_code == 409
    listed = client_for(app, reader).get("/c/fibra").text
    assert "333 1234567" not in listed
    hidden = session.get(Thread, thread.id)
    assert hidden is not None and hidden.hidden_reason == HiddenReason.personal_data
    # the moderator's review publishes it
    assert submit(staff, f"/mod/threads/{thread.id}/unhide").status_code in (200, 303)
    session.expire_all()
    assert "333 1234567" in client_for(app, reader).get("/c/fibra").text
