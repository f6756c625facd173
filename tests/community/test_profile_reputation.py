"""The profile's standing: reputation and rank with a bar to the next rank, badges with the date
earned, the ledger a page at a time with human reasons (and nothing about posts the reader may
not see), recent answers and solutions; the same in the JSON API; rank chips next to names."""

import re
from html import unescape

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, update
from sqlmodel import Session, col

from community import (
    badges,
    events,
    kudos,
    posting,
    profiles,
    reputation,
    solutions,
    visibility,
)
from community.clock import FrozenClock
from community.models import HiddenReason, ReputationReason, Role, User
from community.policy import Guardian
from tests.factories import make_category, make_reply, make_thread, make_user


def _drain_badges(session: Session, clock: FrozenClock) -> None:
    session.expire_all()
    events.drain(session, now=clock.now(), consumers=[badges.CONSUMER])
    session.expire_all()


@pytest.fixture
def solved(session, clock):
    """Anna asks, Bruno answers; Anna accepts Bruno's answer and gives it kudos."""
    anna = make_user(session, clock, username="anna")
    bruno = make_user(session, clock, username="bruno")
    category = make_category(session)
    thread = make_thread(
        session, clock, author=anna, category=category, title="Router keeps blinking red"
    )
    clock.advance(minutes=10)
    answer = make_reply(session, clock, author=bruno, thread=thread, body="Reset it.")
    clock.advance(minutes=10)
    solutions.accept_solution(session, Guardian(anna), thread, answer, clock=clock)
    clock.advance(minutes=1)
    kudos.give_kudos(session, Guardian(anna), answer, clock=clock)
    _drain_badges(session, clock)
    return anna, bruno, thread, answer


def _text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def _section(html: str, section_id: str) -> str:
    start = html.index(f'id="{section_id}"')
    return html[start : html.index("</section>", start)]


def test_profile_shows_reputation_rank_bar_badges_and_ledger(client, session, clock, solved):
    _anna, _bruno, _thread, answer = solved

    page = client.get("/u/bruno").text

    text = _text(page)
    assert "25 reputation points" in text  # +15 accepted, +10 kudos
    assert "Rank: Newcomer" in text
    assert "25 points to Contributor" in text
    bar = re.search(r"<progress[^>]*>", page)
    assert bar is not None and 'value="50"' in bar.group(0) and 'max="100"' in bar.group(0)
    assert 'aria-describedby="rank-progress-text"' in bar.group(0)

    earned = _text(_section(page, "badges"))
    assert "First solution" in earned and "First answer" in earned
    assert "Earned Jan 15, 2026" in earned

    ledger = _section(page, "reputation-history")
    rows = _text(ledger)
    assert rows.index("+10 Kudos received on an answer") < rows.index("+15 Answer accepted")
    assert ledger.count(f'href="/p/{answer.id}"') == 2
    assert "Router keeps blinking red" in ledger

    assert "Router keeps blinking red" in _text(_section(page, "profile-answers"))
    assert "Router keeps blinking red" in _text(_section(page, "profile-solutions"))

    asker = _text(client.get("/u/anna").text)
    assert "+2 Accepted an answer" in asker
    assert "No badges yet." in asker


def test_the_ledger_says_your_only_to_the_member_themselves(
    app, client, login, session, clock, solved
):
    """A visitor, another member and the member read Bruno's and Anna's ledgers, in English
    and in Italian: "your answer" only on your own profile."""
    anna = solved[0]
    anna_client = TestClient(app, base_url="https://testserver", headers={"Accept-Language": "en"})
    login(anna_client, anna)

    def ledger(reader: TestClient, username: str, language: str = "en") -> str:
        page = reader.get(f"/u/{username}", headers={"Accept-Language": language}).text
        return _text(_section(page, "reputation-history"))

    for reader in (client, anna_client):  # a visitor, then Anna on Bruno's profile
        about_bruno = ledger(reader, "bruno")
        assert "+10 Kudos received on an answer" in about_bruno
        assert "your" not in about_bruno.lower()
    assert "+2 Accepted an answer" in ledger(client, "anna")
    assert "+2 You accepted an answer" in ledger(anna_client, "anna")
    assert "Kudos ricevuti per una risposta" in ledger(client, "bruno", "it")
    assert "Ha accettato una risposta" in ledger(client, "anna", "it")
    assert "Hai accettato una risposta" in ledger(anna_client, "anna", "it")

    bruno_client = TestClient(app, base_url="https://testserver", headers={"Accept-Language": "en"})
    login(bruno_client, "bruno")
    assert "+10 Kudos on your answer" in ledger(bruno_client, "bruno")
    assert "+10 Kudos alla tua risposta" in ledger(bruno_client, "bruno", "it")
    assert "tua" not in ledger(client, "bruno", "it")


