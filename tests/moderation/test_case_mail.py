"""A customer taken to a private case hears by e-mail when the brand writes and they have not
looked: the message says who wrote and about which thread, and never what the case says."""

from community.models import Role
from community.policy import Guardian
from community.settings import get_settings
from moderation import cases
from tests.factories import make_category, make_thread, make_user
from tests.mail_helpers import body, run_mailer
from tests.moderation.brand_helpers import open_case

SECRET = "Your IBAN ends in 4321: we refunded it"


def test_the_brands_message_in_a_case_comes_by_email_without_its_text(session, clock, mailbox):
    customer = make_user(session, clock, username="giulia", language="en")
    sara = make_user(session, clock, username="sara", role=Role.moderator)
    thread = make_thread(
        session, clock, author=customer, category=make_category(session), title="Double charge"
    )
    case = open_case(session, clock, sara, thread)
    cases.add_message(session, Guardian(sara), case, body=SECRET, clock=clock)

    clock.advance(minutes=get_settings().email_delay_minutes)
    run_mailer(session, clock)

    (message,) = [m for m in mailbox() if m["To"] == "Giulia <giulia@example.com>"]
    text = body(message)
    assert "Sara of the support team wrote to you privately about Double charge" in text
    assert "http://127.0.0.1:8000/cases" in text
    assert "4321" not in text and "Which invoice" not in text
