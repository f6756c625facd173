"""Satisfaction (CSAT): "Did this solve your problem?" is asked once of the asker when a moderator
solves their thread or the brand resolves their case, in their notifications and on the page; only
they answer, once, with a rating from 1 to 5. An asker who accepts an answer themselves has
answered it: a top rating is recorded and nobody asks. csat() gives the average and count on a
hand-worked fixture."""

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from community import events, solutions
from community.clock import FrozenClock
from community.errors import Conflict, Invalid, NotFound
from community.models import Notification, Post, Role, Solution, Thread, User
from community.policy import Guardian
from moderation import cases, satisfaction
from moderation.models import PostSignal, SatisfactionResponse, SupportCase
from tests.factories import make_category, make_reply, make_thread, make_user
from tests.moderation.brand_helpers import api_post, client_for, submit

QUESTION = "Did this solve your problem?"


def _drain(session: Session, clock: FrozenClock) -> None:
    session.expire_all()
    events.drain(session, now=clock.now(), consumers=[satisfaction.CONSUMER])
    session.expire_all()


def _surveys(session: Session) -> list[SatisfactionResponse]:
    session.expire_all()
    return list(session.exec(select(SatisfactionResponse).order_by(col(SatisfactionResponse.id))))


def _notifications(session: Session, user: User) -> list[tuple[str, int | None]]:
    query = (
        select(Notification)
        .where(col(Notification.user_id) == user.id)
        .order_by(col(Notification.id))
    )
    return [(n.kind, n.thread_id) for n in session.exec(query)]


def _accept(session: Session, clock: FrozenClock, by: User, thread: Thread, post: Post) -> None:
    session.refresh(thread)
    solutions.accept_solution(session, Guardian(by), thread, post, clock=clock)


@pytest.fixture
def solved(session: Session, clock: FrozenClock) -> dict[str, Any]:
    """Anna asked, Bruno answered, a moderator marked Bruno's answer as the solution; the worker
    has run."""
    anna = make_user(session, clock, username="anna")
    bruno = make_user(session, clock, username="bruno")
    carla = make_user(session, clock, username="carla")
    mod = make_user(session, clock, username="mod", role=Role.moderator)
    thread = make_thread(session, clock, author=anna, category=make_category(session))
    clock.advance(minutes=5)
    answer = make_reply(session, clock, author=bruno, thread=thread)
    clock.advance(minutes=5)
    _accept(session, clock, mod, thread, answer)
    _drain(session, clock)
    return {
        "anna": anna,
        "bruno": bruno,
        "carla": carla,
        "mod": mod,
        "thread": thread,
        "answer": answer,
    }


# Asking ---------------------------------------------------------------------------------------


def test_solving_a_thread_asks_the_asker_once_with_a_notification(session, clock, solved):
    anna, bruno, thread = solved["anna"], solved["bruno"], solved["thread"]
    (survey,) = _surveys(session)
    assert (survey.thread_id, survey.case_id, survey.user_id) == (thread.id, None, anna.id)
    assert survey.rating is None and survey.answered_at is None
    assert survey.asked_at == clock.now()
    assert ("survey", thread.id) in _notifications(session, anna)
    assert all(kind != "survey" for kind, _ in _notifications(session, bruno))

    # A second answer chosen, unmarking and choosing again: nobody is asked again.
    mod = solved["mod"]
    clock.advance(minutes=10)
    other = make_reply(session, clock, author=solved["carla"], thread=thread)
    _accept(session, clock, mod, thread, other)
    session.refresh(thread)
    solutions.unmark_solution(session, Guardian(mod), thread, clock=clock)
    _accept(session, clock, mod, thread, solved["answer"])
    _drain(session, clock)
    assert len(_surveys(session)) == 1
    assert [k for k, _ in _notifications(session, anna) if k == "survey"] == ["survey"]


