"""Private cases: escalation from a thread or a post, the status flow, messages and internal
notes, the public notice, the customer's /cases, the brand's /mod/cases, and the API. No other
customer can ever see a case: every URL and API route is tried by a third member (404) and by an
anonymous visitor (401 or a redirect to log in)."""

from datetime import timedelta

import pytest
from sqlmodel import Session, col, select

from community.clock import FrozenClock
from community.errors import Conflict, Forbidden, Invalid, NotFound
from community.events import OutboxEvent
from community.models import Notification, Post, Role
from community.policy import Guardian
from moderation import audit, canned, cases
from moderation.models import AuditEntry, CaseMessage, CaseStatus, SupportCase
from tests.factories import make_category, make_reply, make_thread, make_user
from tests.moderation.brand_helpers import api_post, client_for, submit

NOTE = "Refund approved by finance: ticket FIN-4471"
NOTICE = "The Connettia team is following this up privately."


@pytest.fixture
def scene(session: Session, clock: FrozenClock):
    customer = make_user(session, clock, username="giulia")
    third = make_user(session, clock, username="third")
    moderator = make_user(session, clock, username="mod", role=Role.moderator)
    other_mod = make_user(session, clock, username="mod2", role=Role.moderator)
    thread = make_thread(
        session,
        clock,
        author=customer,
        category=make_category(session),
        title="Charged twice for October",
        body="My card was charged twice this month.",
    )
    return customer, third, moderator, other_mod, thread


def _open(session, clock, moderator, thread, **kw) -> SupportCase:
    question = session.exec(select(Post).where(col(Post.thread_id) == thread.id)).first()
    fields = {"subject": "", "priority": "", "body": "Please send us your invoice number."}
    return cases.open_case(session, Guardian(moderator), question, clock=clock, **(fields | kw))


def _events(session: Session, name: str) -> list[dict[str, object]]:
    session.expire_all()
    query = select(OutboxEvent).where(col(OutboxEvent.name) == name).order_by(col(OutboxEvent.id))
    return [e.data for e in session.exec(query)]


def test_take_private_from_a_thread_opens_a_case_with_its_first_message(app, session, clock, scene):
    customer, _third, moderator, _other, thread = scene
    browser = client_for(app, moderator)
    page = browser.get(f"/t/{thread.id}").text
    question_id = session.exec(select(Post.id).where(col(Post.thread_id) == thread.id)).one()
    assert f'href="/mod/cases/new?post_id={question_id}"' in page
    form = browser.get(f"/mod/cases/new?post_id={question_id}")
    assert form.status_code == 200 and 'value="Charged twice for October"' in form.text
    response = submit(
        browser,
        "/mod/cases",
        {
            "post_id": str(question_id),
            "subject": "Double charge",
            "priority": "high",
            "body": "Sorry! Which **invoice** is it?",
        },
    )
    assert response.status_code == 303
    case = session.exec(select(SupportCase)).one()
    assert response.headers["location"] == f"/mod/cases/{case.id}"
    assert (case.customer_id, case.thread_id, case.post_id) == (customer.id, thread.id, question_id)
    assert (case.subject, case.priority, case.status) == ("Double charge", "high", "open")
    assert (case.assignee_id, case.created_by_id) == (moderator.id, moderator.id)
    (message,) = session.exec(select(CaseMessage)).all()
    assert message.body_html == "<p>Sorry! Which <strong>invoice</strong> is it?</p>\n"
    assert _events(session, "case_opened") == [
        {"case_id": case.id, "customer_id": customer.id, "by_id": moderator.id}
    ]
    assert _events(session, "case_message_added") == [
        {
            "case_id": case.id,
            "message_id": message.id,
            "is_internal": False,
            "author_id": moderator.id,
        }
    ]
    (entry,) = session.exec(select(AuditEntry).where(col(AuditEntry.action) == "case_opened"))
    assert (entry.actor_id, entry.target_type, entry.target_id) == (moderator.id, "case", case.id)


