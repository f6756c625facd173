"""Search commands of ``peerdesk`` (main.cli mounts them on the community command)."""

from typing import Any

import typer

from community.progress import progress_bar
from community.settings import get_settings


def reindex(
    batch_size: int = typer.Option(500, "--batch-size", min=1, help="Threads per batch."),
    if_missing: bool = typer.Option(
        False,
        "--if-missing",
        help="Only build when the live index is missing or empty (make run uses this after "
        "seeding); without Meilisearch, warn instead of failing.",
    ),
) -> None:
    """Rebuild the search index from the database: new index, then swap (no downtime)."""
    from community.db import get_engine
    from search import reindex as rebuilding
    from search.indexer import THREADS
    from search.runtime import start_search
    from search.settings import SearchSettings

    settings = get_settings()
    runtime = start_search(SearchSettings(var_dir=settings.var_dir))
    try:
        service = runtime.service
        if service is None and if_missing:
            typer.echo("warning: Meilisearch is not available; search runs degraded", err=True)
            return
        if service is None:
            typer.echo(
                "error: Meilisearch is not available (search disabled, or the managed server "
                "could not start: is the app running? then set MEILI_URL and MEILI_MASTER_KEY)",
                err=True,
            )
            raise typer.Exit(1)
        if if_missing and _live_index_has_documents(service.client, service.index_name(THREADS)):
            typer.echo("the search index is already built")
            return
        with progress_bar() as bar:
            task = bar.add_task("indexing threads", total=None)
            result = rebuilding.rebuild(
                get_engine(settings.sqlalchemy_url),
                service.client,
                service.index_name(THREADS),
                batch_size=batch_size,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
            )
    finally:
        runtime.stop()
    typer.echo(
        f"indexed {result.documents:,} threads into {result.live} "
        f"(built as {result.built}, swapped in) in {result.seconds:.1f} s"
    )


def _live_index_has_documents(client: Any, name: str) -> bool:
    from meilisearch.errors import MeilisearchApiError

    try:
        return bool(client.index(name).get_stats().number_of_documents)
    except MeilisearchApiError:
        return False


def embed_backfill(
    batch_size: int = typer.Option(32, "--batch-size", min=1, help="Posts per batch (a commit)."),
) -> None:
    """Embed every post without a vector from the current model (seeded data, a new model)."""
    import time

    from sqlmodel import Session

    from community.clock import SystemClock
    from community.db import get_engine
    from search import embeddings

    started = time.perf_counter()
    engine = get_engine(get_settings().sqlalchemy_url)
    with Session(engine, expire_on_commit=False) as session:
        missing = embeddings.missing_count(session)
        with progress_bar() as bar:
            task = bar.add_task("embedding posts", total=missing)
            done = embeddings.backfill(
                session,
                now=SystemClock().now(),
                batch_size=batch_size,
                on_batch=lambda count: bar.advance(task, count),
            )
    seconds = time.perf_counter() - started
    typer.echo(f"embedded {done:,} posts with {embeddings.MODEL_NAME} in {seconds:.1f} s")
    if done:
        typer.echo("run `peerdesk reindex` so that search documents carry the new vectors")


def register(app: typer.Typer) -> None:
    """Add the search commands to the ``peerdesk`` Typer app."""
    app.command("reindex")(reindex)
    app.command("embed-backfill")(embed_backfill)