def test_nobody_is_asked_about_their_own_answer_or_an_unmarked_solution(session, clock):
    anna = make_user(session, clock, username="anna")
    bruno = make_user(session, clock, username="bruno")
    mod = make_user(session, clock, username="mod", role=Role.moderator)
    category = make_category(session)
    own = make_thread(session, clock, author=anna, category=category)
    mine = make_reply(session, clock, author=anna, thread=own, body="Found it: it was the cable.")
    _accept(session, clock, mod, own, mine)
    gone = make_thread(session, clock, author=anna, category=category, title="Another question")
    reply = make_reply(session, clock, author=bruno, thread=gone)
    _accept(session, clock, mod, gone, reply)
    session.refresh(gone)
    solutions.unmark_solution(session, Guardian(mod), gone, clock=clock)
    _drain(session, clock)
    assert _surveys(session) == []


def test_notification_links_to_the_question_in_the_thread(app, session, clock, solved):
    anna, thread = solved["anna"], solved["thread"]
    browser = client_for(app, anna)
    page = browser.get("/notifications").text
    assert "Did this solve your problem?" in page
    notice = session.exec(
        select(Notification).where(
            col(Notification.user_id) == anna.id, col(Notification.kind) == "survey"
        )
    ).one()
    opened = submit(browser, f"/notifications/{notice.id}/read")
    assert opened.status_code == 303
    assert opened.headers["location"] == f"/t/{thread.id}#satisfaction"


# The asker's own acceptance is their answer -------------------------------------------------------


def _csat(session: Session, clock: FrozenClock) -> tuple[float | None, int]:
    return satisfaction.csat(
        session, start=clock.now() - timedelta(days=1), end=clock.now() + timedelta(days=1)
    )


@pytest.fixture
def accepted(session: Session, clock: FrozenClock) -> dict[str, Any]:
    """Marta asked, Luca answered, Marta accepted Luca's answer herself; the worker has run."""
    marta = make_user(session, clock, username="marta")
    luca = make_user(session, clock, username="luca")
    thread = make_thread(session, clock, author=marta, category=make_category(session))
    clock.advance(minutes=5)
    answer = make_reply(session, clock, author=luca, thread=thread)
    clock.advance(minutes=5)
    _accept(session, clock, marta, thread, answer)
    accepted_at = clock.now()
    clock.advance(minutes=1)
    _drain(session, clock)
    return {"marta": marta, "luca": luca, "thread": thread, "accepted_at": accepted_at}


def test_accepting_an_answer_yourself_records_a_positive_answer(session, clock, accepted):
    marta, thread = accepted["marta"], accepted["thread"]
    (survey,) = _surveys(session)
    assert (survey.thread_id, survey.user_id) == (thread.id, marta.id)
    assert (survey.rating, survey.answered_by_accepting) == (satisfaction.MAX_RATING, True)
    assert survey.answered_at == survey.asked_at == accepted["accepted_at"]
    # The care figures count it like any answer.
    assert _csat(session, clock) == (5.0, 1)
    answered = session.exec(
        select(events.OutboxEvent).where(col(events.OutboxEvent.name) == "satisfaction_answered")
    ).one()
    assert answered.data["rating"] == 5 and answered.data["by_accepting"] is True


def test_a_seeded_community_has_the_answers_its_accepted_solutions_imply(session, clock):
    """``peerdesk seed`` writes rows without events: the surveys the consumer would have answered
    are derived after it, so the demo's care figures show satisfaction."""
    from community.seed import loader

    engine = session.get_bind()
    loader.seed(engine, threads=60, seed=42, now=clock.now())
    implied = session.exec(
        select(Solution.thread_id)
        .join(Thread, col(Thread.id) == col(Solution.thread_id))
        .join(Post, col(Post.id) == col(Solution.post_id))
        .where(col(Post.author_id) != col(Thread.author_id))
    ).all()
    surveys = _surveys(session)
    assert implied and sorted(s.thread_id or 0 for s in surveys) == sorted(implied)
    assert all(s.rating == 5 and s.answered_by_accepting for s in surveys)
    rated, answers = satisfaction.csat(
        session, start=clock.now() - timedelta(days=400), end=clock.now()
    )
    assert (rated, answers) == (5.0, len(implied))
    assert satisfaction.backfill(session) == 0  # nothing twice


