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
