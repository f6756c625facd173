"""The listening queue: who may see it, the priority order, reasons, filters, pages, corrections."""

import base64
import html
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlmodel import Session, select

from community import solutions, visibility
from community.errors import Invalid
from community.models import HiddenReason, Post, Role, Thread, User
from community.policy import Guardian
from moderation import claims, flags, queue, tools
from moderation.models import CareThread, Flag, FlagKind, SignalCorrection
from tests.factories import make_category, make_reply, make_thread, make_user
from tests.helpers import csrf_token, login, sqlite_plan
from tests.moderation.care_helpers import run_care, signal

MOD_PAGES = ["/mod/queue", "/mod/service-levels", "/mod/advocates"]
MOD_POSTS = [
    "/mod/threads/{t}/claim",
    "/mod/threads/{t}/release",
    "/mod/threads/{t}/assign",
    "/mod/threads/{t}/correct",
    "/mod/threads/{t}/flags",
    "/mod/threads/{t}/approve",
]
API_GETS = ["/api/v1/moderation/queue", "/api/v1/moderation/advocates"]
# The operations of the queue, claims and flags (the fuzz test's share of the spec).
MINE = re.compile(
    r"^/api/v1/(moderation/queue|moderation/threads/\{thread_id\}/(claim|release|assign)"
    r"|moderation/flags/\{flag_id\}/resolve|posts/\{post_id\}/flags)$"
)
# Cursors nobody issued, each of which reached the database before the decoder bounded them.
FORGED_CURSORS = [
    base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")
    for raw in (
        "2024-01-01T00:00:00+00:00|99999999999999999999999",  # beyond SQLite's INTEGER
        "2024-01-01T00:00:00+00:00|2147483648",  # beyond PostgreSQL's integer ids
        "2024-01-01T00:00:00+00:00|0",
        "0001-01-01T00:00:00+05:00|1",  # before year 1 once in UTC
        "9999-12-31T23:00:00-05:00|1",  # after year 9999 once in UTC
    )
]
API_POSTS = [
    ("/api/v1/moderation/threads/{t}/claim", None),
    ("/api/v1/moderation/threads/{t}/release", None),
    ("/api/v1/moderation/threads/{t}/assign", {"moderator_id": 1}),
    ("/api/v1/moderation/flags/{f}/resolve", {"status": "upheld"}),
]


@pytest.fixture
def world(session, clock):
    """A moderator, members, two categories, and one thread per state, each by its own asker so
    no repeat contact blurs the order (the urgent moments are in the comments)."""
    category = make_category(session, slug="fibre")
    other_category = make_category(session, slug="mobile")
    moderator = make_user(session, clock, username="mara", role=Role.moderator)
    member = make_user(session, clock, username="member")
    helper = make_user(session, clock, username="helper")
    start = clock.now()

    def ask(name: str, title: str, where=category):
        return make_thread(
            session,
            clock,
            author=make_user(session, clock, username=f"ask_{name}"),
            category=where,
            title=title,
        )

    t = {}
    t["plain"] = ask("plain", "Plain question here")  # unanswered: start + 24 h
    # answered officially, flagged twice at 3 h: (3 h + 24 h) - 2 x 4 h = start + 19 h
    t["flagged"] = ask("flagged", "Flagged thread here", other_category)
    # needs the brand, a member answered: 24 h - 6 h = start + 18 h
    t["awaiting"] = ask("awaiting", "Awaiting the brand")
    clock.advance(minutes=30)
    # the asker wrote twice more: 30 min + 24 h - 2 x 3 h = start + 18 h 30 min
    t["repeat"] = ask("repeat", "Repeat contact thread")
    clock.advance(minutes=30)
    # unanswered and negative: 1 h + 24 h - 8 h = start + 17 h
    t["negative"] = ask("negative", "Angry unanswered thread")
    clock.advance(hours=1)
    # personal data hidden at 2 h: 2 h + 24 h - 24 h = start + 2 h
    t["pii"] = ask("pii", "Personal data thread", other_category)
    t["done"] = ask("done", "Answered by the brand")  # answered officially: not in the queue
    make_reply(session, clock, author=moderator, thread=t["done"])
    make_reply(session, clock, author=moderator, thread=t["flagged"], body="Official answer.")
    make_reply(session, clock, author=helper, thread=t["awaiting"], body="Try turning it off.")
    repeat_asker = session.get(User, t["repeat"].author_id)
    make_reply(session, clock, author=repeat_asker, thread=t["repeat"], body="Anyone?")
    make_reply(session, clock, author=repeat_asker, thread=t["repeat"], body="Hello??")
    clock.advance(hours=1)  # start + 3 h
    posts = {name: _question(session, thread) for name, thread in t.items()}
    flagged_post = posts["flagged"]
    flags.raise_flag(session, Guardian(member), flagged_post, kind=FlagKind.abuse, clock=clock)
    flags.raise_flag(session, Guardian(helper), flagged_post, kind=FlagKind.abuse, clock=clock)
    signal(session, clock, posts["awaiting"], needs_brand=True, language="it")
    signal(session, clock, posts["negative"], sentiment="negative", score=0.93)
    visibility.hide_post(
        session,
        posts["pii"],
        reason=HiddenReason.personal_data,
        by_id=None,
        now=start + timedelta(hours=2),
    )
    session.commit()
    run_care(session, clock)
    return {
        "threads": t,
        "posts": posts,
        "moderator": moderator,
        "member": member,
        "helper": helper,
        "start": start,
        "category": category,
    }