def test_an_asker_who_accepted_is_not_asked_in_any_language(app, session, accepted):
    marta, thread = accepted["marta"], accepted["thread"]
    assert ("survey", thread.id) not in _notifications(session, marta)
    browser = client_for(app, marta)
    for language, question, solved_label in (
        ("en", QUESTION, "Accepted solution"),
        ("it", "Il problema è stato risolto?", "Soluzione accettata"),
    ):
        headers = {"Accept-Language": language}
        page = browser.get(f"/t/{thread.id}", headers=headers).text
        assert solved_label in page
        assert question not in page and 'name="rating"' not in page
        assert question not in browser.get("/notifications", headers=headers).text
    # Nothing to answer, by form or by API: for her the survey does not exist.
    assert submit(browser, f"/t/{thread.id}/satisfaction", {"rating": "1"}).status_code == 404
    url = f"/api/v1/threads/{thread.id}/satisfaction"
    assert browser.get(url).status_code == 404
    assert api_post(browser, url, {"rating": 1}).status_code == 404
    assert _surveys(session)[0].rating == 5


def test_a_question_waiting_is_answered_when_the_asker_accepts_an_answer(
    app, session, clock, solved
):
    """A moderator chose first and Anna was asked; then she accepted Carla's answer herself."""
    anna, thread = solved["anna"], solved["thread"]
    clock.advance(minutes=10)
    better = make_reply(session, clock, author=solved["carla"], thread=thread)
    _accept(session, clock, anna, thread, better)
    _drain(session, clock)
    (survey,) = _surveys(session)
    assert (survey.rating, survey.answered_by_accepting) == (5, True)
    assert survey.answered_at == clock.now()
    session.expire_all()
    asking = session.exec(
        select(Notification).where(
            col(Notification.user_id) == anna.id, col(Notification.kind) == "survey"
        )
    ).one()
    assert asking.read_at is not None
    assert QUESTION not in client_for(app, anna).get(f"/t/{thread.id}").text


def test_an_answer_already_given_stands_when_the_asker_accepts_later(session, clock, solved):
    anna, thread = solved["anna"], solved["thread"]
    (survey,) = _surveys(session)
    satisfaction.answer(session, Guardian(anna), survey, rating=2, clock=clock)
    clock.advance(minutes=10)
    better = make_reply(session, clock, author=solved["carla"], thread=thread)
    _accept(session, clock, anna, thread, better)
    _drain(session, clock)
    (survey,) = _surveys(session)
    assert (survey.rating, survey.answered_by_accepting) == (2, False)
    assert _csat(session, clock) == (2.0, 1)


def test_a_thread_solved_by_the_brands_official_reply_still_asks(app, session, clock):
    giulia = make_user(session, clock, username="giulia")
    sara = make_user(session, clock, username="sara", role=Role.moderator)
    thread = make_thread(session, clock, author=giulia, category=make_category(session))
    official = make_reply(session, clock, author=sara, thread=thread, body="Fixed on our side.")
    _accept(session, clock, sara, thread, official)
    _drain(session, clock)
    (survey,) = _surveys(session)
    assert (survey.rating, survey.answered_at, survey.answered_by_accepting) == (None, None, False)
    assert ("survey", thread.id) in _notifications(session, giulia)
    page = client_for(app, giulia).get(f"/t/{thread.id}", headers={"Accept-Language": "it"})
    assert "Il problema è stato risolto?" in page.text and 'name="rating"' in page.text


# The thread page ------------------------------------------------------------------------------


