"""The page of one private case as the brand and its customer see it, and the customer's notices.
Its timeline has the changes of status, priority and assignee among the messages, in the order
they happened: the brand sees every change, the customer only the status changes, in their own
words, and nobody else anything. The customer is notified, in their language, when the brand
waits for their reply and when their case is resolved. The header names each fact apart (the
customer's without the brand's own priority and assignee); the brand's messages carry the brand,
not a member's rank; the brand's status menu lists a case's statuses in the order of its life
(open, pending customer, resolved, closed), whatever their labels are called."""

import re
from html import unescape

import pytest
from sqlmodel import Session, col, select

from community.clock import FrozenClock
from community.errors import Forbidden
from community.models import Notification, Role, User
from community.policy import Guardian
from moderation import cases
from moderation.models import CaseChange, CaseMessage, SupportCase
from tests.conftest import drain
from tests.factories import make_category, make_thread, make_user
from tests.moderation.brand_helpers import client_for, open_case, submit

THREAD_TITLE = "Charged twice for October"


@pytest.fixture
def scene(session: Session, clock: FrozenClock) -> dict[str, User]:
    people = {
        "giulia": make_user(session, clock, username="giulia"),
        "third": make_user(session, clock, username="third"),
        "luca": make_user(session, clock, username="luca", role=Role.moderator),
        "sara": make_user(session, clock, username="sara", role=Role.moderator),
    }
    make_thread(
        session,
        clock,
        author=people["giulia"],
        category=make_category(session),
        title=THREAD_TITLE,
        body="My card was charged twice this month.",
    )
    return people


def _text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def _timeline(page: str) -> list[str]:
    """The conversation's entries in page order: "message: <text>" or "change: <text>"."""
    entries = re.findall(r'<li id="(message|change)-\d+"[^>]*>(.*?)</li>', page, re.S)
    return [f"{kind}: {_text(body)}".replace(" just now", "") for kind, body in entries]


def _facts(page: str) -> list[tuple[str, str]]:
    """The header's facts as (label, value) pairs."""
    facts = page[page.index('<dl class="case-facts">') : page.index("</dl>")]
    pairs = re.findall(r"<div><dt>(.*?)</dt><dd>(.*?)</dd></div>", facts, re.S)
    return [(_text(label), _text(value)) for label, value in pairs]


def _busy_case(session: Session, clock: FrozenClock, scene: dict[str, User]) -> SupportCase:
    """A case that went through most of its life, all at one instant of the clock: the timeline's
    order cannot come from the timestamps."""
    luca, sara, giulia = Guardian(scene["luca"]), Guardian(scene["sara"]), Guardian(scene["giulia"])
    case = open_case(session, clock, scene["luca"])
    cases.update_case(
        session,
        luca,
        case,
        status="pending_customer",
        priority="urgent",
        assignee_id=scene["sara"].id,
        clock=clock,
    )
    cases.add_message(session, giulia, case, body="Invoice 2026-10-118", clock=clock)
    cases.add_message(session, sara, case, body="Refund FIN-4471", internal=True, clock=clock)
    cases.add_message(session, sara, case, body="Refunded!", clock=clock)
    cases.update_case(session, sara, case, status="resolved", clock=clock)
    cases.update_case(session, sara, case, assignee_id=None, clock=clock)
    return case


def test_the_brand_sees_every_change_among_the_messages(app, session, clock, scene):
    case = _busy_case(session, clock, scene)
    page = client_for(app, scene["sara"]).get(f"/mod/cases/{case.id}").text
    assert _timeline(page) == [
        "message: Luca Connettia Which invoice is it?",
        "change: Luca set the status to Pending customer",
        "change: Luca set the priority to Urgent",
        "change: Luca assigned the case to Sara",
        "message: Giulia Newcomer Invoice 2026-10-118",
        "change: Giulia's reply reopened the case",
        "message: Sara Internal note Refund FIN-4471",
        "message: Sara Connettia Refunded!",
        "change: Sara set the status to Resolved",
        "change: Sara unassigned the case",
    ]
    italian = client_for(app, scene["sara"])
    italian.headers["Accept-Language"] = "it"
    page = italian.get(f"/mod/cases/{case.id}").text
    assert "Luca ha impostato lo stato su «In attesa del cliente»" in page
    assert "Luca ha impostato la priorità su «Urgente»" in page
    assert "Luca ha assegnato il caso a Sara" in page
    assert "La risposta di Giulia ha riaperto il caso" in page
    assert "Sara ha tolto l'assegnazione del caso" in unescape(page)