def test_a_solution_chosen_by_a_moderator_is_not_called_the_askers_choice(
    app, client, login, session, clock
):
    asker = make_user(session, clock, username="carla")
    helper = make_user(session, clock, username="dario")
    mod = make_user(session, clock, username="mod", role=Role.moderator)
    thread = make_thread(session, clock, author=asker, category=make_category(session))
    answer = make_reply(session, clock, author=helper, thread=thread)
    solutions.accept_solution(session, Guardian(mod), thread, answer, clock=clock)

    about = _text(_section(client.get("/u/carla").text, "reputation-history"))
    assert "+2 A moderator chose the solution to their question" in about
    assert "accepted an answer" not in about.lower()
    login(client, asker)
    own = _text(_section(client.get("/u/carla").text, "reputation-history"))
    assert "+2 A moderator chose the solution to your question" in own
    italian = client.get("/u/carla", headers={"Accept-Language": "it"}).text
    assert "Un moderatore ha scelto la soluzione alla tua domanda" in _text(italian)


def test_reversals_read_as_what_happened(client, session, clock, solved):
    anna, bruno, thread, answer = solved
    clock.advance(minutes=1)
    kudos.withdraw_kudos(session, Guardian(anna), answer, clock=clock)
    clock.advance(minutes=1)
    solutions.unmark_solution(session, Guardian(anna), thread, clock=clock)
    other = make_thread(session, clock, author=anna, category=make_category(session))
    second = make_reply(session, clock, author=bruno, thread=other)
    solutions.accept_solution(session, Guardian(anna), other, second, clock=clock)
    clock.advance(minutes=1)
    posting.delete_post(session, Guardian(bruno), second, clock=clock)

    rows = _text(_section(client.get("/u/bruno").text, "reputation-history"))

    assert rows.index("\u221215 Post deleted") < rows.index("+15 Answer accepted")
    assert "\u221215 Solution unmarked" in rows
    assert "\u221210 Kudos withdrawn" in rows
    session.expire_all()
    assert session.get(User, bruno.id).reputation == 0
    assert "0 reputation points" in _text(client.get("/u/bruno").text)


def test_the_ledger_pages_newest_first_twenty_at_a_time(client, session, clock):
    anna = make_user(session, clock, username="anna")
    bruno = make_user(session, clock, username="bruno")
    thread = make_thread(session, clock, author=anna, category=make_category(session))
    answer = make_reply(session, clock, author=bruno, thread=thread)
    assert bruno.id is not None
    for points in range(1, 26):
        clock.advance(minutes=1)
        reputation.award(
            session,
            user_id=bruno.id,
            points=points,
            reason=ReputationReason.answer_kudos,
            at=clock.now(),
            post=answer,
            actor_id=anna.id,
        )
    session.commit()

    first = client.get("/u/bruno").text
    rows = re.findall(r'class="ledger-points gain">\+(\d+)', first)
    assert rows == [str(n) for n in range(25, 5, -1)]
    more = re.search(r'href="/u/bruno\?before=(\d+)#reputation-history"', first)
    assert more is not None

    second = client.get(f"/u/bruno?before={more.group(1)}").text
    assert re.findall(r'class="ledger-points gain">\+(\d+)', second) == ["5", "4", "3", "2", "1"]
    assert "Older entries" not in _section(second, "reputation-history")
    assert 'href="/u/bruno#reputation-history"' in second  # back to the newest
    assert "Newest entries" not in first

    partial = client.get(f"/u/bruno?before={more.group(1)}", headers={"HX-Request": "true"})
    assert partial.text.lstrip().startswith('<section class="card" id="reputation-history"')
    assert "<html" not in partial.text

    api = client.get("/api/v1/users/bruno/reputation").json()
    assert [i["points"] for i in api["items"]] == list(range(25, 5, -1))
    assert api["next_cursor"] == more.group(1)
    rest = client.get(f"/api/v1/users/bruno/reputation?cursor={api['next_cursor']}").json()
    assert [i["points"] for i in rest["items"]] == [5, 4, 3, 2, 1]
    assert rest["next_cursor"] is None
    assert client.get("/u/bruno?before=abc").status_code == 422
    assert client.get("/api/v1/users/bruno/reputation?cursor=abc").status_code == 422


def test_reputation_api_shape(client, session, clock, solved):
    _anna, _bruno, thread, answer = solved

    body = client.get("/api/v1/users/bruno/reputation").json()

    assert body["next_cursor"] is None
    assert [set(item) for item in body["items"]] == [
        {"id", "points", "reason", "post_id", "thread_id", "created_at", "reverses_id"}
    ] * 2
    kudos_row, accepted = body["items"]
    assert (kudos_row["points"], kudos_row["reason"]) == (10, "answer_kudos")
    assert accepted == {
        "id": accepted["id"],
        "points": 15,
        "reason": "answer_accepted",
        "post_id": answer.id,
        "thread_id": thread.id,
        "created_at": "2026-01-15T09:20:00Z",
        "reverses_id": None,
    }
    assert client.get("/api/v1/users/nobody/reputation").status_code == 404


