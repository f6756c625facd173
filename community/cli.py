"""The `peerdesk` operator command. main.cli() registers outbox consumers, then runs this."""

from collections.abc import Iterator
from contextlib import contextmanager, suppress
from enum import StrEnum
from typing import TYPE_CHECKING, NoReturn

import typer

from community.settings import get_settings

if TYPE_CHECKING:
    from sqlmodel import Session

    from community.errors import DomainError

app = typer.Typer(help="peerdesk: operate a peer-support community.", no_args_is_help=True)


@app.command()
def migrate() -> None:
    """Bring the database schema up to date (Alembic upgrade head)."""
    from community import migrate as migrations

    settings = get_settings()
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    migrations.upgrade(settings.sqlalchemy_url)
    typer.echo("database is up to date")


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Address to bind."),
    port: int = typer.Option(8000, help="Port to listen on."),
    workers: int = typer.Option(1, help="App processes (use PostgreSQL for more than one)."),
) -> None:
    """Serve the web app and API (with the in-process outbox worker)."""
    import uvicorn

    uvicorn.run(
        "main:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=True,
        log_level="info",
    )


@app.command()
def seed(
    threads: int = typer.Option(400, "--threads", min=0, help="How many threads to invent."),
    seed: int = typer.Option(42, "--seed", help="Random seed: the same seed gives the same data."),
    if_empty: bool = typer.Option(
        False, "--if-empty", help="Do nothing when the database already has users."
    ),
    now: str = typer.Option(
        "", "--now", help="Reference time, ISO 8601 (default: now, to the hour, UTC)."
    ),
) -> None:
    """Fill an empty database with the Connettia demo community (no outbox events)."""
    from datetime import UTC, datetime

    from community.clock import SystemClock
    from community.db import get_engine
    from community.seed import DEMO_ACCOUNTS, DEMO_PASSWORD, loader

    engine = get_engine(get_settings().sqlalchemy_url)
    if loader.has_users(engine):
        if not if_empty:
            typer.echo("error: the database already has users; seed fills an empty one", err=True)
            raise typer.Exit(1)
        typer.echo("the database already has users: nothing to seed")
    else:
        try:
            reference = datetime.fromisoformat(now) if now else SystemClock().now()
        except ValueError:
            typer.echo(f"error: --now is not an ISO 8601 time: {now}", err=True)
            raise typer.Exit(1) from None
        if reference.tzinfo is None:
            reference = reference.replace(tzinfo=UTC)
        if not now:
            reference = reference.replace(minute=0, second=0, microsecond=0)
        summary = loader.seed(engine, threads=threads, seed=seed, now=reference, show_progress=True)
        typer.echo(
            f"seeded {summary.threads:,} threads, {summary.posts:,} posts, {summary.kudos:,} "
            f"kudos, {summary.solutions:,} solutions and {summary.users:,} users "
            f"({summary.reputation_entries:,} reputation entries, {summary.badges:,} badges) "
            f"in {summary.seconds:.1f} s"
        )
    if loader.has_demo_accounts(engine):
        names = ", ".join(f"{a.username} ({a.role})" for a in DEMO_ACCOUNTS)
        typer.echo(f"demo accounts: {names}; password: {DEMO_PASSWORD}")


class LogLevel(StrEnum):
    debug = "debug"
    info = "info"
    warning = "warning"


@app.command()
def worker(
    poll: float = typer.Option(0.5, help="Seconds to wait when the outbox is empty."),
    consumer: list[str] = typer.Option(
        [],
        "--consumer",
        help="Run only this consumer (repeatable; default: all), e.g. a worker of its own for "
        "the slow embeddings.",
    ),
    log_level: LogLevel = typer.Option(
        LogLevel.info,
        "--log-level",
        case_sensitive=False,
        help="debug logs every delivery handled, with the worker's pid.",
    ),
) -> None:
    """Drain the outbox in the foreground.

    Run several at once on PostgreSQL: FOR UPDATE SKIP LOCKED keeps any event from running twice.

    On SQLite run one. SIGTERM stops it once the batch in hand is committed; Ctrl-C at once.
    """
    import logging
    import os
    import signal

    from community import events
    from community.clock import SystemClock
    from community.db import get_engine
    from community.worker import OutboxWorker, process_setups

    unknown = sorted(set(consumer) - set(events.registry.consumers))
    if unknown:
        known = ", ".join(sorted(events.registry.consumers))
        raise typer.BadParameter(
            f"unknown consumer {', '.join(unknown)} (known: {known})", param_hint="--consumer"
        )
    logging.basicConfig(
        level=log_level.value.upper(),
        format="%(asctime)s %(levelname)s [pid %(process)d] %(name)s: %(message)s",
    )
    for chatty in ("httpx", "httpcore"):  # one line per HTTP request otherwise
        logging.getLogger(chatty).setLevel(logging.WARNING)
    settings = get_settings()
    only = sorted(consumer) or None
    runner = OutboxWorker(
        get_engine(settings.sqlalchemy_url), SystemClock(), poll_seconds=poll, only=only
    )
    signal.signal(signal.SIGTERM, lambda *_: runner.stop_soon())
    names = only or sorted(events.registry.consumers)
    undo = [setup(names) for setup in process_setups]
    try:
        typer.echo(f"worker {os.getpid()} started ({', '.join(names)}); Ctrl-C to stop")
        with suppress(KeyboardInterrupt):
            runner.run_forever()
    finally:
        for step in reversed(undo):
            step()
    typer.echo(f"worker {os.getpid()} stopped")


