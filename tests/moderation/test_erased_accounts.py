"""What the care team sees when an account is deleted: a leaving moderator's threads and cases go
back to the team, a leaving customer's cases close (and the CRM hears of it), and an
administrator's deletion of someone's account is in the audit log."""

import pytest
from sqlmodel import Session, col, select

from community import account_erasure
from community.events import OutboxEvent
from community.models import Role, User
from community.policy import Guardian
from moderation import cases, claims
from moderation.models import AuditEntry, CareThread, CaseChange, CaseStatus, SupportCase
from search.models import SuggestionEvent
from tests.conftest import drain
from tests.factories import PASSWORD, make_category, make_thread, make_user
from tests.moderation.brand_helpers import client_for, open_case, submit


@pytest.fixture
def people(session, clock) -> dict[str, User]:
    return {
        "mara": make_user(session, clock, username="mara", role=Role.moderator),
        "luca": make_user(session, clock, username="luca", role=Role.moderator),
        "customer": make_user(session, clock, username="customer"),
    }


def _events(session: Session, name: str) -> list[OutboxEvent]:
    return list(session.exec(select(OutboxEvent).where(col(OutboxEvent.name) == name)))


def test_a_leaving_moderators_claims_and_cases_go_back_to_the_team(session, clock, people):
    mara, customer = people["mara"], people["customer"]
    thread = make_thread(session, clock, author=customer, category=make_category(session))
    claims.claim(session, Guardian(mara), thread, clock=clock)
    case = open_case(session, clock, people["luca"], thread)
    cases.update_case(session, Guardian(people["luca"]), case, assignee_id=mara.id, clock=clock)

    account_erasure.erase(session, Guardian(mara), mara, password=PASSWORD, clock=clock)

    session.expire_all()
    care = session.get(CareThread, thread.id)
    assert care is not None and care.assignee_id is None and care.claimed_at is None
    released = _events(session, "thread_released")[-1].data
    assert released["moderator_id"] == mara.id
    refreshed = session.get(SupportCase, case.id)
    assert refreshed is not None
    assert refreshed.assignee_id is None and refreshed.status == CaseStatus.open


def test_a_leaving_customers_open_cases_close_and_the_crm_is_told(session, clock, people):
    customer = people["customer"]
    category = make_category(session)
    thread = make_thread(session, clock, author=customer, category=category)
    earlier = make_thread(session, clock, author=customer, category=category, title="Old bill")
    case = open_case(session, clock, people["luca"], thread)
    closed_before = open_case(session, clock, people["luca"], earlier)
    for status in (CaseStatus.resolved, CaseStatus.closed):
        cases.update_case(
            session, Guardian(people["luca"]), closed_before, status=status, clock=clock
        )
    updates_before = len(_events(session, "case_updated"))
    clock.advance(minutes=5)

    account_erasure.erase(session, Guardian(customer), customer, password=PASSWORD, clock=clock)

    session.expire_all()
    closed = session.get(SupportCase, case.id)
    assert closed is not None
    assert closed.status == CaseStatus.closed and closed.closed_at == clock.now()
    change = session.exec(
        select(CaseChange).where(col(CaseChange.case_id) == case.id, CaseChange.field == "status")
    ).one()
    assert change.value == CaseStatus.closed and change.actor_id == customer.id
    sent = _events(session, "case_updated")
    assert len(sent) == updates_before + 1  # the case already closed is left as it was
    assert sent[-1].data["case_id"] == case.id and sent[-1].data["status"] == "closed"


def test_an_admins_deletion_is_audited_and_a_members_own_is_not(app, session, clock, admin, people):
    customer = people["customer"]
    browser = client_for(app, admin)
    response = submit(browser, "/mod/users/customer/erase", {"confirm_username": "customer"})
    assert response.status_code == 303
    leaving = make_user(session, clock, username="leaving")
    account_erasure.erase(session, Guardian(leaving), leaving, password=PASSWORD, clock=clock)

    drain(session, clock)

    entries = session.exec(
        select(AuditEntry).where(col(AuditEntry.action) == "erase_account")
    ).all()
    assert [(e.actor_id, e.target_id) for e in entries] == [(admin.id, customer.id)]
    page = browser.get("/mod/audit").text
    assert "Deleted an account" in page
    assert "customer" not in page.split("Deleted an account", 1)[1].split("</tr>", 1)[0]


def test_suggestion_clicks_stay_counted_without_the_member(session, clock, people):
    customer = people["customer"]
    session.add(
        SuggestionEvent(
            kind="impression",
            token="t" * 20,
            user_id=customer.id,
            shown="1,2",
            created_at=clock.now(),
        )
    )
    session.commit()

    account_erasure.erase(session, Guardian(customer), customer, password=PASSWORD, clock=clock)

    session.expire_all()
    (row,) = session.exec(select(SuggestionEvent)).all()
    assert row.user_id is None and row.shown == "1,2"