def _question(session: Session, thread: Thread) -> Post:
    return session.exec(
        select(Post).where(Post.thread_id == thread.id, Post.post_number == 1)
    ).one()


def _ids(world: dict[str, Any], *names: str) -> list[int]:
    return [world["threads"][name].id for name in names]


def test_the_queue_order_follows_the_priority_rules(session, clock, world) -> None:
    page = queue.load_queue(
        session, Guardian(world["moderator"]), filters=queue.Filters(), now=clock.now()
    )
    order = [row.thread.id for row in page.rows]
    assert world["threads"]["done"].id not in order
    assert order == _ids(world, "pii", "negative", "awaiting", "repeat", "flagged", "plain")
    rows = {row.thread.id: row for row in page.rows}
    start = world["start"]

    def care(name: str) -> CareThread:
        return rows[world["threads"][name].id].care

    assert care("pii").urgent_at == start + timedelta(hours=2)
    assert care("negative").urgent_at == start + timedelta(hours=17)
    assert care("awaiting").urgent_at == start + timedelta(hours=18)
    assert care("repeat").urgent_at == start + timedelta(hours=18, minutes=30)
    assert care("flagged").urgent_at == start + timedelta(hours=19)
    assert care("plain").urgent_at == start + timedelta(hours=24)
    # The order holds whatever the time: nothing is recomputed as the clock moves.
    clock.advance(hours=30)
    later = queue.load_queue(
        session, Guardian(world["moderator"]), filters=queue.Filters(), now=clock.now()
    )
    assert [row.thread.id for row in later.rows] == order
    assert later.rows[0].priority == queue.Priority.urgent


def test_other_open_threads_of_the_same_week_count_as_repeat_contact(session, clock, world) -> None:
    customer = make_user(session, clock)
    first = make_thread(session, clock, author=customer, category=world["category"])
    clock.advance(days=3)
    second = make_thread(
        session, clock, author=customer, category=world["category"], title="Second thread again"
    )
    clock.advance(days=5)  # 8 days after the first: too far from it
    third = make_thread(
        session, clock, author=customer, category=world["category"], title="Third thread again"
    )
    run_care(session, clock)
    assert session.get(CareThread, first.id).repeat_contact == 1
    assert session.get(CareThread, second.id).repeat_contact == 2
    assert session.get(CareThread, third.id).repeat_contact == 1
    assert session.get(CareThread, world["threads"]["plain"].id).repeat_contact == 0


def test_reasons_are_chips_with_their_numbers(session, clock, world, client) -> None:
    clock.advance(hours=23)  # start + 26 h: the first threads are breached
    login(client, world["moderator"])
    page = client.get("/mod/queue")
    assert page.status_code == 200
    text = page.text
    assert "unanswered 26 h — breached" in text
    assert "negative" in text
    assert "personal data hidden" in text
    assert "flagged: abuse (2)" in text
    assert "needs the brand" in text
    assert 'hx-trigger="every 10s [!this.contains(document.activeElement)]"' in text
    assert '<span class="chip lang" lang="it">Italiano</span>' in text  # the name, not the code
    items = client.get("/api/v1/moderation/queue").json()["items"]
    by_id = {item["id"]: item for item in items}
    plain = by_id[world["threads"]["plain"].id]
    assert plain["state"] == "breached" and "unanswered" in plain["reasons"]
    assert "breached" in plain["reasons"] and plain["priority"] == "urgent"
    assert {"reason": "flagged", "label": "flagged: abuse (2)", "count": 2} in by_id[
        world["threads"]["flagged"].id
    ]["reason_details"]
    assert items[0]["id"] == world["threads"]["pii"].id
    assert items[0]["reasons"][0] == "pii"


