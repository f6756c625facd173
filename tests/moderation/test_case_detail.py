"""The page of one private case as the brand and its customer see it: the header names each fact
apart (the customer's without the brand's own priority and assignee); the brand's messages carry
the brand, not a member's rank; the brand's status menu lists a case's statuses in the order of
its life (open, pending customer, resolved, closed), whatever their labels are called."""

import re
from html import unescape

import pytest
from sqlmodel import Session, col, select

from community.clock import FrozenClock
from community.models import Post, Role, User
from community.policy import Guardian
from moderation import cases
from moderation.models import CaseMessage, SupportCase
from tests.factories import make_category, make_thread, make_user
from tests.moderation.brand_helpers import client_for

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


def _open(session: Session, clock: FrozenClock, moderator: User) -> SupportCase:
    question = session.exec(select(Post).order_by(col(Post.id))).first()
    assert question is not None
    return cases.open_case(
        session,
        Guardian(moderator),
        question,
        subject="Double charge",
        priority="high",
        body="Which invoice is it?",
        clock=clock,
    )


def _text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def _facts(page: str) -> list[tuple[str, str]]:
    """The header's facts as (label, value) pairs."""
    facts = page[page.index('<dl class="case-facts">') : page.index("</dl>")]
    pairs = re.findall(r"<div><dt>(.*?)</dt><dd>(.*?)</dd></div>", facts, re.S)
    return [(_text(label), _text(value)) for label, value in pairs]


def _message(page: str, message_id: int | None) -> str:
    start = page.index(f'id="message-{message_id}"')
    return page[start : page.index("</li>", start)]


def test_the_header_names_each_fact_apart(app, session, clock, scene):
    case = _open(session, clock, scene["luca"])
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


def test_the_brands_messages_carry_the_brand_not_a_members_rank(app, session, clock, scene):
    case = _open(session, clock, scene["luca"])
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
    case = _open(session, clock, scene["luca"])
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