def test_the_customer_sees_only_status_changes_in_their_own_words(app, session, clock, scene):
    case = _busy_case(session, clock, scene)
    me = client_for(app, scene["giulia"])
    page = me.get(f"/cases/{case.id}").text
    assert _timeline(page) == [
        "message: Luca Connettia Which invoice is it?",
        "change: The support team is waiting for your reply.",
        "message: Giulia Newcomer Invoice 2026-10-118",
        "change: Your reply reopened the case.",
        "message: Sara Connettia Refunded!",
        "change: The support team marked your case as resolved.",
    ]
    for internal in ("Urgent", "assigned", "unassigned", "FIN-4471", "set the status"):
        assert internal not in page
    scene["giulia"].language = "it"
    session.add(scene["giulia"])
    session.commit()
    page = me.get(f"/cases/{case.id}").text
    assert "Il team di assistenza attende una tua risposta." in page
    assert "La tua risposta ha riaperto il caso." in page
    assert "Il team di assistenza ha contrassegnato il tuo caso come risolto." in page


def test_the_api_gives_the_changes_each_reader_may_see(app, session, clock, scene):
    case = _busy_case(session, clock, scene)

    def changes(user: User) -> list[tuple[str, str | None, str | None]]:
        detail = client_for(app, user).get(f"/api/v1/cases/{case.id}").json()
        return [
            (c["field"], c["value"], c["assignee"] and c["assignee"]["username"])
            for c in detail["changes"]
        ]

    assert changes(scene["sara"]) == [
        ("status", "pending_customer", None),
        ("priority", "urgent", None),
        ("assignee", None, "sara"),
        ("status", "open", None),
        ("status", "resolved", None),
        ("assignee", None, None),
    ]
    assert changes(scene["giulia"]) == [
        ("status", "pending_customer", None),
        ("status", "open", None),
        ("status", "resolved", None),
    ]
    reopened = client_for(app, scene["giulia"]).get(f"/api/v1/cases/{case.id}").json()
    assert [c["by_customer"] for c in reopened["changes"]] == [False, True, False]
    assert client_for(app, scene["third"]).get(f"/api/v1/cases/{case.id}").status_code == 404


def test_closing_and_reopening_read_plainly_to_the_customer(app, session, clock, scene):
    luca = Guardian(scene["luca"])
    case = open_case(session, clock, scene["luca"])
    for status in ("resolved", "closed", "open"):
        cases.update_case(session, luca, case, status=status, clock=clock)
    page = client_for(app, scene["giulia"]).get(f"/cases/{case.id}").text
    assert [entry for entry in _timeline(page) if entry.startswith("change")] == [
        "change: The support team marked your case as resolved.",
        "change: The support team closed your case.",
        "change: The support team is working on your case again.",
    ]


def test_the_htmx_reply_brings_back_the_change_it_caused(app, session, clock, scene):
    case = open_case(session, clock, scene["luca"])
    cases.update_case(session, Guardian(scene["luca"]), case, status="resolved", clock=clock)
    reply = submit(
        client_for(app, scene["giulia"]),
        f"/cases/{case.id}/messages",
        {"body": "Still charged twice."},
        headers={"HX-Request": "true"},
    )
    assert reply.status_code == 200
    assert _timeline(reply.text)[-2:] == [
        "message: Giulia Newcomer Still charged twice.",
        "change: Your reply reopened the case.",
    ]


def test_no_one_else_sees_a_change_and_nothing_is_recorded_for_no_change(
    app, session, clock, scene
):
    case = _busy_case(session, clock, scene)
    snoop = client_for(app, scene["third"])
    assert snoop.get(f"/cases/{case.id}").status_code == 404
    assert snoop.get(f"/mod/cases/{case.id}").status_code == 403
    with pytest.raises(Forbidden):
        cases.timeline(session, Guardian(scene["third"]), case)
    before = len(session.exec(select(CaseChange)).all())
    fields = {"status": "resolved", "priority": "urgent", "assignee": ""}  # as it is
    assert (
        submit(client_for(app, scene["luca"]), f"/mod/cases/{case.id}", fields).status_code == 303
    )
    session.expire_all()
    assert len(session.exec(select(CaseChange)).all()) == before