def test_waiting_times_read_in_the_reader_s_language(session, clock, world, client) -> None:
    asker = make_user(session, clock, username="ask_fresh")
    fresh = make_thread(
        session, clock, author=asker, category=world["category"], title="A fresh question"
    )
    clock.advance(minutes=40, seconds=50)
    run_care(session, clock)
    login(client, world["moderator"])
    plain, awaiting = _ids(world, "plain", "awaiting")
    page = client.get("/mod/queue").text
    assert _chips(page, fresh.id) == ["unanswered 40 min"]  # not "0 h", nor a minute ahead
    assert "unanswered 3 h" in _chips(page, plain)  # 3 h 40 min: to the hour
    clock.set(world["start"] + timedelta(hours=74, minutes=20))
    english = client.get("/mod/queue").text
    assert "unanswered 3 d 2 h — breached" in _chips(english, plain)
    assert "awaiting the brand 3 d 2 h — breached" in _chips(english, awaiting)
    client.headers["Accept-Language"] = "it"
    italian = client.get("/mod/queue").text
    assert "senza risposta da 3 g 2 h — scaduta" in _chips(italian, plain)
    assert "in attesa del brand da 3 g 2 h — scaduta" in _chips(italian, awaiting)
    items = {i["id"]: i for i in client.get("/api/v1/moderation/queue").json()["items"]}
    labels = [detail["label"] for detail in items[plain]["reason_details"]]
    assert "senza risposta da 3 g 2 h — scaduta" in labels
    assert items[plain]["waited_hours"] == 74  # the number itself stays a number


def test_a_long_wait_reads_in_days_not_thousands_of_hours(session, clock, world, client) -> None:
    clock.set(world["start"] + timedelta(hours=2859, minutes=50))  # 119 d 3 h 50 min
    login(client, world["moderator"])
    plain, awaiting = _ids(world, "plain", "awaiting")
    english = client.get("/mod/queue").text
    assert _chips(english, plain) == ["unanswered 119 d — breached"]
    assert "awaiting the brand 119 d — breached" in _chips(english, awaiting)
    italian = client.get("/mod/queue", headers={"Accept-Language": "it"}).text
    assert _chips(italian, plain) == ["senza risposta da 119 g — scaduta"]
    assert "in attesa del brand da 119 g — scaduta" in _chips(italian, awaiting)
    assert " h — " not in english + italian
    api = client.get("/api/v1/moderation/queue", headers={"Accept-Language": "it"}).json()
    plain_item = next(item for item in api["items"] if item["id"] == plain)
    assert plain_item["reason_details"][0] == {
        "reason": "unanswered",
        "label": "senza risposta da 119 g — scaduta",
        "count": 2859,
    }


def _chips(page: str, thread_id: int | None) -> list[str]:
    row = page[page.index(f'id="queue-row-{thread_id}"') :]
    reasons = row[row.index('class="queue-reasons"') : row.index("</ul>")]
    return re.findall(r'<li class="chip reason[^"]*">([^<]*)</li>', reasons)


def test_at_risk_shows_from_three_quarters_of_the_target(session, clock, world, client) -> None:
    login(client, world["moderator"])
    plain_id = world["threads"]["plain"].id
    clock.set(world["start"] + timedelta(hours=18) - timedelta(seconds=1))
    items = {i["id"]: i for i in client.get("/api/v1/moderation/queue").json()["items"]}
    assert items[plain_id]["state"] == "on_track"
    clock.set(world["start"] + timedelta(hours=18))
    items = {i["id"]: i for i in client.get("/api/v1/moderation/queue").json()["items"]}
    assert items[plain_id]["state"] == "at_risk" and "at_risk" in items[plain_id]["reasons"]
    at_risk = client.get("/api/v1/moderation/queue", params={"reason": "at_risk"}).json()["items"]
    assert plain_id in [i["id"] for i in at_risk]
    clock.set(world["start"] + timedelta(hours=24))
    breached = client.get("/api/v1/moderation/queue", params={"reason": "breached"}).json()["items"]
    assert plain_id in [i["id"] for i in breached]