def test_take_private_from_a_reply_makes_its_author_the_customer(session, clock, scene):
    customer, third, moderator, _other, thread = scene
    reply = make_reply(session, clock, author=third, thread=thread, body="Same for me!")
    case = cases.open_case(
        session, Guardian(moderator), reply, subject="", priority="", body="Hi", clock=clock
    )
    assert (case.customer_id, case.post_id, case.subject) == (
        third.id,
        reply.id,
        "Charged twice for October",
    )
    assert case.customer_id != customer.id


def test_opening_refuses_the_brands_own_post_a_duplicate_and_bad_fields(session, clock, scene):
    _customer, _third, moderator, other_mod, thread = scene
    official = make_reply(session, clock, author=other_mod, thread=thread)
    with pytest.raises(Invalid, match="brand's own"):
        cases.open_case(
            session, Guardian(moderator), official, subject="", priority="", body="x", clock=clock
        )
    with pytest.raises(Invalid, match="Unknown priority"):
        _open(session, clock, moderator, thread, priority="whenever")
    with pytest.raises(Invalid, match="Write something first"):
        _open(session, clock, moderator, thread, body="  ")
    case = _open(session, clock, moderator, thread)
    with pytest.raises(Conflict, match="already has a case"):
        _open(session, clock, moderator, thread)
    for status in ("resolved", "closed"):
        cases.update_case(session, Guardian(moderator), case, status=status, clock=clock)
    assert _open(session, clock, moderator, thread).id != case.id  # the old one is closed


def test_the_status_flow_allows_only_valid_transitions(session, clock, scene):
    customer, _third, moderator, _other, thread = scene
    brand, client = Guardian(moderator), Guardian(customer)
    case = _open(session, clock, moderator, thread)
    for bad in ("closed", "open_ish"):
        with pytest.raises(Invalid):
            cases.update_case(session, brand, case, status=bad, clock=clock)
    cases.update_case(session, brand, case, status="pending_customer", clock=clock)
    # The customer answers: the brand owes a reply again.
    cases.add_message(session, client, case, body="Invoice 2026-10-118", clock=clock)
    assert case.status == CaseStatus.open
    cases.update_case(session, brand, case, status="resolved", clock=clock)
    with pytest.raises(Invalid, match="cannot go from") as refused:
        cases.update_case(session, brand, case, status="pending_customer", clock=clock)
    assert refused.value.params == {"current": "Resolved", "new": "Pending customer"}
    clock.advance(minutes=5)
    cases.update_case(session, brand, case, status="closed", clock=clock)
    assert case.closed_at == clock.now()
    for bad in ("resolved", "pending_customer"):
        with pytest.raises(Invalid):
            cases.update_case(session, brand, case, status=bad, clock=clock)
    # Closed is final for the customer ...
    with pytest.raises(Forbidden, match="This case is closed"):
        cases.add_message(session, client, case, body="Hello?", clock=clock)
    with pytest.raises(Conflict, match="reopen it"):
        cases.add_message(session, brand, case, body="Hello!", clock=clock)
    # ... but a moderator may reopen it, and still write internal notes meanwhile.
    cases.add_message(session, brand, case, body="Customer called.", internal=True, clock=clock)
    cases.update_case(session, brand, case, status="open", clock=clock)
    assert case.status == "open"
    assert case.closed_at is None
    statuses = [e["status"] for e in _events(session, "case_updated")]
    assert statuses == ["pending_customer", "open", "resolved", "closed", "open"]


def test_a_customer_reply_reopens_a_resolved_case(session, clock, scene):
    customer, _third, moderator, _other, thread = scene
    case = _open(session, clock, moderator, thread)
    cases.update_case(session, Guardian(moderator), case, status="resolved", clock=clock)
    cases.add_message(session, Guardian(customer), case, body="Still charged twice.", clock=clock)
    assert case.status == CaseStatus.open