def test_only_the_asker_sees_the_question_and_answers_without_javascript(app, session, solved):
    thread = solved["thread"]
    for user in (solved["bruno"], solved["carla"], None):
        assert QUESTION not in client_for(app, user).get(f"/t/{thread.id}").text
    anna = client_for(app, solved["anna"])
    page = anna.get(f"/t/{thread.id}").text
    assert QUESTION in page and 'name="rating" value="5"' in page
    assert f'action="/t/{thread.id}/satisfaction"' in page

    # Someone else posting to it: there is no survey for them.
    carla = client_for(app, solved["carla"])
    refused = submit(carla, f"/t/{thread.id}/satisfaction", {"rating": "1"})
    assert refused.status_code == 404

    response = submit(anna, f"/t/{thread.id}/satisfaction", {"rating": "4", "comment": "Thanks!"})
    assert response.status_code == 303
    assert response.headers["location"] == f"/t/{thread.id}#satisfaction"
    (survey,) = _surveys(session)
    assert (survey.rating, survey.comment) == (4, "Thanks!")
    page = anna.get(f"/t/{thread.id}").text
    assert 'name="rating"' not in page and "you rated it 4 out of 5" in page
    # The answer stays the asker's: nobody else sees it.
    assert "rated it" not in carla.get(f"/t/{thread.id}").text
    # The asking notification has been read.
    assert all(
        n.read_at is not None for n in session.exec(select(Notification)) if n.kind == "survey"
    )

    # A second submission (a double click, a second tab) changes nothing and shows the answer
    # that stands, with or without JavaScript.
    again = submit(anna, f"/t/{thread.id}/satisfaction", {"rating": "5"})
    assert again.status_code == 303
    assert "you rated it 4 out of 5" in anna.get(f"/t/{thread.id}").text
    htmx = submit(
        anna, f"/t/{thread.id}/satisfaction", {"rating": "5"}, headers={"HX-Request": "true"}
    )
    assert htmx.status_code == 200 and "you rated it 4 out of 5" in htmx.text
    session.expire_all()
    assert _surveys(session)[0].rating == 4


def test_a_refused_answer_shows_the_error_next_to_the_field_and_keeps_the_text(
    app, session, solved
):
    thread = solved["thread"]
    anna = client_for(app, solved["anna"])
    for rating in ("", "0", "6", "abc", "²", "٣"):
        response = submit(
            anna, f"/t/{thread.id}/satisfaction", {"rating": rating, "comment": "Partly"}
        )
        assert response.status_code == 422
        assert 'id="satisfaction-rating-error"' in response.text
        assert "Choose a rating from 1 to 5." in response.text
        assert ">Partly</textarea>" in response.text
    too_long = submit(anna, f"/t/{thread.id}/satisfaction", {"rating": "3", "comment": "x" * 1001})
    assert too_long.status_code == 422 and 'id="satisfaction-comment-error"' in too_long.text
    assert 'value="3" checked' in too_long.text
    assert _surveys(session)[0].answered_at is None


def test_htmx_gets_the_partial_back(app, session, solved):
    thread = solved["thread"]
    anna = client_for(app, solved["anna"])
    headers = {"HX-Request": "true"}
    bad = submit(anna, f"/t/{thread.id}/satisfaction", {"rating": "9"}, headers=headers)
    assert bad.status_code == 422
    assert bad.text.lstrip().startswith('<section id="satisfaction"')
    good = submit(anna, f"/t/{thread.id}/satisfaction", {"rating": "5"}, headers=headers)
    assert good.status_code == 200
    assert good.text.lstrip().startswith('<section id="satisfaction"')
    assert "you rated it 5 out of 5" in good.text


# Services -------------------------------------------------------------------------------------


def test_the_service_refuses_others_out_of_range_and_twice(session, clock, solved):
    (survey,) = _surveys(session)
    with pytest.raises(NotFound):
        satisfaction.answer(session, Guardian(solved["bruno"]), survey, rating=5, clock=clock)
    with pytest.raises(NotFound):
        satisfaction.thread_survey(session, Guardian(solved["carla"]), solved["thread"].id)
    for rating in (0, 6, -1):
        with pytest.raises(Invalid):
            satisfaction.answer(
                session, Guardian(solved["anna"]), survey, rating=rating, clock=clock
            )
    satisfaction.answer(session, Guardian(solved["anna"]), survey, rating=2, clock=clock)
    with pytest.raises(Conflict):
        satisfaction.answer(session, Guardian(solved["anna"]), survey, rating=3, clock=clock)
    stored = session.exec(
        select(events.OutboxEvent).where(col(events.OutboxEvent.name) == "satisfaction_answered")
    ).one()
    assert stored.data["rating"] == 2 and stored.thread_id == solved["thread"].id


# API ------------------------------------------------------------------------------------------