def test_user_api_has_reputation_rank_and_badges(client, session, clock, solved):
    _anna, bruno, _thread, _answer = solved
    session.execute(update(User).where(col(User.id) == bruno.id).values(reputation=230))
    session.commit()

    body = client.get("/api/v1/users/bruno").json()

    assert (body["reputation"], body["rank"]) == (230, "trusted")
    assert [(b["badge"], b["label"]) for b in body["badges"]] == [
        ("first_answer", "First answer"),
        ("first_solution", "First solution"),
    ]
    assert body["badges"][1]["awarded_at"] == "2026-01-15T09:20:00Z"
    italian = client.get("/api/v1/users/bruno", headers={"Accept-Language": "it"}).json()
    assert [b["badge"] for b in italian["badges"]] == ["first_answer", "first_solution"]


def test_hidden_and_deleted_posts_are_not_leaked_by_the_ledger(
    client, session, clock, solved, login
):
    _anna, _bruno, thread, answer = solved
    moderator = make_user(session, clock, username="mod", role=Role.moderator)
    visibility.hide_thread(
        session, thread, reason=HiddenReason.moderator, by_id=moderator.id, now=clock.now()
    )
    session.commit()

    page = client.get("/u/bruno").text
    ledger = _section(page, "reputation-history")
    assert "Router keeps blinking red" not in page
    assert f"/p/{answer.id}" not in ledger
    assert "+15 Answer accepted" in _text(ledger)  # the points stay, the title goes
    items = client.get("/api/v1/users/bruno/reputation").json()["items"]
    assert {(i["post_id"], i["thread_id"]) for i in items} == {(None, None)}

    login(client, moderator)
    assert "Router keeps blinking red" in _section(
        client.get("/u/bruno").text, "reputation-history"
    )
    items = client.get("/api/v1/users/bruno/reputation").json()["items"]
    assert {i["post_id"] for i in items} == {answer.id}


def test_hidden_reply_in_a_visible_thread_shows_no_link_to_strangers(
    client, session, clock, solved, login
):
    _anna, bruno, _thread, answer = solved
    visibility.hide_post(
        session, answer, reason=HiddenReason.personal_data, by_id=None, now=clock.now()
    )
    session.commit()

    ledger = _section(client.get("/u/bruno").text, "reputation-history")
    assert f"/p/{answer.id}" not in ledger
    login(client, bruno)  # the author still sees their own post
    assert f"/p/{answer.id}" in _section(client.get("/u/bruno").text, "reputation-history")


def test_rank_chips_next_to_names_without_a_query_per_post(client, session, clock, solved):
    _anna, bruno, thread, answer = solved
    session.execute(
        update(User)
        .where(col(User.id) == bruno.id)
        .values(reputation=520, advocate_since=clock.now())
    )
    session.commit()

    page = client.get(f"/t/{thread.id}").text

    byline = page[page.index(f'id="post-{answer.id}-by"') :]
    byline = byline[: byline.index("</div>")]
    assert "Guide" in _text(byline) and "Advocate" in _text(byline)
    question = page[page.index('class="post-author') :]
    assert "Newcomer" in _text(question[: question.index("</div>")])
    solution_box = _text(_section(page, "solution-box"))
    assert "Guide" in solution_box
    listing = _text(client.get("/").text)
    assert "Newcomer" in listing
    assert "Guide" in _text(client.get("/u/bruno").text)


def test_a_higher_rank_says_how_far_the_next_is_and_the_top_says_it_is_reached(
    client, session, clock
):
    top = make_user(session, clock, username="top")
    mid = make_user(session, clock, username="mid")
    session.execute(update(User).where(col(User.id) == top.id).values(reputation=1500))
    session.execute(update(User).where(col(User.id) == mid.id).values(reputation=199))
    session.commit()

    assert "Highest rank reached" in _text(client.get("/u/top").text)
    assert "1 point to Trusted" in _text(client.get("/u/mid").text)


@pytest.mark.sqlite_only
def test_profile_queries_walk_indexes_not_tables(session, clock, solved):
    """20,000 members and 200,000 threads: one member's standing must never scan a table."""
    _anna, bruno, _thread, _answer = solved
    plans: list[tuple[str, list[str]]] = []

    def explain(conn, _cursor, statement, parameters, _context, _many):
        if statement.lstrip().upper().startswith("SELECT"):
            raw = conn.connection.cursor()
            raw.execute("EXPLAIN QUERY PLAN " + statement, parameters)
            plans.append((statement, [row[3] for row in raw.fetchall()]))

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", explain)
    try:
        user = session.get(User, bruno.id)
        profiles.ledger(session, Guardian(None), user, before=10**6)
        profiles.standing(session, user)
    finally:
        event.remove(engine, "before_cursor_execute", explain)

    assert len(plans) >= 5
    for statement, details in plans:
        scans = [d for d in details if re.match(r"SCAN \w+$", d)]
        assert not scans, f"{scans} in {statement}"
