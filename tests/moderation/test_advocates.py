"""The advocate programme: moderators nominate and revoke advocates (audited, with events for the
badge), see each advocate's contribution over a date range, and advocates get a "needs a peer
answer" view of unanswered public threads in their categories."""

import base64
import re
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from community import solutions
from community.clock import FrozenClock
from community.errors import Conflict, Forbidden, Invalid, NotFound
from community.events import OutboxEvent
from community.models import AdvocateCategory, HiddenReason, Post, Role, Thread, User
from community.policy import Guardian
from community.security import rate_limiter
from moderation import advocates, tools
from moderation.audit import loads
from moderation.models import AuditEntry, SupportCase
from tests.factories import make_category, make_reply, make_thread, make_user, set_thread
from tests.helpers import csrf_token, login, sqlite_plan


@pytest.fixture
def scene(session: Session, clock: FrozenClock) -> dict[str, Any]:
    return {
        "moderator": make_user(session, clock, username="mara", role=Role.moderator),
        "member": make_user(session, clock, username="ada"),
        "asker": make_user(session, clock, username="asker"),
        "phones": make_category(session, slug="phones"),
        "fibre": make_category(session, slug="fibre"),
        "billing": make_category(session, slug="billing"),
    }


def _client(client: TestClient, user: User) -> TestClient:
    other = TestClient(client.app, base_url="https://testserver", headers={"Accept-Language": "en"})
    login(other, user)
    return other


def _id(user: User) -> int:
    assert user.id is not None
    return user.id


def _events(session: Session, name: str) -> list[dict[str, Any]]:
    rows = session.exec(select(OutboxEvent).where(OutboxEvent.name == name)).all()
    return [row.data for row in rows]


def _nominate(session: Session, clock: FrozenClock, scene: dict[str, Any], *slugs: str) -> User:
    member = scene["member"]
    ids = [scene[s].id for s in slugs or ("phones",)]
    return advocates.nominate(
        session, Guardian(scene["moderator"]), member, category_ids=ids, clock=clock
    )


# Nominating and revoking ------------------------------------------------------------------------