def test_assignee_and_priority_changes_are_audited(session, clock, scene):
    customer, _third, moderator, other_mod, thread = scene
    case = _open(session, clock, moderator, thread)
    cases.update_case(
        session, Guardian(moderator), case, priority="urgent", assignee_id=other_mod.id, clock=clock
    )
    assert (case.priority, case.assignee_id) == ("urgent", other_mod.id)
    entry = session.exec(select(AuditEntry).where(col(AuditEntry.action) == "case_updated")).one()
    assert audit.loads(entry.before) == {"priority": "normal", "assignee_id": moderator.id}
    assert audit.loads(entry.after) == {"priority": "urgent", "assignee_id": other_mod.id}
    assert _events(session, "case_updated")[-1] == {
        "case_id": case.id,
        "status": "open",
        "priority": "urgent",
        "assignee_id": other_mod.id,
        "by_id": moderator.id,
    }
    with pytest.raises(Invalid, match="only be assigned to a moderator"):
        cases.update_case(session, Guardian(moderator), case, assignee_id=customer.id, clock=clock)
    cases.update_case(session, Guardian(moderator), case, assignee_id=None, clock=clock)
    assert case.assignee_id is None


def test_members_cannot_manage_or_write_notes(session, clock, scene):
    customer, third, moderator, _other, thread = scene
    case = _open(session, clock, moderator, thread)
    with pytest.raises(Forbidden):
        cases.update_case(session, Guardian(customer), case, status="resolved", clock=clock)
    with pytest.raises(Forbidden):
        cases.add_message(session, Guardian(customer), case, body="x", internal=True, clock=clock)
    with pytest.raises(NotFound):
        cases.add_message(session, Guardian(third), case, body="x", clock=clock)
    with pytest.raises(Forbidden):
        _open(session, clock, customer, thread)


def test_internal_notes_never_reach_the_customer(app, session, clock, scene):
    customer, _third, moderator, _other, thread = scene
    case = _open(session, clock, moderator, thread)
    brand = client_for(app, moderator)
    response = submit(brand, f"/mod/cases/{case.id}/messages", {"body": NOTE, "internal": "1"})
    assert response.status_code == 303
    assert NOTE in brand.get(f"/mod/cases/{case.id}").text
    assert NOTE in str(brand.get(f"/api/v1/cases/{case.id}").json())
    me = client_for(app, customer)
    for url in (f"/cases/{case.id}", "/cases", f"/t/{thread.id}", "/notifications"):
        assert "FIN-4471" not in me.get(url).text
    for url in (f"/api/v1/cases/{case.id}", "/api/v1/cases", "/api/v1/notifications"):
        assert "FIN-4471" not in me.get(url).text
    detail = me.get(f"/api/v1/cases/{case.id}").json()
    assert [m["is_internal"] for m in detail["messages"]] == [False]
    # Writing back does not reveal it either.
    answer = api_post(me, f"/api/v1/cases/{case.id}/messages", {"body": "Thanks"})
    assert answer.status_code == 201 and "FIN-4471" not in answer.text
    (event,) = [e for e in _events(session, "case_message_added") if e["is_internal"]]
    assert "body" not in event  # the event names the note; only the brand's CRM gets its text


def test_messages_are_sanitised_markdown(app, session, clock, scene):
    customer, _third, moderator, _other, thread = scene
    case = _open(session, clock, moderator, thread)
    me = client_for(app, customer)
    body = "<script>alert(1)</script> [x](javascript:alert(2)) **ok**"
    assert submit(me, f"/cases/{case.id}/messages", {"body": body}).status_code == 303
    page = client_for(app, moderator).get(f"/mod/cases/{case.id}").text
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page
    assert 'href="javascript' not in page
    assert "<strong>ok</strong>" in page


def test_the_public_thread_says_it_was_taken_private_without_details(app, session, clock, scene):
    customer, third, moderator, _other, thread = scene
    assert NOTICE not in client_for(app).get(f"/t/{thread.id}").text
    case = _open(session, clock, moderator, thread, subject="Refund FIN secret subject")
    for person in (None, third):
        page = client_for(app, person).get(f"/t/{thread.id}").text
        assert NOTICE in page
        assert "secret subject" not in page and f"/cases/{case.id}" not in page
    mine = client_for(app, customer).get(f"/t/{thread.id}").text
    assert NOTICE in mine and f'href="/cases/{case.id}"' in mine
    brand = client_for(app, moderator).get(f"/t/{thread.id}").text
    assert f'href="/mod/cases/{case.id}"' in brand