def test_filters_by_category_reason_language_and_assignee(session, clock, world, client) -> None:
    login(client, world["moderator"])
    claims.claim(session, Guardian(world["moderator"]), world["threads"]["plain"], clock=clock)

    def ids(**params: str) -> set[int]:
        response = client.get("/api/v1/moderation/queue", params=params)
        assert response.status_code == 200, response.text
        return {item["id"] for item in response.json()["items"]}

    t = world["threads"]
    assert ids(category="mobile") == {t["pii"].id, t["flagged"].id}
    assert ids(reason="negative") == {t["negative"].id}
    assert ids(reason="flagged") == {t["flagged"].id}
    assert ids(reason="pii") == {t["pii"].id}
    assert ids(reason="awaiting_brand") == {t["awaiting"].id}
    assert ids(language="it") == {t["awaiting"].id}
    assert ids(assignee="mine") == {t["plain"].id}
    assert ids(assignee="mara") == {t["plain"].id}
    assert ids(assignee="Mara") == {t["plain"].id}  # usernames are lower case
    assert t["plain"].id not in ids(assignee="unclaimed")
    assert client.get("/api/v1/moderation/queue", params={"reason": "bogus"}).status_code == 422
    member = client.get("/api/v1/moderation/queue", params={"assignee": "member"})
    assert member.status_code == 422 and "no moderator member" in member.text
    # needs the brand, as the chip says: not once the brand has answered
    signal(session, clock, world["posts"]["flagged"], needs_brand=True)
    run_care(session, clock)
    assert ids(reason="needs_brand") == {t["awaiting"].id}
    # The page keeps the filters in its polling URL; htmx gets the rows alone.
    rows = client.get(
        "/mod/queue",
        params={"reason": "negative", "assignee": "unclaimed"},
        headers={"HX-Request": "true"},
    )
    assert rows.status_code == 200
    assert rows.text.lstrip().startswith('<section id="queue-rows"')
    assert 'hx-get="/mod/queue?reason=negative&amp;assignee=unclaimed"' in rows.text
    assert "Angry unanswered thread" in rows.text and "Plain question here" not in rows.text


def test_an_empty_filtered_queue_says_so_and_leads_back_to_the_whole_queue(
    session, clock, world, client
) -> None:
    login(client, world["moderator"])
    empty = client.get("/mod/queue", params={"language": "it", "reason": "pii"}).text
    assert 'class="queue-row ' not in empty
    assert "No thread in the queue matches these filters." in empty
    assert '<a href="/mod/queue">Show the whole queue</a>' in empty
    italian = client.get(
        "/mod/queue", params={"language": "it", "reason": "pii"}, headers={"Accept-Language": "it"}
    ).text
    assert "Nessuna discussione in coda corrisponde a questi filtri." in italian


def test_a_filter_on_a_category_or_moderator_gone_since_shows_the_queue_page_saying_so(
    session, clock, world, client
) -> None:
    """A bookmark or an open tab keeps the filters after an admin deleted the category or took
    the moderator role away: the queue page comes back with the reason next to the filter and
    the way to the whole queue, not an error page."""
    login(client, world["moderator"])
    gone = client.get("/mod/queue", params={"category": "chiacchiere", "reason": "negative"})
    assert gone.status_code == 422
    assert "Listening queue" in gone.text and 'id="queue-filters"' in gone.text
    assert re.search(
        r'<select name="category" aria-invalid="true"[^>]*>.*?</select>.*?'
        r'<small class="field-error" id="queue-category-error" role="alert">'
        r"There is no category chiacchiere.</small>",
        gone.text,
        re.S,
    )
    assert 'class="queue-row ' not in gone.text
    assert '<a href="/mod/queue">Show the whole queue</a>' in gone.text

    demoted = client.get(
        "/mod/queue", params={"assignee": "member"}, headers={"Accept-Language": "it"}
    )
    assert demoted.status_code == 422
    assert 'id="queue-assignee-error" role="alert">Non esiste il moderatore member.' in (
        demoted.text
    )