# --- outbox: what the consumers have left to do, and what failed -------------------------------


@app.command("outbox")
def outbox(
    retry_parked: bool = typer.Option(
        False, "--retry-parked", help="Put the parked deliveries back in line, due now."
    ),
    consumer: str | None = typer.Option(
        None, help="With --retry-parked: only this consumer's deliveries."
    ),
) -> None:
    """What each outbox consumer has left to do, and the latest failures (a mail server or a CRM
    that refuses); with --retry-parked, try again what was given up on."""
    from community import events, outbox_status
    from community.clock import SystemClock

    if consumer is not None and consumer not in events.registry.consumers:
        known = ", ".join(sorted(events.registry.consumers))
        typer.echo(f"error: there is no consumer {consumer!r}; there are: {known}", err=True)
        raise typer.Exit(1)
    now = SystemClock().now()
    with _accounts_session() as session:
        if retry_parked:
            moved = outbox_status.retry_parked(session, now=now, consumer=consumer)
            typer.echo(f"{moved:,} parked deliveries put back in line")
            return
        rows = outbox_status.status(session)
        failures = outbox_status.recent_failures(session)
    if not rows:
        typer.echo("nothing waiting: every consumer is up to date")
        return
    typer.echo(f"{'consumer':<14} {'waiting':>8} {'retrying':>9} {'parked':>7}  oldest")
    for row in rows:
        age = f"{(now - row.oldest).total_seconds() / 60:,.0f} min ago" if row.oldest else "-"
        typer.echo(
            f"{row.consumer:<14} {row.waiting:>8,} {row.retrying:>9,} {row.parked:>7,}  {age}"
        )
    if failures:
        typer.echo("latest failures:")
    for failure in failures:
        state = "parked" if failure.parked else "retrying"
        typer.echo(
            f"  {failure.consumer} event {failure.event_id} {failure.event_name}, "
            f"{failure.attempts} attempts, {state}: {failure.error[:300]}"
        )


# --- reputation: rebuild totals and tallies from the ledger, or the ledger from the facts -------


@app.command("recompute-reputation")
def recompute_reputation() -> None:
    """Rebuild every member's reputation total and the leaderboard tallies from the ledger."""
    import time

    from sqlmodel import Session

    from community import reputation
    from community.db import get_engine

    started = time.perf_counter()
    with Session(get_engine(get_settings().sqlalchemy_url)) as session:
        recount = reputation.recompute(session)
    typer.echo(
        f"{recount.users:,} users checked, {recount.changed:,} totals corrected, "
        f"{recount.tallies:,} tallies rebuilt in {time.perf_counter() - started:.1f} s"
    )


@app.command("backfill-reputation")
def backfill_reputation() -> None:
    """Write the reputation ledger of a database that predates it (or was filled by bulk
    inserts) from its kudos, accepted solutions and replies; only when the ledger is empty."""
    from community import reputation_backfill
    from community.db import get_engine
    from community.errors import DomainError

    try:
        summary = reputation_backfill.backfill(
            get_engine(get_settings().sqlalchemy_url), show_progress=True
        )
    except DomainError as exc:
        _fail(exc)
    typer.echo(
        f"{summary.entries:,} ledger entries written ({summary.kudos:,} for kudos, "
        f"{summary.capped:,} of them capped; {summary.solutions:,} accepted solutions; "
        f"{summary.rescues:,} rescues); {summary.recount.users:,} users checked, "
        f"{summary.recount.changed:,} totals set, {summary.recount.tallies:,} tallies rebuilt "
        f"in {summary.seconds:.1f} s"
    )