def _notices(session: Session, user: User) -> list[str]:
    session.expire_all()
    query = select(Notification).where(col(Notification.user_id) == user.id)
    return [n.kind for n in session.exec(query.order_by(col(Notification.id)))]


def test_the_customer_is_told_when_the_brand_waits_for_them_in_their_language(
    app, session, clock, scene
):
    giulia = scene["giulia"]
    luca = Guardian(scene["luca"])
    case = open_case(session, clock, scene["luca"])
    cases.update_case(
        session, luca, case, priority="urgent", assignee_id=scene["sara"].id, clock=clock
    )
    assert _notices(session, giulia) == ["case"]  # the first message; the rest is the brand's
    cases.update_case(session, luca, case, status="pending_customer", clock=clock)
    assert _notices(session, giulia) == ["case", "case_pending"]
    me = client_for(app, giulia)
    page = me.get("/notifications").text
    assert f"The support team is waiting for your reply about {THREAD_TITLE}" in page
    giulia.language = "it"
    session.add(giulia)
    session.commit()
    page = unescape(me.get("/notifications").text)
    assert f"L'assistenza attende una tua risposta sulla discussione «{THREAD_TITLE}»" in page
    assert [n["kind"] for n in me.get("/api/v1/notifications").json()["items"]] == [
        "case_pending",
        "case",
    ]
    pending = session.exec(select(Notification).where(col(Notification.kind) == "case_pending"))
    opened = submit(me, f"/notifications/{pending.one().id}/read")
    assert opened.status_code == 303 and opened.headers["location"] == "/cases"
    for other in ("third", "luca", "sara"):
        assert _notices(session, scene[other]) == []


def test_the_customer_is_told_once_each_time_their_case_is_resolved(app, session, clock, scene):
    giulia = scene["giulia"]
    luca = Guardian(scene["luca"])
    case = open_case(session, clock, scene["luca"])
    cases.update_case(session, luca, case, status="resolved", clock=clock)
    drain(session, clock)
    # The first time, the satisfaction survey's notification is the one that says so.
    assert _notices(session, giulia) == ["case", "case_survey"]
    me = client_for(app, giulia)
    assert "Your private case was resolved." in me.get("/notifications").text
    cases.add_message(session, Guardian(giulia), case, body="Charged again!", clock=clock)
    clock.advance(hours=1)
    cases.update_case(session, luca, case, status="resolved", clock=clock)
    drain(session, clock)
    assert _notices(session, giulia) == ["case", "case_survey", "case_resolved"]
    page = me.get("/notifications").text
    assert f"Your private case about {THREAD_TITLE} was resolved" in page
    giulia.language = "it"
    session.add(giulia)
    session.commit()
    page = me.get("/notifications").text
    assert f"Il tuo caso privato sulla discussione «{THREAD_TITLE}» è stato risolto" in page
    cases.update_case(session, luca, case, status="closed", clock=clock)
    assert _notices(session, giulia)[-1] == "case_resolved"  # closing tells nothing new
    assert _notices(session, scene["third"]) == []


def _message(page: str, message_id: int | None) -> str:
    start = page.index(f'id="message-{message_id}"')
    return page[start : page.index("</li>", start)]


def test_the_brands_messages_carry_the_brand_not_a_members_rank(app, session, clock, scene):
    case = open_case(session, clock, scene["luca"])
    first = session.exec(select(CaseMessage).where(col(CaseMessage.case_id) == case.id)).one()
    sara, giulia = Guardian(scene["sara"]), Guardian(scene["giulia"])
    reply = cases.add_message(session, giulia, case, body="Invoice 118", clock=clock)
    note = cases.add_message(session, sara, case, body="Asked finance", internal=True, clock=clock)
    answer = cases.add_message(session, sara, case, body="Refunded!", clock=clock)
    brand_page = client_for(app, scene["sara"]).get(f"/mod/cases/{case.id}").text
    customer_page = client_for(app, scene["giulia"]).get(f"/cases/{case.id}").text
    for page in (brand_page, customer_page):
        for staff in (_message(page, first.id), _message(page, answer.id)):
            assert 'class="chip staff official">Connettia<' in staff
            assert "chip rank" not in staff and "Newcomer" not in staff
        assert "chip rank" in _message(page, reply.id)  # the customer is a member like any other
    internal = _message(brand_page, note.id)
    assert "Internal note" in internal and "chip rank" not in internal
    assert f'id="message-{note.id}"' not in customer_page


