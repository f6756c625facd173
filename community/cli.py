"""The `peerdesk` operator command. main.cli() registers outbox consumers, then runs this."""

import typer

from community.settings import get_settings

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
def worker(
    poll: float = typer.Option(0.5, help="Seconds to wait when the outbox is empty."),
) -> None:
    """Drain the outbox in the foreground (run several on PostgreSQL; stop with Ctrl-C)."""
    import signal

    from community.clock import SystemClock
    from community.db import get_engine
    from community.worker import OutboxWorker

    settings = get_settings()
    runner = OutboxWorker(get_engine(settings.sqlalchemy_url), SystemClock(), poll_seconds=poll)
    signal.signal(signal.SIGTERM, lambda *_: runner.stop_soon())
    typer.echo("worker started; Ctrl-C to stop")
    try:
        runner.run_forever()
    except KeyboardInterrupt:
        typer.echo("worker stopped")