# --- accounts: administrators, moderators and API tokens, for the operator ---------------------


@contextmanager
def _accounts_session() -> Iterator["Session"]:
    from sqlmodel import Session

    from community.db import get_engine

    with Session(get_engine(get_settings().sqlalchemy_url), expire_on_commit=False) as session:
        yield session


def _fail(exc: "DomainError") -> NoReturn:
    message = exc.message % exc.params if exc.params else exc.message
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(1)


@app.command("create-admin")
def create_admin(
    username: str = typer.Argument(help="Username: 3 to 30 characters a-z, 0-9 and _."),
    email: str = typer.Option(..., "--email", help="The administrator's email address."),
    password: str | None = typer.Option(
        None,
        "--password",
        help="Password (at least 10 characters). Left out: asked for, or generated and printed.",
    ),
) -> None:
    """Create an administrator account."""
    import secrets
    import sys

    from community import accounts
    from community.clock import SystemClock
    from community.errors import DomainError
    from community.policy import OperatorGuardian

    generated = False
    if password is None and sys.stdin.isatty():
        password = typer.prompt(
            "Password (leave empty to generate one)",
            default="",
            hide_input=True,
            confirmation_prompt=True,
            show_default=False,
        )
    if not password:
        password, generated = secrets.token_urlsafe(15), True
    with _accounts_session() as session:
        try:
            user = accounts.create_admin(
                session,
                OperatorGuardian(),
                username=username,
                email=email,
                password=password,
                clock=SystemClock(),
            )
        except DomainError as exc:
            _fail(exc)
    typer.echo(f"administrator {user.username} created")
    if generated:
        typer.echo(f"password: {password}")


@app.command("grant-moderator")
def grant_moderator(
    username: str = typer.Argument(help="The member who becomes a moderator."),
) -> None:
    """Make a member a moderator (staff)."""
    _set_moderator(username, moderator=True)


@app.command("revoke-moderator")
def revoke_moderator(
    username: str = typer.Argument(help="The moderator who becomes a plain member again."),
) -> None:
    """Take the moderator role away from a member."""
    _set_moderator(username, moderator=False)


def _set_moderator(username: str, *, moderator: bool) -> None:
    from community import accounts
    from community.clock import SystemClock
    from community.errors import DomainError
    from community.policy import OperatorGuardian

    change = accounts.grant_moderator if moderator else accounts.revoke_moderator
    with _accounts_session() as session:
        try:
            user = accounts.get_user_by_username(session, username)
            change(session, OperatorGuardian(), user, clock=SystemClock())
        except DomainError as exc:
            _fail(exc)
    typer.echo(f"{user.username} is now a {'moderator' if moderator else 'member'}")


@app.command("erase-account")
def erase_account(
    username: str = typer.Argument(help="The member whose account is deleted."),
    yes: bool = typer.Option(False, "--yes", help="Do not ask for confirmation."),
) -> None:
    """Delete an account: its personal data is wiped; its posts stay under a pseudonym."""
    from community import account_erasure, accounts
    from community.clock import SystemClock
    from community.errors import DomainError
    from community.policy import OperatorGuardian

    if not yes and not typer.confirm(f"Delete the account {username} for good?"):
        raise typer.Exit(1)
    with _accounts_session() as session:
        try:
            user = accounts.get_user_by_username(session, username)
            account_erasure.erase(
                session,
                OperatorGuardian(),
                user,
                confirm_username=user.username,
                clock=SystemClock(),
            )
        except DomainError as exc:
            _fail(exc)
    typer.echo(f"account {username} deleted; its posts now show {user.username}")


@app.command("token")
def token(
    username: str = typer.Argument(help="The member the token acts as."),
    name: str = typer.Option("cli", "--name", help="A label to recognise the token by later."),
) -> None:
    """Create a personal API token for a member and print it (it is shown only once)."""
    from community import accounts
    from community.clock import SystemClock
    from community.errors import DomainError
    from community.policy import Guardian

    with _accounts_session() as session:
        try:
            user = accounts.get_user_by_username(session, username)
            _, secret = accounts.create_api_token(
                session, Guardian(user), name=name, clock=SystemClock()
            )
        except DomainError as exc:
            _fail(exc)
    typer.echo(secret)
