"""`peerdesk outbox`, as an operator uses it: a mail server that refuses shows up as failures,
then parked deliveries; once it is fixed, `--retry-parked` sends what was given up on."""

from collections.abc import Iterator

import pytest
from sqlmodel import Session
from typer.testing import CliRunner

from community import cli, events
from community.clock import FrozenClock, SystemClock
from community.settings import get_settings
from tests.conftest import Mailbox, drain
from tests.factories import make_user
from tests.moderation.brand_helpers import submit


@pytest.fixture
def runner(db, database_url, monkeypatch) -> Iterator[CliRunner]:
    monkeypatch.setenv("DATABASE_URL", database_url)
    get_settings.cache_clear()
    yield CliRunner()
    monkeypatch.delenv("DATABASE_URL")
    get_settings.cache_clear()


def outbox(runner: CliRunner, *args: str) -> str:
    result = runner.invoke(cli.app, ["outbox", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_a_refusing_mail_server_is_seen_and_its_mail_sent_once_fixed(
    runner, client, session: Session, clock: FrozenClock, monkeypatch, mailbox: Mailbox
):
    assert outbox(runner) == "nothing waiting: every consumer is up to date\n"
    make_user(session, clock, username="giulia")
    monkeypatch.setenv("PEERDESK_SMTP_URL", "smtp://127.0.0.1:9")  # nothing listens there
    get_settings.cache_clear()
    submit(client, "/password/forgot", {"login": "giulia"})
    drain(session, clock)

    shown = outbox(runner)
    assert "mail                  0         1       0" in shown
    assert "mail event 1 password_reset_requested, 1 attempts, retrying: MailNotSent" in shown

    for _ in range(events.MAX_ATTEMPTS):
        clock.advance(hours=2)
        drain(session, clock)
    shown = outbox(runner)
    assert "mail                  0         0       1" in shown
    assert f"{events.MAX_ATTEMPTS} attempts, parked" in shown
    assert mailbox() == []

    monkeypatch.delenv("PEERDESK_SMTP_URL")  # fixed: the pickup directory takes it
    get_settings.cache_clear()
    assert outbox(runner, "--retry-parked", "--consumer", "mail") == (
        "1 parked deliveries put back in line\n"
    )
    session.expire_all()
    events.drain(session, now=SystemClock().now())
    assert len(mailbox()) == 1
    assert outbox(runner) == "nothing waiting: every consumer is up to date\n"


def test_an_unknown_consumer_is_refused_with_the_known_ones(runner):
    result = runner.invoke(cli.app, ["outbox", "--retry-parked", "--consumer", "mailer"])
    assert result.exit_code == 1
    assert "there is no consumer 'mailer'; there are: audit, badges" in result.output