def test_a_moderator_nominates_and_revokes_an_advocate_through_the_page(
    session, clock, scene, client
) -> None:
    moderator, member = scene["moderator"], scene["member"]
    mod = _client(client, moderator)
    response = mod.post(
        "/mod/advocates",
        data={
            "csrf_token": csrf_token(mod),
            "username": " @Ada",  # as typed: any case, with the @
            "categories": [str(scene["phones"].id), str(scene["fibre"].id)],
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    session.expire_all()
    fresh = session.get(User, member.id)
    assert fresh.advocate_since == clock.now()
    assert set(advocates.categories_of(session, _id(member))) == {
        scene["phones"].id,
        scene["fibre"].id,
    }
    assert _events(session, "advocate_nominated") == [{"user_id": member.id, "by_id": moderator.id}]
    entry = session.exec(select(AuditEntry).where(AuditEntry.action == "nominate_advocate")).one()
    assert (entry.actor_id, entry.target_type, entry.target_id) == (moderator.id, "user", member.id)
    assert loads(entry.before)["advocate"] is False
    assert loads(entry.after)["advocate"] is True
    assert sorted(loads(entry.after)["categories"]) == sorted(
        [scene["phones"].id, scene["fibre"].id]
    )
    page = mod.get("/mod/advocates").text
    assert 'id="advocate-ada"' in page

    # The advocate now has the nav link and the view.
    ada = _client(client, member)
    home = ada.get("/").text
    assert 'href="/advocate"' in home
    assert ada.get("/advocate").status_code == 200

    clock.advance(hours=1)
    response = mod.post(
        "/mod/advocates/ada/revoke",
        data={"csrf_token": csrf_token(mod)},
        follow_redirects=False,
    )
    assert response.status_code == 303
    session.expire_all()
    fresh = session.get(User, member.id)
    assert fresh.advocate_since is None
    assert advocates.categories_of(session, _id(member)) == []
    assert _events(session, "advocate_revoked") == [{"user_id": member.id, "by_id": moderator.id}]
    revoked = session.exec(select(AuditEntry).where(AuditEntry.action == "revoke_advocate")).one()
    assert loads(revoked.before)["advocate"] is True
    assert loads(revoked.after) == {"advocate": False, "advocate_since": None, "categories": []}
    assert ada.get("/advocate").status_code == 403
    assert 'href="/advocate"' not in ada.get("/").text


def test_nominating_is_reversible_and_safe_to_repeat(session, clock, scene) -> None:
    guardian = Guardian(scene["moderator"])
    member = _nominate(session, clock, scene)
    with pytest.raises(Conflict):
        _nominate(session, clock, scene)
    advocates.revoke(session, guardian, member, clock=clock)
    with pytest.raises(Conflict):
        advocates.revoke(session, guardian, member, clock=clock)
    clock.advance(days=1)
    again = _nominate(session, clock, scene, "fibre")
    assert again.advocate_since == clock.now()
    assert advocates.categories_of(session, _id(member)) == [scene["fibre"].id]
    assert len(_events(session, "advocate_nominated")) == 2
    assert len(_events(session, "advocate_revoked")) == 1
    actions = session.exec(select(AuditEntry.action).order_by(col(AuditEntry.id))).all()
    assert actions == ["nominate_advocate", "revoke_advocate", "nominate_advocate"]


def test_a_stale_copy_cannot_nominate_twice(session, clock, scene) -> None:
    """Two moderators load the member at once: the second nomination is a conflict."""
    with Session(session.get_bind()) as other:
        stale = other.get(User, scene["member"].id)
        assert stale is not None and stale.advocate_since is None
        _nominate(session, clock, scene)
        with pytest.raises(Conflict):
            advocates.nominate(
                other,
                Guardian(other.get(User, scene["moderator"].id)),
                stale,
                category_ids=[scene["phones"].id],
                clock=clock,
            )
        other.rollback()
    session.expire_all()
    assert len(_events(session, "advocate_nominated")) == 1


def test_nominations_are_refused_with_a_clear_reason(session, clock, scene, client) -> None:
    mod = _client(client, scene["moderator"])
    make_user(session, clock, username="otto", role=Role.moderator)

    def post(username: str, categories: list[str]) -> Any:
        return mod.post(
            "/mod/advocates",
            data={"csrf_token": csrf_token(mod), "username": username, "categories": categories},
        )

    phones = str(scene["phones"].id)
    moderator = post("otto", [phones])
    assert moderator.status_code == 422
    assert "moderators cannot be advocates" in moderator.text
    unknown = post("nobody", [phones])
    assert unknown.status_code == 404
    assert "There is no member nobody" in unknown.text
    assert 'value="nobody"' in unknown.text  # what was typed is kept
    for blank in ("", "  ", "@"):
        nameless = post(blank, [phones])
        assert nameless.status_code == 422, blank
        assert "Write the member&#39;s username." in nameless.text
        assert "There is no member" not in nameless.text
    none = post("ada", [])
    assert none.status_code == 422
    assert "Choose at least one category" in none.text
    bogus = post("ada", ["999999"])
    assert bogus.status_code == 422
    for odd in ("²", "99999999999"):
        refused = post("ada", [phones, odd])
        assert refused.status_code == 422, odd
        assert "Choose the categories from the list." in refused.text
    assert post("ada", [phones]).status_code == 200  # followed the 303 to the page
    twice = post("ada", [phones])
    assert twice.status_code == 409
    assert "already an advocate" in twice.text
    assert len(_events(session, "advocate_nominated")) == 1


def test_changing_an_advocates_categories_is_audited(session, clock, scene, client) -> None:
    member = _nominate(session, clock, scene)
    mod = _client(client, scene["moderator"])
    response = mod.post(
        "/mod/advocates/ada/categories",
        data={"csrf_token": csrf_token(mod), "categories": [str(scene["billing"].id)]},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert advocates.categories_of(session, _id(member)) == [scene["billing"].id]
    entry = session.exec(select(AuditEntry).where(AuditEntry.action == "advocate_categories")).one()
    assert loads(entry.before)["categories"] == [scene["phones"].id]
    empty = mod.post("/mod/advocates/ada/categories", data={"csrf_token": csrf_token(mod)})
    assert empty.status_code == 422
    assert advocates.categories_of(session, _id(member)) == [scene["billing"].id]


def test_members_get_403_and_unknown_members_404(session, clock, scene, client) -> None:
    advocate = _nominate(session, clock, scene)
    other = _client(client, scene["asker"])  # a member, not an advocate
    token = csrf_token(other)
    assert other.get("/mod/advocates").status_code == 403
    assert (
        other.post(
            "/mod/advocates",
            data={"csrf_token": token, "username": "asker", "categories": [scene["phones"].id]},
        ).status_code
        == 403
    )
    assert other.post("/mod/advocates/ada/revoke", data={"csrf_token": token}).status_code == 403
    assert (
        other.post(
            "/mod/advocates/ada/categories",
            data={"csrf_token": token, "categories": [scene["phones"].id]},
        ).status_code
        == 403
    )
    assert other.get("/advocate").status_code == 403
    headers = {"X-CSRF-Token": token}
    assert other.get("/api/v1/moderation/advocates").status_code == 403
    body = {"username": "asker", "category_ids": [scene["phones"].id]}
    assert other.post("/api/v1/moderation/advocates", json=body, headers=headers).status_code == 403
    assert (
        other.put(
            "/api/v1/moderation/advocates/ada", json={"category_ids": [1]}, headers=headers
        ).status_code
        == 403
    )
    assert other.delete("/api/v1/moderation/advocates/ada", headers=headers).status_code == 403
    assert other.get("/api/v1/advocate/threads").status_code == 403
    # Even an advocate cannot manage advocates.
    ada = _client(client, advocate)
    assert ada.get("/mod/advocates").status_code == 403
    assert ada.get("/api/v1/moderation/advocates").status_code == 403
    session.expire_all()
    assert session.get(User, advocate.id).advocate_since is not None

    mod = _client(client, scene["moderator"])
    mod_headers = {"X-CSRF-Token": csrf_token(mod)}
    assert (
        mod.post(
            "/mod/advocates/nobody/revoke",
            data=mod_headers | {"csrf_token": mod_headers["X-CSRF-Token"]},
        ).status_code
        == 404
    )
    assert mod.delete("/api/v1/moderation/advocates/nobody", headers=mod_headers).status_code == 404
    missing = mod.post(
        "/api/v1/moderation/advocates",
        json={"username": "nobody", "category_ids": [scene["phones"].id]},
        headers=mod_headers,
    )
    assert missing.status_code == 404
    assert "detail" in missing.json()
    # The moderators' own view is only for advocates too.
    assert mod.get("/advocate").status_code == 403


def test_the_api_nominates_lists_and_revokes(session, clock, scene, client) -> None:
    mod = _client(client, scene["moderator"])
    headers = {"X-CSRF-Token": csrf_token(mod)}
    created = mod.post(
        "/api/v1/moderation/advocates",
        json={"username": "ada", "category_ids": [scene["fibre"].id, scene["phones"].id]},
        headers=headers,
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["advocate"] is True and body["username"] == "ada"
    assert {c["slug"] for c in body["categories"]} == {"fibre", "phones"}
    again = mod.post(
        "/api/v1/moderation/advocates",
        json={"username": "ada", "category_ids": [scene["fibre"].id]},
        headers=headers,
    )
    assert again.status_code == 409
    otto = make_user(session, clock, username="otto", role=Role.moderator)
    refused = mod.post(
        "/api/v1/moderation/advocates",
        json={"username": otto.username, "category_ids": [scene["fibre"].id]},
        headers=headers,
    )
    assert refused.status_code == 422
    invalid = mod.post(
        "/api/v1/moderation/advocates",
        json={"username": "ada", "category_ids": []},
        headers=headers,
    )
    assert invalid.status_code == 422

    listed = mod.get("/api/v1/moderation/advocates").json()
    assert [item["username"] for item in listed["items"]] == ["ada"]
    assert listed["items"][0]["answers"] == 0
    assert listed["items"][0]["median_first_answer_hours"] is None
    assert listed["next_cursor"] is None

    changed = mod.put(
        "/api/v1/moderation/advocates/ada",
        json={"category_ids": [scene["billing"].id]},
        headers=headers,
    )
    assert [c["slug"] for c in changed.json()["categories"]] == ["billing"]

    gone = mod.delete("/api/v1/moderation/advocates/ada", headers=headers)
    assert gone.status_code == 200
    assert gone.json()["advocate"] is False and gone.json()["categories"] == []
    assert mod.delete("/api/v1/moderation/advocates/ada", headers=headers).status_code == 409
    assert mod.get("/api/v1/moderation/advocates").json()["items"] == []


def test_guardian_knows_advocates(session, clock, scene) -> None:
    member = scene["member"]
    assert not Guardian(member).is_advocate()
    assert not Guardian(member).can_nominate_advocates()
    assert Guardian(scene["moderator"]).can_nominate_advocates()
    _nominate(session, clock, scene)
    assert Guardian(member).is_advocate()
    member.suspended_until = clock.now() + timedelta(days=1)
    assert not Guardian(member, now=clock.now()).is_advocate()
    with pytest.raises(Forbidden):
        advocates.nominate(session, Guardian(member), scene["asker"], category_ids=[1], clock=clock)
    with pytest.raises(NotFound):
        advocates.get_member(session, Guardian(scene["moderator"]), "nobody")
    with pytest.raises(Forbidden):  # 403 before 404: members learn nothing about names
        advocates.get_member(session, Guardian(scene["asker"]), "nobody")


# Contribution -----------------------------------------------------------------------------------


def test_contribution_counts_answers_solutions_and_median_time_to_first_answer(
    session, clock, scene, client
) -> None:
    advocate = _nominate(session, clock, scene)
    asker, helper = scene["asker"], make_user(session, clock, username="helper")
    phones = scene["phones"]

    # 1: the advocate answers first after 2 h; the asker accepts it.
    first = make_thread(session, clock, author=asker, category=phones, title="Screen flickers")
    make_reply(session, clock, author=asker, thread=first, body="Also: it is new.")  # not an answer
    clock.advance(hours=2)
    accepted = make_reply(session, clock, author=advocate, thread=first)
    solutions.accept_solution(session, Guardian(asker), first, accepted, clock=clock)
    # 2: someone else was first; the advocate's answer counts, not as a first answer.
    second = make_thread(session, clock, author=asker, category=phones, title="Battery drains")
    clock.advance(hours=1)
    make_reply(session, clock, author=helper, thread=second)
    clock.advance(hours=2)
    make_reply(session, clock, author=advocate, thread=second)
    # 3: first after 6 h.
    third = make_thread(session, clock, author=asker, category=phones, title="No signal at home")
    clock.advance(hours=6)
    make_reply(session, clock, author=advocate, thread=third)
    # Their own thread: a reply there is not an answer.
    own = make_thread(session, clock, author=advocate, category=phones, title="My own question")
    make_reply(session, clock, author=advocate, thread=own, body="Bump.")

    guardian = Guardian(scene["moderator"])
    window = advocates.parse_range("", "", now=clock.now())
    (row,) = advocates.contributions(session, guardian, window=window)
    assert (row.answers, row.solutions, row.first_answers) == (3, 1, 2)
    assert row.median_first_answer == timedelta(hours=4)  # median of 2 h and 6 h
    assert row.median_hours == 4.0

    mod = _client(client, scene["moderator"])
    page = mod.get("/mod/advocates").text
    assert "<td>4 h <span" in page  # as every duration is written (i18n.format_duration)
    italian = mod.get("/mod/advocates", headers={"Accept-Language": "it"}).text
    assert "<td>4 h <span" in italian and "(2 discussioni)" in italian
    api = mod.get("/api/v1/moderation/advocates").json()["items"][0]
    assert (api["answers"], api["solutions"], api["first_answers"]) == (3, 1, 2)
    assert api["median_first_answer_hours"] == 4.0

    # Unmarking the solution takes it out of the count.
    solutions.unmark_solution(session, Guardian(asker), first, clock=clock)
    (row,) = advocates.contributions(session, guardian, window=window)
    assert row.solutions == 0

    # A reply a moderator hid answered nobody: the third thread's answer is gone, and with it
    # its 6 h first answer.
    third_answer = session.get(Post, session.get(Thread, third.id).last_post_id)
    tools.hide_post(session, Guardian(scene["moderator"]), third_answer, clock=clock)
    (row,) = advocates.contributions(session, guardian, window=window)
    assert (row.answers, row.first_answers, row.median_hours) == (2, 1, 2.0)
    tools.unhide_post(session, Guardian(scene["moderator"]), third_answer, clock=clock)

    # Forty days later the default range (30 days) no longer counts them; a chosen one does.
    clock.advance(days=40)
    (later,) = advocates.contributions(
        session, guardian, window=advocates.parse_range("", "", now=clock.now())
    )
    assert (later.answers, later.first_answers, later.median_first_answer) == (0, 0, None)
    start = (clock.now() - timedelta(days=45)).date().isoformat()
    chosen = mod.get(f"/api/v1/moderation/advocates?start={start}").json()
    assert chosen["items"][0]["answers"] == 3
    assert chosen["start"] == start


def test_date_ranges_are_checked(session, clock, scene, client) -> None:
    now = clock.now()
    window = advocates.parse_range("", "", now=now)
    assert window.end - window.start == timedelta(days=advocates.DEFAULT_DAYS)
    with pytest.raises(Invalid):
        advocates.parse_range("2026-02-01", "2026-01-01", now=now)
    with pytest.raises(Invalid):
        advocates.parse_range("2020-01-01", "2026-01-01", now=now)
    with pytest.raises(Invalid):
        advocates.parse_range("yesterday", "", now=now)
    for start, end in (("", "9999-12-31"), ("", "0001-01-05"), ("0001-01-01", "0001-01-02")):
        with pytest.raises(Invalid):
            advocates.parse_range(start, end, now=now)
    mod = _client(client, scene["moderator"])
    assert mod.get("/mod/advocates?start=nonsense").status_code == 422
    assert (
        mod.get("/api/v1/moderation/advocates?start=2026-02-01&end=2026-01-01").status_code == 422
    )


# Needs a peer answer ----------------------------------------------------------------------------


def test_the_view_lists_unanswered_public_threads_of_their_categories_oldest_first(
    session, clock, scene, client
) -> None:
    advocate = _nominate(session, clock, scene, "phones", "fibre")
    asker, moderator = scene["asker"], scene["moderator"]
    phones, fibre, billing = scene["phones"], scene["fibre"], scene["billing"]

    def ask(title: str, category=phones, author=asker) -> Thread:
        clock.advance(minutes=10)
        rate_limiter.reset()  # many questions in a row from one asker
        return make_thread(session, clock, author=author, category=category, title=title)

    oldest = ask("Oldest phones question")
    in_fibre = ask("A fibre question here", category=fibre)
    answered = ask("Answered phones question")
    make_reply(session, clock, author=moderator, thread=answered)
    only_asker = ask("Only the asker replied")
    make_reply(session, clock, author=asker, thread=only_asker, body="Anyone?")
    ask("A billing question here", category=billing)
    hidden = ask("Hidden by a moderator")
    set_thread(session, hidden, hidden_at=clock.now(), hidden_reason=HiddenReason.moderator)
    pii = ask("Hidden for personal data")
    set_thread(session, pii, hidden_at=clock.now(), hidden_reason=HiddenReason.personal_data)
    waiting = ask("Awaiting approval thread")
    set_thread(
        session, waiting, hidden_at=clock.now(), hidden_reason=HiddenReason.awaiting_approval
    )
    deleted = ask("Deleted phones question")
    set_thread(session, deleted, deleted_at=clock.now())
    merged = ask("Merged phones question")
    set_thread(session, merged, merged_into_id=oldest.id)
    duplicate = ask("Duplicate phones question")
    set_thread(session, duplicate, duplicate_of_id=oldest.id)
    locked = ask("Locked phones question")
    set_thread(session, locked, is_locked=True)
    ask("The advocate's own question", author=advocate)
    private = ask("Taken private as a case")
    session.add(
        SupportCase(
            customer_id=asker.id,
            thread_id=private.id,
            subject="Private",
            created_by_id=moderator.id,
            created_at=clock.now(),
            updated_at=clock.now(),
        )
    )
    session.commit()
    newest = ask("Newest phones question")
    clock.advance(hours=3)

    page = advocates.needs_answer(session, Guardian(advocate), now=clock.now())
    assert [item.thread.id for item in page.items] == [
        oldest.id,
        in_fibre.id,
        only_asker.id,
        newest.id,
    ]
    assert page.items[0].waited_hours == 5  # 16 questions * 10 min + 3 h
    assert page.next_cursor is None

    ada = _client(client, advocate)
    html = ada.get("/advocate").text
    assert "Oldest phones question" in html and "A fibre question here" in html
    for title in ("Hidden by a moderator", "Hidden for personal data", "Awaiting approval"):
        assert title not in html
    assert "Taken private" not in html and "billing question" not in html

    # Pages of two through the API, the cursor carrying on where the last one stopped.
    first = ada.get("/api/v1/advocate/threads?limit=2").json()
    assert [i["id"] for i in first["items"]] == [oldest.id, in_fibre.id]
    assert first["items"][0]["category"]["slug"] == "phones"
    second = ada.get(f"/api/v1/advocate/threads?limit=2&cursor={first['next_cursor']}").json()
    assert [i["id"] for i in second["items"]] == [only_asker.id, newest.id]
    assert second["next_cursor"] is None
    assert ada.get("/api/v1/advocate/threads?cursor=garbage").status_code == 422
    for raw in ("2024-01-01T00:00:00+00:00|99999999999999999999999", "0001-01-01T00:00:00+05:00|1"):
        forged = base64.urlsafe_b64encode(raw.encode()).decode()
        for url in ("/api/v1/advocate/threads", "/advocate"):
            refused = ada.get(url, params={"cursor": forged})
            assert refused.status_code == 422, (url, raw)
            assert "This page link is not valid any more." in refused.text

    # Answered: it leaves the view.
    make_reply(session, clock, author=advocate, thread=oldest)
    after = advocates.needs_answer(session, Guardian(advocate), now=clock.now())
    assert oldest.id not in [item.thread.id for item in after.items]


def test_the_view_says_how_long_each_question_has_waited_in_the_reader_s_language(
    session, clock, scene, client
) -> None:
    advocate = _nominate(session, clock, scene)
    asker, phones = scene["asker"], scene["phones"]
    old = make_thread(session, clock, author=asker, category=phones, title="Asked long ago here")
    clock.advance(days=119)
    rate_limiter.reset()
    recent = make_thread(session, clock, author=asker, category=phones, title="Asked this morning")
    clock.advance(hours=5, minutes=40)
    ada = _client(client, advocate)
    english = ada.get("/advocate").text
    assert (_waiting(english, old), _waiting(english, recent)) == ("waiting 119 d", "waiting 5 h")
    italian = ada.get("/advocate", headers={"Accept-Language": "it"}).text
    assert (_waiting(italian, old), _waiting(italian, recent)) == (
        "in attesa da 119 g",
        "in attesa da 5 h",
    )


def _waiting(page: str, thread: Thread) -> str:
    item = page[page.index(f'data-thread-id="{thread.id}"') :]
    found = re.search(r"<span>([^<]*)</span>\s*</div>", item)
    assert found is not None
    return found.group(1)


def test_the_view_checks_the_advocate_now(session, clock, scene) -> None:
    advocate = _nominate(session, clock, scene)
    with pytest.raises(Forbidden):
        advocates.needs_answer(session, Guardian(scene["asker"]), now=clock.now())
    advocate.suspended_until = clock.now() + timedelta(days=1)
    with pytest.raises(Forbidden):
        advocates.needs_answer(session, Guardian(advocate, now=clock.now()), now=clock.now())
    rows = session.exec(select(AdvocateCategory)).all()
    assert len(rows) == 1


def test_the_advocate_api_never_answers_5xx(session, clock, scene, app) -> None:
    """Schemathesis over the advocate operations of the spec, as a moderator and as an advocate."""
    import schemathesis

    from community.models import ApiToken
    from community.security import new_api_token

    advocate = _nominate(session, clock, scene)
    tokens = []
    for user in (scene["moderator"], advocate):
        token, digest = new_api_token()
        session.add(
            ApiToken(
                user_id=_id(user),
                name="fuzz",
                token_hash=digest,
                prefix=token[:10],
                created_at=clock.now(),
            )
        )
        tokens.append(token)
    session.commit()
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    failures: list[str] = []
    checked = 0
    for result in schema.get_all_operations():
        operation = result.ok()  # type: ignore[union-attr]
        if not operation.path.startswith(("/api/v1/moderation/advocates", "/api/v1/advocate/")):
            continue
        checked += 1
        for token in tokens:
            _fuzz(operation, token, failures)
    assert checked == 5
    assert not failures, "\n".join(failures[:10])


def _fuzz(operation: Any, token: str, failures: list[str]) -> None:
    from hypothesis import HealthCheck, given, settings

    @given(case=operation.as_strategy())
    @settings(
        max_examples=25, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    def check(case: Any) -> None:
        response = case.call(headers={"Authorization": f"Bearer {token}"})
        if response.status_code >= 500:
            failures.append(f"{case.method} {case.formatted_path}: {response.text[:300]}")

    check()


@pytest.mark.sqlite_only
def test_the_advocate_queries_walk_indexes(session, clock, scene) -> None:
    """The view walks the partial unanswered index; contribution reads the posts by author."""
    now = clock.now()
    waiting = sqlite_plan(
        session, advocates.waiting_query(1, 2, after=(now, 5), limit=advocates.PAGE_SIZE)
    )
    assert "ix_thread_unanswered_category_created" in waiting, waiting
    assert "TEMP B-TREE" not in waiting, waiting  # no sort: the index gives the order
    window = advocates.parse_range("", "", now=now)
    answers = sqlite_plan(session, advocates.answers_query([1, 2], window))
    assert "ix_post_author_created" in answers, answers
    assert "ix_support_case_thread_id" in waiting, waiting
    assert "SEARCH post_1 USING INDEX" in answers, (
        answers
    )  # the first-reply check: (thread, number)