def test_once_the_case_is_resolved_the_thread_says_it_was_followed_up(app, session, clock, scene):
    customer, _third, moderator, _other, thread = scene
    case = _open(session, clock, moderator, thread)
    cases.update_case(session, Guardian(moderator), case, status="resolved", clock=clock)
    page = client_for(app).get(f"/t/{thread.id}").text
    assert "The Connettia team followed this up privately." in page and NOTICE not in page
    cases.add_message(session, Guardian(customer), case, body="It is back again", clock=clock)
    assert NOTICE in client_for(app).get(f"/t/{thread.id}").text  # reopened: ongoing again


def test_the_customer_finds_and_answers_the_case_at_cases(app, session, clock, scene):
    customer, _third, moderator, _other, thread = scene
    case = _open(session, clock, moderator, thread, subject="Double charge")
    cases.update_case(session, Guardian(moderator), case, status="pending_customer", clock=clock)
    me = client_for(app, customer)
    listing = me.get("/cases").text
    assert f'href="/cases/{case.id}"' in listing and "Waiting for your answer" in listing
    page = me.get(f"/cases/{case.id}").text
    assert "Please send us your invoice number." in page
    response = submit(me, f"/cases/{case.id}/messages", {"body": ""})
    assert response.status_code == 422 and "Write something first" in response.text
    htmx = submit(
        me,
        f"/cases/{case.id}/messages",
        {"body": "It is 2026-10-118"},
        headers={"HX-Request": "true"},
    )
    assert htmx.status_code == 200 and htmx.text.lstrip().startswith(
        '<section id="case-conversation"'
    )
    assert "It is 2026-10-118" in htmx.text
    session.refresh(case)
    assert case.status == "open"


def test_moderators_list_and_filter_all_cases(app, session, clock, scene):
    customer, third, moderator, other_mod, thread = scene
    first = _open(session, clock, moderator, thread, subject="First case")
    other_thread = make_thread(session, clock, author=third, category=make_category(session))
    second = _open(session, clock, other_mod, other_thread, subject="Second case")
    cases.update_case(session, Guardian(other_mod), second, status="pending_customer", clock=clock)
    brand = client_for(app, moderator)

    def listed(query: str) -> list[int | None]:
        page = brand.get(f"/mod/cases{query}").text
        return [c.id for c in (first, second) if f'id="case-{c.id}"' in page]

    assert listed("") == [first.id, second.id]
    assert listed("?status=pending_customer") == [second.id]
    assert listed("?mine=1") == [first.id]
    assert listed(f"?assignee={other_mod.id}") == [second.id]
    api = brand.get("/api/v1/cases", params={"status": "open"}).json()
    assert [c["id"] for c in api["items"]] == [first.id]
    assert [c["id"] for c in brand.get("/api/v1/cases?mine=true").json()["items"]] == [first.id]
    assert brand.get("/api/v1/cases?status=nonsense").status_code == 422
    # Each customer's /cases and API list holds their own case only.
    assert [c["id"] for c in client_for(app, third).get("/api/v1/cases").json()["items"]] == [
        second.id
    ]
    assert f'href="/cases/{first.id}"' not in client_for(app, third).get("/cases").text
    assert client_for(app, customer).get("/api/v1/cases").json()["items"][0]["id"] == first.id


def test_a_moderator_updates_a_case_from_its_page(app, session, clock, scene):
    _customer, _third, moderator, other_mod, thread = scene
    case = _open(session, clock, moderator, thread)
    brand = client_for(app, moderator)
    fields = {"status": "resolved", "priority": "low", "assignee": str(other_mod.id)}
    assert submit(brand, f"/mod/cases/{case.id}", fields).status_code == 303
    session.refresh(case)
    assert (case.status, case.priority, case.assignee_id) == ("resolved", "low", other_mod.id)
    bad = submit(brand, f"/mod/cases/{case.id}", {"status": "pending_customer", "priority": "low"})
    assert bad.status_code == 422 and "cannot go from Resolved to Pending customer" in bad.text
    brand.headers["Accept-Language"] = "it"
    bad = submit(brand, f"/mod/cases/{case.id}", {"status": "pending_customer", "priority": "low"})
    assert "Un caso non può passare da Risolto a In attesa del cliente." in bad.text