def test_the_queue_page_carries_its_empty_message_for_when_the_last_row_goes(
    session, clock, world, client
) -> None:
    """A row that leaves the queue after an action is swapped for nothing; the message waits in
    the page (the stylesheet shows it once no row is left) so the list never just goes blank."""
    login(client, world["moderator"])
    page = client.get("/mod/queue", params={"reason": "flagged"}).text
    assert page.count('class="queue-row ') == 1
    assert "No thread in the queue matches these filters." in page
    css = client.get("/static/app.css").text
    assert ".queue-rows:has(.queue-row) .empty-queue { display: none; }" in css


def test_keyset_pages_walk_the_whole_queue_in_order(session, clock, world, client) -> None:
    login(client, world["moderator"])
    everything = [i["id"] for i in client.get("/api/v1/moderation/queue").json()["items"]]
    seen, cursor = [], None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        body = client.get("/api/v1/moderation/queue", params=params).json()
        seen += [item["id"] for item in body["items"]]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert seen == everything and len(seen) == 6
    assert client.get("/api/v1/moderation/queue", params={"cursor": "!!"}).status_code == 422


def test_forged_cursors_are_refused_like_any_other_broken_one(
    session, clock, world, client
) -> None:
    login(client, world["moderator"])
    for cursor in FORGED_CURSORS:
        for url in ("/api/v1/moderation/queue", "/mod/queue"):
            response = client.get(url, params={"cursor": cursor})
            assert response.status_code == 422, (url, cursor)
            assert "This page link is not valid any more." in response.text


def test_one_click_corrections_change_the_queue(session, clock, world, client) -> None:
    login(client, world["moderator"])
    negative = world["threads"]["negative"]
    token = csrf_token(client)
    response = client.post(
        f"/mod/threads/{negative.id}/correct",
        data={"csrf_token": token, "what": "not_negative", "next": "/mod/queue"},
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"] == "/mod/queue"
    correction = session.exec(select(SignalCorrection)).one()
    assert (correction.signal, correction.value) == ("sentiment", "neutral")
    item = {i["id"]: i for i in client.get("/api/v1/moderation/queue").json()["items"]}[negative.id]
    assert "negative" not in item["reasons"]  # still unanswered, so still there
    awaiting = world["threads"]["awaiting"]
    partial = client.post(
        f"/mod/threads/{awaiting.id}/correct",
        data={"what": "not_needs_brand", "next": "/mod/queue"},
        headers={"HX-Request": "true", "X-CSRF-Token": token},
    )
    # Answered by a member and no longer needing the brand: it leaves the queue (empty row).
    assert partial.status_code == 200 and partial.text == ""
    run_care(session, clock)
    assert session.get(CareThread, awaiting.id).in_queue is False


def test_a_no_js_action_from_a_filtered_queue_comes_back_to_the_same_filters(
    session, clock, world, client
) -> None:
    login(client, world["moderator"])
    negative = world["threads"]["negative"]
    filtered = "/mod/queue?category=fibre&reason=negative&assignee=unclaimed"
    next_path = _row_next(client.get(filtered).text, negative.id)
    token = csrf_token(client)
    claimed = client.post(
        f"/mod/threads/{negative.id}/claim",
        data={"csrf_token": token, "next": next_path},
        follow_redirects=False,
    )
    assert claimed.status_code == 303 and claimed.headers["location"] == filtered
    assert claims.owner(session, negative) == world["moderator"]
    # The row htmx swaps in after an action still leads back to the filtered queue.
    row = client.post(
        f"/mod/threads/{negative.id}/release",
        data={"next": next_path},
        headers={"HX-Request": "true", "X-CSRF-Token": token},
    )
    assert _row_next(row.text, negative.id) == filtered
    elsewhere = client.post(
        f"/mod/threads/{negative.id}/claim",
        data={"csrf_token": token, "next": "//evil.example/mod/queue"},
        follow_redirects=False,
    )
    assert elsewhere.headers["location"] == f"/t/{negative.id}"


def _row_next(page: str, thread_id: int) -> str:
    """Where a queue row's forms come back to without JavaScript."""
    row = re.search(rf'<li id="queue-row-{thread_id}".*?</form>', page, re.S)
    assert row is not None, page
    found = re.search(r'name="next" value="([^"]*)"', row.group(0))
    assert found is not None
    return html.unescape(found.group(1))


def test_members_get_403_on_every_moderation_page_and_api_route(
    session, clock, world, client
) -> None:
    member = world["member"]
    login(client, member)
    token = csrf_token(client)
    thread_id = world["threads"]["plain"].id
    flag_id = session.exec(select(Flag)).first().id
    for url in MOD_PAGES + API_GETS:
        assert client.get(url).status_code == 403, url
    for url in MOD_POSTS:
        response = client.post(
            url.format(t=thread_id),
            data={
                "csrf_token": token,
                "moderator": "1",
                "what": "not_negative",
                "status": "upheld",
            },
            follow_redirects=False,
        )
        assert response.status_code == 403, url
    for url, body in API_POSTS:
        response = client.post(
            url.format(t=thread_id, f=flag_id), json=body, headers={"X-CSRF-Token": token}
        )
        assert response.status_code == 403, url
    anonymous = TestClient(client.app, base_url="https://testserver")
    for url in MOD_PAGES:
        response = anonymous.get(url, follow_redirects=False)
        assert response.headers["location"] == f"/login?next={url}", url
    for url in API_GETS:
        assert anonymous.get(url, follow_redirects=False).status_code == 401, url


def test_the_queue_api_never_answers_5xx_to_a_moderator(session, clock, world, app) -> None:
    """Schemathesis over the queue, claim and flag operations of the spec, as a moderator."""
    import schemathesis
    from hypothesis import HealthCheck, given, settings

    from community.models import ApiToken
    from community.security import new_api_token

    token, digest = new_api_token()
    session.add(
        ApiToken(
            user_id=world["moderator"].id,
            name="fuzz",
            token_hash=digest,
            prefix=token[:10],
            created_at=clock.now(),
        )
    )
    session.commit()
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    failures: list[str] = []
    checked = 0
    for result in schema.get_all_operations():
        operation = result.ok()  # type: ignore[union-attr]
        if not MINE.match(operation.path):
            continue  # other helpers' operations have their own tests
        checked += 1

        @given(case=operation.as_strategy())
        @settings(
            max_examples=30, deadline=None, database=None, suppress_health_check=list(HealthCheck)
        )
        def check(case: Any) -> None:
            response = case.call(headers={"Authorization": f"Bearer {token}"})
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path}: {response.text[:300]}")

        check()
    assert checked == 6
    assert not failures, "\n".join(failures[:10])


