"""Reading what the community mailed (the ``mailbox`` fixture of conftest reads the pickup
directory), and running the mail consumer's idle step, which decides which notifications go out."""

from email.message import EmailMessage

from sqlmodel import Session

from community import events
from community.clock import FrozenClock
from tests.conftest import drain


def body(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


def run_mailer(session: Session, clock: FrozenClock) -> None:
    """The outbox as an idle worker runs it: events first, then the mailer's decisions, whose
    events are then sent."""
    drain(session, clock)
    consumer = events.registry.consumers["mail"]
    while events.catch_up(session, consumer, now=clock.now()):
        pass
    drain(session, clock)