def test_no_other_customer_ever_sees_a_case(app, session, clock, scene):
    customer, third, moderator, _other, thread = scene
    case = _open(session, clock, moderator, thread, subject="Double charge")
    assert case.id is not None
    missing = case.id + 1000
    snoop = client_for(app, third)
    for case_id in (case.id, missing):  # the same answer whether the case exists or not
        assert snoop.get(f"/cases/{case_id}").status_code == 404
        assert submit(snoop, f"/cases/{case_id}/messages", {"body": "hi"}).status_code == 404
        assert snoop.get(f"/api/v1/cases/{case_id}").status_code == 404
        assert (
            api_post(snoop, f"/api/v1/cases/{case_id}/messages", {"body": "hi"}).status_code == 404
        )
        assert snoop.get(f"/mod/cases/{case_id}").status_code == 403
        assert submit(snoop, f"/mod/cases/{case_id}/messages", {"body": "x"}).status_code == 403
        assert submit(snoop, f"/mod/cases/{case_id}", {"status": "closed"}).status_code == 403
    assert "Double charge" not in snoop.get("/cases").text
    assert snoop.get("/api/v1/cases").json() == {"items": [], "next_cursor": None}
    assert snoop.get("/api/v1/cases?status=open&mine=true").json()["items"] == []
    for person in (third, customer):  # members, the customer too, get 403 on the brand's pages
        browser = client_for(app, person)
        assert browser.get("/mod/cases").status_code == 403
        assert browser.get(f"/mod/cases/new?post_id={case.post_id}").status_code == 403
        assert (
            submit(browser, "/mod/cases", {"post_id": str(case.post_id), "body": "x"}).status_code
            == 403
        )
        assert browser.get("/mod/webhooks").status_code == 403
    anonymous = client_for(app)
    for url in ("/cases", f"/cases/{case.id}", "/mod/cases", f"/mod/cases/{case.id}",
                f"/mod/cases/new?post_id={case.post_id}", "/mod/webhooks"):  # fmt: skip
        response = anonymous.get(url, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].startswith("/login")
    for url in ("/api/v1/cases", f"/api/v1/cases/{case.id}"):
        assert anonymous.get(url).status_code == 401
    assert (
        api_post(anonymous, f"/api/v1/cases/{case.id}/messages", {"body": "x"}).status_code == 401
    )
    assert submit(anonymous, f"/cases/{case.id}/messages", {"body": "x"}).status_code == 401
    assert submit(anonymous, "/mod/cases", {"post_id": str(case.post_id)}).status_code == 401
    # Nothing any of them tried was stored.
    session.expire_all()
    assert len(session.exec(select(CaseMessage)).all()) == 1
    assert session.get(SupportCase, case.id).status == "open"