def test_api_reads_and_answers_the_thread_survey(app, session, solved):
    thread = solved["thread"]
    url = f"/api/v1/threads/{thread.id}/satisfaction"
    anna = client_for(app, solved["anna"])
    pending = anna.get(url)
    assert pending.status_code == 200
    assert pending.json()["answered_at"] is None and pending.json()["rating"] is None
    assert client_for(app).get(url).status_code == 401
    assert client_for(app, solved["carla"]).get(url).status_code == 404
    assert api_post(client_for(app, solved["bruno"]), url, {"rating": 5}).status_code == 404

    for payload in (
        {"rating": 0},
        {"rating": 6},
        {"rating": "5"},
        {},
        {"rating": 3, "comment": "x" * 1001},
    ):
        assert api_post(anna, url, payload).status_code == 422, payload
    created = api_post(anna, url, {"rating": 5, "comment": "Perfect."})
    assert created.status_code == 201
    body = created.json()
    assert (body["rating"], body["comment"], body["thread_id"]) == (5, "Perfect.", thread.id)
    again = api_post(anna, url, {"rating": 1})
    assert again.status_code == 409 and "already answered" in again.json()["detail"]
    assert anna.get(url).json()["rating"] == 5
    assert api_post(anna, "/api/v1/threads/999999/satisfaction", {"rating": 4}).status_code == 404


# Cases ----------------------------------------------------------------------------------------


@pytest.fixture
def case_scene(session: Session, clock: FrozenClock) -> dict[str, Any]:
    giulia = make_user(session, clock, username="giulia")
    third = make_user(session, clock, username="third")
    mod = make_user(session, clock, username="mod", role=Role.moderator)
    thread = make_thread(session, clock, author=giulia, category=make_category(session))
    question = session.exec(select(Post).where(col(Post.thread_id) == thread.id)).one()
    case = cases.open_case(
        session,
        Guardian(mod),
        question,
        subject="Double charge",
        priority="",
        body="Which invoice?",
        clock=clock,
    )
    return {"giulia": giulia, "third": third, "mod": mod, "thread": thread, "case": case}


def _set_status(
    session: Session, clock: FrozenClock, mod: User, case: SupportCase, status: str
) -> None:
    session.refresh(case)
    cases.update_case(session, Guardian(mod), case, status=status, clock=clock)


def test_resolving_a_case_asks_its_customer_once(app, session, clock, case_scene):
    giulia, mod, case = case_scene["giulia"], case_scene["mod"], case_scene["case"]
    _set_status(session, clock, mod, case, "pending_customer")
    _drain(session, clock)
    assert _surveys(session) == []
    _set_status(session, clock, mod, case, "resolved")
    _drain(session, clock)
    (survey,) = _surveys(session)
    assert (survey.case_id, survey.thread_id, survey.user_id) == (case.id, None, giulia.id)
    assert ("case_survey", case_scene["thread"].id) in _notifications(session, giulia)
    # Reopened and resolved again: asked once.
    _set_status(session, clock, mod, case, "open")
    _set_status(session, clock, mod, case, "resolved")
    _drain(session, clock)
    assert len(_surveys(session)) == 1

    url = f"/cases/{case.id}"
    customer = client_for(app, giulia)
    page = customer.get(url).text
    assert QUESTION in page and f'action="{url}/satisfaction"' in page
    assert "Your private case was resolved" in customer.get("/notifications").text
    # The brand and other members see no question and cannot answer.
    third = client_for(app, case_scene["third"])
    assert submit(third, f"{url}/satisfaction", {"rating": "5"}).status_code == 404
    assert (
        api_post(third, f"/api/v1/cases/{case.id}/satisfaction", {"rating": 5}).status_code == 404
    )
    brand = client_for(app, mod)
    assert (
        api_post(brand, f"/api/v1/cases/{case.id}/satisfaction", {"rating": 5}).status_code == 404
    )

    response = submit(customer, f"{url}/satisfaction", {"rating": "3"})
    assert response.status_code == 303 and response.headers["location"] == f"{url}#satisfaction"
    assert "you rated it 3 out of 5" in customer.get(url).text
    again = api_post(customer, f"/api/v1/cases/{case.id}/satisfaction", {"rating": 5})
    assert again.status_code == 409