def test_a_new_moderator_is_in_the_assign_menu_at_once(session, clock, world, client) -> None:
    login(client, world["moderator"])
    assert 'value="nina"' not in client.get("/mod/queue").text
    make_user(session, clock, username="nina", role=Role.moderator)
    assert 'value="nina"' in client.get("/mod/queue").text
    assert [m.username for m in queue.moderators(session, now=clock.now())] == ["mara", "nina"]


def test_a_suspended_moderator_cannot_be_given_threads(session, clock, world, client) -> None:
    nina = make_user(session, clock, username="nina", role=Role.moderator)
    nina.suspended_until = clock.now() + timedelta(days=7)
    nina.suspension_reason = "Holiday cover gone wrong"
    session.add(nina)
    session.commit()
    login(client, world["moderator"])
    assert 'value="nina"' not in client.get("/mod/queue").text
    thread = world["threads"]["negative"]
    with pytest.raises(Invalid, match="suspended"):
        claims.assign(
            session, Guardian(world["moderator"], now=clock.now()), thread, to=nina, clock=clock
        )
    assert claims.owner(session, thread) is None
    clock.advance(days=8)  # the suspension ran out
    assert "nina" in [m.username for m in queue.moderators(session, now=clock.now())]
    claims.assign(
        session, Guardian(world["moderator"], now=clock.now()), thread, to=nina, clock=clock
    )
    assert claims.owner(session, thread) == nina