def test_the_header_names_each_fact_apart(app, session, clock, scene):
    case = open_case(session, clock, scene["luca"])
    brand = _facts(client_for(app, scene["sara"]).get(f"/mod/cases/{case.id}").text)
    assert brand == [
        ("Status", "Open"),
        ("Priority", "High"),
        ("Assignee", "Luca"),
        ("Customer", "Giulia Newcomer"),
        ("Thread", THREAD_TITLE),
        ("Opened", "just now"),
    ]
    luca = Guardian(scene["luca"])
    cases.update_case(session, luca, case, status="pending_customer", assignee_id=None, clock=clock)
    brand = _facts(client_for(app, scene["sara"]).get(f"/mod/cases/{case.id}").text)
    assert ("Assignee", "Unassigned") in brand
    customer = _facts(client_for(app, scene["giulia"]).get(f"/cases/{case.id}").text)
    assert customer == [
        ("Status", "Waiting for your answer"),
        ("Thread", THREAD_TITLE),
        ("Opened", "just now"),
    ]


@pytest.mark.parametrize(
    ("status", "options"),
    [
        ("open", ["open*", "pending_customer", "resolved"]),
        ("pending_customer", ["open", "pending_customer*", "resolved"]),
        ("resolved", ["open", "resolved*", "closed"]),
        ("closed", ["open", "closed*"]),
    ],
)
def test_the_status_menu_follows_the_lifecycle(app, session, clock, scene, status, options):
    case = open_case(session, clock, scene["luca"])
    path = {
        "open": [],
        "pending_customer": ["pending_customer"],
        "resolved": ["resolved"],
        "closed": ["resolved", "closed"],
    }[status]
    for step in path:
        cases.update_case(session, Guardian(scene["luca"]), case, status=step, clock=clock)
    brand = client_for(app, scene["luca"])
    for language in ("en", "it"):  # whatever the labels are called
        brand.headers["Accept-Language"] = language
        page = brand.get(f"/mod/cases/{case.id}").text
        menu = page[page.index('<select name="status"') : page.index("</select>")]
        shown = re.findall(r'<option value="(\w+)"( selected)?>', menu)
        assert [value + ("*" if selected else "") for value, selected in shown] == options


def test_the_htmx_reply_also_brings_back_the_status_it_reopened(app, session, clock, scene):
    """The header's status is outside the conversation the reply swaps: it comes out of band, or
    the page goes on saying "Waiting for your answer" on a case the reply just reopened."""
    case = open_case(session, clock, scene["luca"])
    cases.update_case(
        session, Guardian(scene["luca"]), case, status="pending_customer", clock=clock
    )
    reply = submit(
        client_for(app, scene["giulia"]),
        f"/cases/{case.id}/messages",
        {"body": "It is invoice 2026-10-118."},
        headers={"HX-Request": "true"},
    )
    status = re.search(
        r'<span id="case-status"[^>]*hx-swap-oob="true"[^>]*>(.*?)</span>', reply.text
    )
    assert status is not None
    assert _text(status.group(1)) == "Open"


def test_a_refused_internal_note_stays_an_internal_note(app, session, clock, scene):
    """Once the text is written and sent again, an unticked box would send the note to the
    customer."""
    case = open_case(session, clock, scene["luca"])
    page = submit(
        client_for(app, scene["sara"]),
        f"/mod/cases/{case.id}/messages",
        {"body": " ", "internal": "1"},
    )
    assert page.status_code == 422
    box = re.search(r'<input type="checkbox" name="internal"[^>]*>', page.text)
    assert box is not None
    assert "checked" in box.group(0)