def test_a_reopened_case_does_not_ask_whether_it_solved_the_problem(
    app, session, clock, case_scene
):
    """Giulia answered the resolved case ("still charged twice"), which reopened it: asking her
    at the top of the page whether it solved her problem contradicts the status beside it."""
    giulia, mod, case = case_scene["giulia"], case_scene["mod"], case_scene["case"]
    _set_status(session, clock, mod, case, "resolved")
    _drain(session, clock)
    customer = client_for(app, giulia)
    url = f"/cases/{case.id}"
    assert QUESTION in customer.get(url).text
    submit(customer, f"{url}/messages", {"body": "Still charged twice."})
    assert QUESTION not in customer.get(url).text
    _set_status(session, clock, mod, case, "resolved")
    assert QUESTION in customer.get(url).text


def test_case_survey_by_api(app, session, clock, case_scene):
    _set_status(session, clock, case_scene["mod"], case_scene["case"], "resolved")
    _drain(session, clock)
    url = f"/api/v1/cases/{case_scene['case'].id}/satisfaction"
    customer = client_for(app, case_scene["giulia"])
    assert customer.get(url).json()["answered_at"] is None
    assert api_post(customer, url, {"rating": 7}).status_code == 422
    created = api_post(customer, url, {"rating": 1, "comment": "Still charged twice."})
    assert created.status_code == 201 and created.json()["case_id"] == case_scene["case"].id


def test_answering_one_cases_survey_leaves_another_cases_question_unread(
    session, clock, case_scene
):
    giulia, mod, first = case_scene["giulia"], case_scene["mod"], case_scene["case"]
    _set_status(session, clock, mod, first, "resolved")
    _set_status(session, clock, mod, first, "closed")
    clock.advance(days=2)
    question = session.exec(
        select(Post).where(col(Post.thread_id) == case_scene["thread"].id)
    ).first()
    second = cases.open_case(
        session,
        Guardian(mod),
        question,
        subject="Still charged",
        priority="",
        body="Again?",
        clock=clock,
    )
    clock.advance(hours=3)
    _set_status(session, clock, mod, second, "resolved")
    _drain(session, clock)
    satisfaction.answer(
        session,
        Guardian(giulia),
        satisfaction.case_survey(session, Guardian(giulia), second.id or 0),
        rating=4,
        clock=clock,
    )
    session.expire_all()
    unread = session.exec(
        select(Notification).where(
            col(Notification.user_id) == giulia.id,
            col(Notification.kind) == "case_survey",
            col(Notification.read_at).is_(None),
        )
    ).all()
    assert len(unread) == 1  # the first case's question still waits for its answer


# Figures --------------------------------------------------------------------------------------