@pytest.mark.sqlite_only
def test_the_moderator_list_uses_the_role_index(db) -> None:
    # The planner's statistics of a community of 33,000 members and three staff (as ANALYZE
    # wrote them for the 100,000-thread benchmark): ordered by username, the list walked the
    # username index over every member.
    with db.connect() as connection:
        try:
            connection.exec_driver_sql("ANALYZE")
            connection.exec_driver_sql("DELETE FROM sqlite_stat1 WHERE tbl = 'user'")
            connection.exec_driver_sql(
                "INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES"
                " ('user', 'ix_user_role', '33345 11115'),"
                " ('user', 'sqlite_autoindex_user_1', '33345 1'),"
                " ('user', 'sqlite_autoindex_user_2', '33345 1')"
            )
            connection.exec_driver_sql("ANALYZE sqlite_schema")  # reload the statistics
            plan = sqlite_plan(
                Session(connection), queue.moderators_query(datetime(2026, 1, 15, tzinfo=UTC))
            )
        finally:
            connection.rollback()
            connection.invalidate()  # its planner keeps those statistics: never reuse it
    assert "ix_user_role" in plan and "SCAN" not in plan


def test_queue_rows_show_the_customers_rank_next_to_their_name(session, clock, world, client):
    login(client, world["moderator"])
    asker = session.exec(select(User).where(User.username == "ask_negative")).one()
    asker.reputation = 250
    session.add(asker)
    session.commit()
    page = client.get("/mod/queue").text
    row = page[page.index(f'id="queue-row-{world["threads"]["negative"].id}"') :]
    row = row[: row.index("</li>")]
    assert 'class="chip rank rank-trusted"' in row and "Trusted" in row


def _row_of(page: str, thread_id: int) -> str:
    """The markup of one thread's row on a queue page."""
    row = page[page.index(f'id="queue-row-{thread_id}"') :]
    return row[: row.index("</form>")]


def test_a_breached_thread_shows_one_chip_and_stays_filed_under_breached(
    session, clock, world, client
) -> None:
    clock.advance(hours=23)  # start + 26 h: the plain thread is breached
    login(client, world["moderator"])
    plain_id = world["threads"]["plain"].id
    row = _row_of(client.get("/mod/queue").text, plain_id)
    chips = re.findall(r'<li class="chip reason[^"]*"[^>]*>([^<]*)</li>', row)
    assert chips == ["unanswered 26 h — breached"]
    assert 'class="chip reason reason-unanswered reason-breached tone-danger"' in row
    item = {i["id"]: i for i in client.get("/api/v1/moderation/queue").json()["items"]}[plain_id]
    assert item["reasons"] == ["unanswered", "breached"]
    assert [d["label"] for d in item["reason_details"]] == ["unanswered 26 h — breached"]
    breached = client.get("/api/v1/moderation/queue", params={"reason": "breached"}).json()
    assert plain_id in [i["id"] for i in breached["items"]]
    filtered = client.get("/mod/queue", params={"reason": "breached"}).text
    assert f'id="queue-row-{plain_id}"' in filtered


def test_the_flag_details_of_a_page_cost_one_query_however_many_rows_are_flagged(
    db, session, clock, world
) -> None:
    guardian = Guardian(world["moderator"])

    def statements(flagged: int) -> list[str]:
        seen: list[str] = []

        def capture(_conn, _cursor, statement, *_rest) -> None:
            seen.append(statement)

        session.expire_all()
        event.listen(db, "before_cursor_execute", capture)
        try:
            page = queue.load_queue(session, guardian, filters=queue.Filters(), now=clock.now())
        finally:
            event.remove(db, "before_cursor_execute", capture)
        assert sum(len(row.flags) for row in page.rows) == flagged
        return seen

    before = statements(2)
    for n in range(5):
        thread = make_thread(
            session,
            clock,
            author=make_user(session, clock, username=f"asker{n}"),
            category=world["category"],
            title=f"Another flagged thread {n}",
        )
        reply = make_reply(session, clock, author=world["helper"], thread=thread)
        flagger = Guardian(make_user(session, clock, username=f"flagger{n}"))
        flags.raise_flag(
            session,
            flagger,
            _question(session, thread),
            kind=FlagKind.off_topic,
            comment="Not about fibre at all",
            clock=clock,
        )
        flags.raise_flag(session, flagger, reply, kind=FlagKind.spam, clock=clock)
    run_care(session, clock)
    after = statements(2 + 10)
    assert len(after) == len(before)
    assert sum(bool(re.search(r"\bFROM flag\b", statement)) for statement in after) == 1


