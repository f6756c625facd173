"""The page of one private case: the brand's status menu lists a case's statuses in the order of
its life (open, pending customer, resolved, closed), whatever their labels are called."""

import re

import pytest
from sqlmodel import Session, col, select

from community.clock import FrozenClock
from community.models import Post, Role, User
from community.policy import Guardian
from moderation import cases
from moderation.models import SupportCase
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