def test_csat_on_a_hand_worked_fixture(session, clock):
    """Five answers and one pending survey:

    | survey          | category | language | rating | answered        |
    | thread t1 (ann) | A        | it       | 5      | day 1           |
    | thread t2 (bob) | A        | en       | 4      | day 2           |
    | thread t3 (cyd) | B        | it       | 1      | day 3           |
    | case on t3      | (B, it)  |          | 3      | day 4           |
    | thread t4 (ann) | B        | (en)     | 2      | day 10 (later)  |
    | thread t5 (bob) | A        | it       | -      | not answered    |
    | thread t6 (cyd) | A        | it       | 1      | day 5, deleted  |

    Days 0..7: overall (5+4+1+3)/4 = 3.25 over 4; category A (5+4)/2 = 4.5 over 2;
    category B (1+3)/2 = 2.0 over 2; Italian (5+1+3)/3 = 3.0 over 3; A and Italian 5.0 over 1;
    days 9..11: 2.0 over 1, and in English too: t4 has no language of its own, but the signals
    worker read English in its question; days 20..30: nothing. t6 was deleted after its answer:
    it counts nowhere.
    """
    start = clock.now()
    ann = make_user(session, clock, username="ann")
    bob = make_user(session, clock, username="bob")
    cyd = make_user(session, clock, username="cyd")
    mod = make_user(session, clock, username="mod", role=Role.moderator)
    a, b = make_category(session), make_category(session)
    specs = [
        (ann, a, "it"),
        (bob, a, "en"),
        (cyd, b, "it"),
        (ann, b, "en"),
        (bob, a, "it"),
        (cyd, a, "it"),
    ]
    threads = []
    for n, (author, category, language) in enumerate(specs):
        thread = make_thread(
            session, clock, author=author, category=category, title=f"Question {n}"
        )
        thread.language = language
        session.add(thread)
        threads.append(thread)
    threads[3].language = None
    session.add(threads[3])
    t4_question = session.exec(select(Post).where(col(Post.thread_id) == threads[3].id)).one()
    assert t4_question.id is not None and threads[3].id is not None
    session.add(
        PostSignal(
            post_id=t4_question.id,
            thread_id=threads[3].id,
            model_version="test",
            language="en",
            sentiment="neutral",
            sentiment_score=0.0,
            needs_brand=False,
            needs_brand_score=0.0,
            toxic=False,
            toxic_score=0.0,
            computed_at=clock.now(),
        )
    )
    session.commit()
    question = session.exec(select(Post).where(col(Post.thread_id) == threads[2].id)).one()
    case = cases.open_case(
        session, Guardian(mod), question, subject="", priority="", body="Hi", clock=clock
    )

    def answered(day: int, rating: int | None, *, thread: Thread | None = None, user: User) -> None:
        assert user.id is not None
        session.add(
            SatisfactionResponse(
                thread_id=thread.id if thread is not None else None,
                case_id=None if thread is not None else case.id,
                user_id=user.id,
                rating=rating,
                asked_at=start,
                answered_at=start + timedelta(days=day, hours=1) if rating else None,
            )
        )

    answered(1, 5, thread=threads[0], user=ann)
    answered(2, 4, thread=threads[1], user=bob)
    answered(3, 1, thread=threads[2], user=cyd)
    answered(4, 3, user=cyd)
    answered(10, 2, thread=threads[3], user=ann)
    answered(0, None, thread=threads[4], user=bob)
    answered(5, 1, thread=threads[5], user=cyd)
    threads[5].deleted_at = clock.now()
    session.add(threads[5])
    session.commit()
    events.drain(session, now=clock.now(), consumers=["care"])  # the threads' languages

    week = {"start": start, "end": start + timedelta(days=7)}
    assert satisfaction.csat(session, **week) == (3.25, 4)
    assert satisfaction.csat(session, **week, category_id=a.id) == (4.5, 2)
    assert satisfaction.csat(session, **week, category_id=b.id) == (2.0, 2)
    assert satisfaction.csat(session, **week, language="it") == (3.0, 3)
    assert satisfaction.csat(session, **week, language="en") == (4.0, 1)
    assert satisfaction.csat(session, **week, category_id=a.id, language="it") == (5.0, 1)
    later = {"start": start + timedelta(days=9), "end": start + timedelta(days=11)}
    assert satisfaction.csat(session, **later) == (2.0, 1)
    assert satisfaction.csat(session, **later, language="en") == (2.0, 1)
    assert satisfaction.csat(session, **later, language="it") == (None, 0)
    empty = {"start": start + timedelta(days=20), "end": start + timedelta(days=30)}
    assert satisfaction.csat(session, **empty) == (None, 0)
    # The end is exclusive: an answer at exactly `end` belongs to the next range.
    edge = start + timedelta(days=1, hours=1)
    assert satisfaction.csat(session, start=start, end=edge) == (None, 0)
    assert satisfaction.csat(session, start=edge, end=edge + timedelta(seconds=1)) == (5.0, 1)


def test_one_survey_per_asker_and_thread_in_the_database(session, clock, solved):
    session.add(
        SatisfactionResponse(
            thread_id=solved["thread"].id, user_id=solved["anna"].id, asked_at=clock.now()
        )
    )
    with pytest.raises(IntegrityError):
        session.commit()
    session.rollback()


def test_two_answers_at_the_same_time_one_wins(db, session, clock, solved):
    """Both requests read the survey while it was pending; the second write is refused."""
    anna = solved["anna"]
    with Session(db, expire_on_commit=False) as other:
        stale = other.exec(select(SatisfactionResponse)).one()
        (survey,) = _surveys(session)
        satisfaction.answer(session, Guardian(anna), survey, rating=5, clock=clock)
        assert stale.answered_at is None
        with pytest.raises(Conflict):
            satisfaction.answer(other, Guardian(anna), stale, rating=1, clock=clock)
    (stored,) = _surveys(session)
    assert stored.rating == 5