def test_a_locked_thread_leaves_the_queue_unless_a_moderator_must_still_act_on_it(
    session, clock, world, client
) -> None:
    t = world["threads"]
    moderator = Guardian(world["moderator"])
    # Answered by a member, so in the queue for its abusive language alone.
    t["abusive"] = make_thread(
        session,
        clock,
        author=make_user(session, clock, username="ask_abusive"),
        category=world["category"],
        title="Abusive thread here",
    )
    make_reply(session, clock, author=world["helper"], thread=t["abusive"])
    signal(session, clock, _question(session, t["abusive"]), toxic=True)
    # A newcomer's reply held for approval: only the queue's Approve publishes it.
    held = make_reply(session, clock, author=world["member"], thread=t["pii"])
    visibility.hide_post(
        session, held, reason=HiddenReason.awaiting_approval, by_id=None, now=clock.now()
    )
    session.commit()
    run_care(session, clock)
    assert session.get(CareThread, t["abusive"].id).in_queue is True
    for name in ("plain", "negative", "awaiting", "pii", "flagged", "abusive"):
        tools.lock_thread(session, moderator, t[name], clock=clock)
    run_care(session, clock)
    clock.advance(hours=23)  # start + 26 h: everything that still waited would be breached

    def items(**params: str) -> dict[int, dict[str, Any]]:
        response = client.get("/api/v1/moderation/queue", params=params)
        assert response.status_code == 200, response.text
        return {item["id"]: item for item in response.json()["items"]}

    login(client, world["moderator"])
    # Dealt with by the brand: no longer unanswered, negative, awaiting the brand or abusive.
    assert set(items()) == {t["pii"].id, t["flagged"].id, t["repeat"].id}
    for name in ("plain", "negative", "awaiting", "abusive"):
        assert session.get(CareThread, t[name].id).in_queue is False
    # Still there for its hidden personal data, its held reply and its flags, nothing else.
    assert items()[t["pii"].id]["reasons"] == ["pii", "awaiting_approval"]
    assert items()[t["flagged"].id]["reasons"] == ["flagged"]
    for reason in ("unanswered", "breached", "negative", "awaiting_brand", "needs_brand", "toxic"):
        assert set(items(reason=reason)) <= {t["repeat"].id}, reason
    assert set(items(reason="pii")) == {t["pii"].id}
    row = _row_of(client.get("/mod/queue").text, t["pii"].id)
    assert '<span class="chip locked">Locked</span>' in row and "unanswered" not in row
    assert f'formaction="/mod/threads/{t["pii"].id}/approve"' in client.get("/mod/queue").text

    # Unlocked, it waits for an answer again.
    tools.unlock_thread(session, moderator, t["plain"], clock=clock)
    run_care(session, clock)
    plain = items(reason="breached")[t["plain"].id]
    assert plain["reasons"] == ["unanswered", "breached"]
    assert session.get(CareThread, t["plain"].id).urgent_at == world["start"] + timedelta(hours=24)


def test_a_thread_the_community_solved_waits_for_no_answer_from_the_brand(
    session, clock, world, client
) -> None:
    t = world["threads"]
    awaiting = t["awaiting"]  # needs the brand; a member answered
    asker = session.get(User, awaiting.author_id)
    answer = session.exec(
        select(Post).where(Post.thread_id == awaiting.id, Post.post_number == 2)
    ).one()
    solutions.accept_solution(session, Guardian(asker), awaiting, answer, clock=clock)
    # Still in the queue for a member's flag, which a moderator must resolve whatever the state.
    flags.raise_flag(session, Guardian(world["member"]), answer, kind=FlagKind.spam, clock=clock)
    run_care(session, clock)
    clock.advance(hours=23)  # past the 24-hour target, which the brand never met

    login(client, world["moderator"])
    items = client.get("/api/v1/moderation/queue").json()["items"]
    assert [item["reasons"] for item in items if item["id"] == awaiting.id] == [["flagged"]]
    for reason in ("awaiting_brand", "needs_brand", "breached", "unanswered"):
        listed = client.get("/api/v1/moderation/queue", params={"reason": reason}).json()
        assert awaiting.id not in [item["id"] for item in listed["items"]], reason
    row = _row_of(client.get("/mod/queue").text, awaiting.id)
    assert '<span class="chip solved">Solved</span>' in row
    assert "awaiting the brand" not in row and 'value="not_needs_brand"' not in row