def test_a_moderator_on_the_customer_url_is_sent_to_the_brand_view(app, session, clock, scene):
    *_, moderator, _other, thread = scene
    case = _open(session, clock, moderator, thread)
    response = client_for(app, moderator).get(f"/cases/{case.id}", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == f"/mod/cases/{case.id}"


def test_api_members_cannot_write_internal_notes(app, session, clock, scene):
    customer, *_rest = scene
    *_, moderator, _other, thread = scene
    case = _open(session, clock, moderator, thread)
    me = client_for(app, customer)
    response = api_post(me, f"/api/v1/cases/{case.id}/messages", {"body": "x", "internal": True})
    assert response.status_code == 403
    brand = client_for(app, moderator)
    note = api_post(brand, f"/api/v1/cases/{case.id}/messages", {"body": NOTE, "internal": True})
    assert note.status_code == 201
    assert [m["is_internal"] for m in note.json()["messages"]] == [False, True]


def test_a_suspended_moderator_cannot_act_for_the_brand(session, clock, scene):
    _customer, _third, moderator, other_mod, thread = scene
    case = _open(session, clock, other_mod, thread)
    moderator.suspended_until = clock.now() + timedelta(days=1)
    session.add(moderator)
    session.commit()
    suspended = Guardian(moderator, now=clock.now())
    with pytest.raises(Forbidden):
        _open(session, clock, moderator, thread)
    with pytest.raises(Forbidden):
        cases.update_case(session, suspended, case, status="resolved", clock=clock)
    with pytest.raises(NotFound):  # while suspended, the brand's cases are not theirs to see
        cases.add_message(session, suspended, case, body="x", internal=True, clock=clock)
    with pytest.raises(Forbidden):
        canned.list_replies(session, suspended)


def test_a_suspended_moderator_reads_no_case_anywhere(app, session, clock, scene):
    _customer, _third, moderator, other_mod, thread = scene
    case = _open(session, clock, other_mod, thread)
    cases.add_message(session, Guardian(other_mod), case, body=NOTE, internal=True, clock=clock)
    browser = client_for(app, moderator)
    assert browser.get(f"/api/v1/cases/{case.id}").status_code == 200  # before the suspension
    moderator.suspended_until = clock.now() + timedelta(days=10)
    moderator.suspension_reason = "Shared a customer's data"
    session.add(moderator)
    session.commit()

    for url in (f"/mod/cases/{case.id}", "/mod/cases", "/mod/queue", "/care/analytics"):
        assert browser.get(url).status_code == 403, url
    answer = browser.get(f"/api/v1/cases/{case.id}")
    assert answer.status_code == 404 and "FIN-4471" not in answer.text
    assert browser.get("/api/v1/cases").json()["items"] == []  # only their own cases, none
    assert browser.get("/api/v1/moderation/queue").status_code == 403


def test_the_customer_is_notified_of_the_brands_messages_not_of_notes(app, session, clock, scene):
    customer, third, moderator, _other, thread = scene
    case = _open(session, clock, moderator, thread)  # with its first message
    brand = Guardian(moderator)
    cases.add_message(session, brand, case, body=NOTE, internal=True, clock=clock)
    cases.add_message(session, Guardian(customer), case, body="Invoice 118", clock=clock)
    cases.add_message(session, brand, case, body="Refunded.", clock=clock)
    session.expire_all()
    rows = session.exec(select(Notification).order_by(col(Notification.id))).all()
    assert [(n.user_id, n.kind, n.actor_id) for n in rows if n.user_id == customer.id] == [
        (customer.id, "case", moderator.id),
        (customer.id, "case", moderator.id),
    ]
    me = client_for(app, customer)
    page = me.get("/notifications").text
    assert page.count("Mod of the support team wrote to you privately about") == 2
    assert "FIN-4471" not in page and "Refunded." not in page
    api = me.get("/api/v1/notifications").json()
    assert [n["kind"] for n in api["items"]] == ["case", "case"]
    opened = submit(me, f"/notifications/{rows[0].id}/read")
    assert opened.status_code == 303 and opened.headers["location"] == "/cases"
    assert client_for(app, third).get("/api/v1/notifications").json()["items"] == []


def test_the_assigned_moderator_is_notified_when_the_customer_answers(app, session, clock, scene):
    customer, _third, moderator, other_mod, thread = scene
    case = _open(session, clock, moderator, thread)
    assert case.assignee_id == moderator.id  # whoever takes it private owns it
    cases.add_message(session, Guardian(other_mod), case, body=NOTE, internal=True, clock=clock)
    cases.add_message(session, Guardian(customer), case, body="Invoice 118", clock=clock)

    mine = client_for(app, moderator)
    page = mine.get("/notifications").text
    assert page.count("Giulia answered in their private case about") == 1
    assert "Invoice 118" not in page
    assert [n["kind"] for n in mine.get("/api/v1/notifications").json()["items"]] == ["case_reply"]
    assert client_for(app, other_mod).get("/api/v1/notifications").json()["items"] == []
    notification = session.exec(
        select(Notification).where(col(Notification.user_id) == moderator.id)
    ).one()
    opened = submit(mine, f"/notifications/{notification.id}/read")
    assert opened.status_code == 303 and opened.headers["location"] == f"/mod/cases/{case.id}"

    cases.update_case(session, Guardian(moderator), case, assignee_id=None, clock=clock)
    cases.add_message(session, Guardian(customer), case, body="Any news?", clock=clock)
    assert len(mine.get("/api/v1/notifications").json()["items"]) == 1  # unassigned: nobody


def test_unicode_digits_are_refused_like_any_other_bad_number(app, session, clock, scene):
    customer, _third, moderator, _other, thread = scene
    case = _open(session, clock, moderator, thread)
    me = client_for(app, customer)
    for url in ("/cases?cursor=²", "/api/v1/cases?cursor=²", "/cases?cursor=9999999999"):
        response = me.get(url)
        assert response.status_code == 422, url
        assert "This page link is not valid any more." in response.text
    brand = client_for(app, moderator)
    listing = brand.get("/mod/cases?assignee=²")  # an unknown filter is left out
    assert listing.status_code == 200 and f'id="case-{case.id}"' in listing.text
    refused = submit(brand, "/mod/cases", {"post_id": "²", "body": "Hello"})
    assert refused.status_code == 422 and "Choose the post to take private." in refused.text


def test_an_assignee_that_is_not_a_moderator_is_refused_next_to_the_field(
    app, session, clock, scene
):
    customer, _third, moderator, _other, thread = scene
    case = _open(session, clock, moderator, thread)
    brand = client_for(app, moderator)
    for assignee in ("abc", "²", "-1", "0", "99999999999", str(customer.id)):
        fields = {"status": "open", "priority": "high", "assignee": assignee}
        response = submit(brand, f"/mod/cases/{case.id}", fields)
        assert response.status_code == 422, assignee
        assert 'id="case-assignee-error"' in response.text
        assert "A case can only be assigned to a moderator." in response.text
        assert f'<option value="{moderator.id}" selected>' in response.text  # still theirs
        session.refresh(case)
        assert (case.assignee_id, case.priority) == (moderator.id, "normal")
    with pytest.raises(Invalid, match="only be assigned to a moderator"):
        cases.update_case(session, Guardian(moderator), case, assignee_id=2**70, clock=clock)
    unassign = submit(brand, f"/mod/cases/{case.id}", {"status": "open", "assignee": ""})
    assert unassign.status_code == 303
    session.refresh(case)
    assert case.assignee_id is None


def test_an_internal_note_changes_nothing_the_customer_sees(app, session, clock, scene):
    customer, _third, moderator, other_mod, thread = scene
    case = _open(session, clock, moderator, thread)
    me = client_for(app, customer)
    clock.advance(hours=5)

    def seen() -> tuple[str, object, object, object]:
        listing = me.get("/cases").text
        return (
            listing[listing.index(f'id="case-{case.id}"') :].split("</li>")[0],
            me.get("/api/v1/cases").json(),
            me.get(f"/api/v1/cases/{case.id}").json(),
            me.get("/api/v1/notifications").json(),
        )

    before = seen()
    assert ">5 hours ago</time>" in before[0]
    cases.add_message(session, Guardian(moderator), case, body=NOTE, internal=True, clock=clock)
    assert seen() == before
    # nor do the brand's priority and assignee, which the customer never sees
    detail = me.get(f"/api/v1/cases/{case.id}").json()
    assert detail["priority"] is None and detail["assignee"] is None
    brand = Guardian(moderator)
    cases.update_case(session, brand, case, priority="urgent", clock=clock)
    cases.update_case(session, brand, case, assignee_id=other_mod.id, clock=clock)
    assert seen() == before
    assert client_for(app, moderator).get(f"/api/v1/cases/{case.id}").json()["priority"] == "urgent"


def test_the_site_nav_leads_to_the_cases_of_whoever_has_some(app, session, clock, scene):
    customer, third, moderator, _other_mod, thread = scene
    nav = 'href="/cases"'
    assert nav not in client_for(app, customer).get("/").text  # never taken private yet
    _open(session, clock, moderator, thread)
    assert nav in client_for(app, customer).get("/").text
    assert nav not in client_for(app, third).get("/").text
    staff = client_for(app, moderator).get("/").text
    assert 'href="/mod/cases"' in staff and 'href="/mod/canned"' in staff
    assert 'href="/mod/audit"' not in staff  # the admins'
    admin = make_user(session, clock, username="boss", role=Role.admin)
    assert 'href="/mod/audit"' in client_for(app, admin).get("/").text
