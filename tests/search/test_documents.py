"""The search document of a thread mirrors what the forum shows (no Meilisearch needed)."""

from sqlmodel import Session

from community import kudos, posting, solutions
from community.clock import Clock
from community.models import Category, PostEmbedding, Role, Thread, User
from community.policy import Guardian
from search import embeddings, index_settings
from search.documents import thread_document
from tests.factories import make_category, make_reply, make_thread, make_user


def _forum(session: Session, clock: Clock) -> tuple[User, User, Category, Thread]:
    asker = make_user(session, clock, username="asker")
    helper = make_user(session, clock, username="helper")
    category = make_category(session, slug="fibra-e-adsl")
    thread = make_thread(
        session,
        clock,
        author=asker,
        category=category,
        title="La fibra si disconnette ogni sera",
        body="Dalle 21 la linea cade. Cosa controllo?",
        tags=["fibra", "modem"],
    )
    return asker, helper, category, thread


def test_a_new_thread_becomes_a_public_unsolved_document(session, clock):
    _asker, _helper, _category, thread = _forum(session, clock)

    doc = thread_document(session, thread.id)

    assert doc is not None
    assert doc["id"] == thread.id
    assert doc["title"] == "La fibra si disconnette ogni sera"
    assert doc["question"] == "Dalle 21 la linea cade. Cosa controllo?"
    assert doc["solution"] is None
    assert doc["best_replies"] == []
    assert doc["tags"] == ["fibra", "modem"]
    assert doc["category"] == "fibra-e-adsl"
    assert doc["category_name"] == "Fibra E Adsl"
    assert doc["solved"] is False
    assert doc["has_official_answer"] is False
    assert doc["author"] == "asker"
    assert doc["visibility"] == "public"
    assert doc["created_at"] == int(clock.now().timestamp())
    assert doc["last_activity_at"] == int(clock.now().timestamp())
    assert doc["reply_count"] == 0
    assert doc["kudos_count"] == 0
    assert doc["_vectors"] == {"default": None}


def test_the_accepted_reply_is_the_solution_and_the_best_replies_follow_kudos(session, clock):
    asker, helper, _category, thread = _forum(session, clock)
    fans = [make_user(session, clock) for _ in range(3)]
    replies = [
        make_reply(session, clock, author=helper, thread=thread, body=f"Risposta {n}")
        for n in range(5)
    ]
    for fan in fans:  # reply 3 gets three kudos, reply 1 two, reply 4 one
        kudos.give_kudos(session, Guardian(fan), replies[3], clock=clock)
    for fan in fans[:2]:
        kudos.give_kudos(session, Guardian(fan), replies[1], clock=clock)
    kudos.give_kudos(session, Guardian(fans[0]), replies[4], clock=clock)
    solutions.accept_solution(session, Guardian(asker), thread, replies[1], clock=clock)

    doc = thread_document(session, thread.id)

    assert doc is not None
    assert doc["solution"] == "Risposta 1"
    assert doc["solved"] is True
    assert doc["best_replies"] == ["Risposta 3", "Risposta 4", "Risposta 0"]
    assert doc["kudos_count"] == 6
    assert doc["reply_count"] == 5


def test_posts_are_indexed_as_the_plain_text_a_reader_sees(session, clock):
    asker = make_user(session, clock, username="asker")
    helper = make_user(session, clock, username="helper")
    thread = make_thread(
        session,
        clock,
        author=asker,
        category=make_category(session),
        body="Dalle **21** la linea *cade*.\n\nCosa controllo?",
    )
    answer = make_reply(
        session,
        clock,
        author=helper,
        thread=thread,
        body="1. Cambia il `cavo` **ottico**",
    )
    make_reply(
        session, clock, author=helper, thread=thread, body="> Anche a me\n\n~~Niente~~ da fare"
    )
    solutions.accept_solution(session, Guardian(asker), thread, answer, clock=clock)

    doc = thread_document(session, thread.id)

    assert doc is not None
    assert doc["question"] == "Dalle 21 la linea cade. Cosa controllo?"
    assert doc["solution"] == "Cambia il cavo ottico"
    assert doc["best_replies"] == ["Anche a me Niente da fare"]


def test_deleted_replies_never_contribute_text(session, clock):
    asker, helper, _category, thread = _forum(session, clock)
    secret = make_reply(session, clock, author=helper, thread=thread, body="Il mio codice è 1234")
    kept = make_reply(session, clock, author=helper, thread=thread, body="Riavvia il modem")
    solutions.accept_solution(session, Guardian(asker), thread, secret, clock=clock)
    posting.delete_post(session, Guardian(helper), secret, clock=clock)

    doc = thread_document(session, thread.id)

    assert doc is not None
    assert "1234" not in repr(doc)
    assert doc["solution"] is None
    assert doc["solved"] is False
    assert doc["best_replies"] == [kept.body]
    assert doc["reply_count"] == 1


def test_a_reply_by_staff_is_an_official_answer(session, clock):
    _asker, _helper, _category, thread = _forum(session, clock)
    moderator = make_user(session, clock, username="mod", role=Role.moderator)
    make_reply(session, clock, author=moderator, thread=thread, body="Apriamo una verifica.")

    doc = thread_document(session, thread.id)

    assert doc is not None
    assert doc["has_official_answer"] is True


def test_a_deleted_or_missing_thread_has_no_document(session, clock):
    asker, _helper, _category, thread = _forum(session, clock)
    question = posting.get_post(session, Guardian(asker), thread.last_post_id or 0)
    posting.delete_post(session, Guardian(asker), question, clock=clock)

    assert session.get(Thread, thread.id).is_deleted
    assert thread_document(session, thread.id) is None
    assert thread_document(session, 987654) is None


def test_synonyms_go_both_ways_and_the_embedder_is_configured():
    table = index_settings.synonyms([["fibra", "fiber", "fibre"], ["bolletta", "bill"]])

    assert table["fibra"] == ["fiber", "fibre"]
    assert table["fibre"] == ["fibra", "fiber"]
    assert table["bill"] == ["bolletta"]
    assert index_settings.THREADS_SETTINGS["embedders"] == {
        "default": {"source": "userProvided", "dimensions": 384}
    }
    assert "non" not in index_settings.STOP_WORDS
    assert "not" not in index_settings.STOP_WORDS


def test_the_stored_vector_of_the_question_goes_with_the_document(session, clock):
    _asker, _helper, _category, thread = _forum(session, clock)
    vector = [0.0] * embeddings.DIMENSIONS
    vector[7] = 2.0
    session.add(
        PostEmbedding(
            post_id=thread.last_post_id or 0,
            model=embeddings.MODEL_NAME,
            dimensions=embeddings.DIMENSIONS,
            vector=embeddings.to_bytes(vector),
            created_at=clock.now(),
        )
    )
    session.commit()

    doc = thread_document(session, thread.id)

    assert doc is not None
    stored = doc["_vectors"]["default"]
    assert len(stored) == 384
    assert stored[7] == 1.0 and sum(stored) == 1.0
