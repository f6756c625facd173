"""Signal commands of ``peerdesk`` (main.cli mounts them): train, resignal, classify."""

import json
import sys
from collections.abc import Callable
from pathlib import Path

import typer

from community.progress import progress_bar
from community.settings import PROJECT_ROOT, get_settings

DEFAULT_DATA = PROJECT_ROOT.parent / "shared" / "data"


def train(
    data: Path = typer.Option(
        DEFAULT_DATA, "--data", help="The development data (one folder per labelled set)."
    ),
    output: Path | None = typer.Option(
        None, "--output", help="Where to write the weights (default: the shipped weights.npz)."
    ),
    cache: Path | None = typer.Option(
        None, "--cache", help="Cache of the training texts' e5 vectors (default var/train)."
    ),
    corrections: bool = typer.Option(
        True, "--corrections/--no-corrections", help="Learn from the moderators' corrections."
    ),
) -> None:
    """Retrain the sentiment and needs-the-brand classifiers from the development data and the
    moderators' corrections in the database; writes the weights with a new model version."""
    import time

    from sqlmodel import Session

    from community.db import get_engine
    from moderation import training
    from moderation.signals import model

    settings = get_settings()
    started = time.perf_counter()
    examples, _ = training.split(training.load_dev(data))
    typer.echo(f"{len(examples):,} development rows (held-out rows left out)")
    if corrections:
        with Session(get_engine(settings.sqlalchemy_url)) as session:
            extra = training.correction_examples(session)
        typer.echo(f"{len(extra):,} moderators' corrections")
        examples += extra
    texts = [e.text for e in examples]
    passages, features = training.caches(cache or settings.var_dir / "train")
    weights = training.fit(
        examples,
        passages.embed(texts, progress=_embedding_progress("passage vectors")),
        features.embed(texts, progress=_embedding_progress("feature vectors")),
        log=lambda line: typer.echo(line, err=True),
    )
    target = output or model.WEIGHTS_FILE
    weights.save(target)
    typer.echo(
        f"wrote {target} (model {weights.version}) in {time.perf_counter() - started:.0f} s; "
        "run `peerdesk resignal` to recompute every post's signals"
    )


def _embedding_progress(kind: str) -> Callable[[int, int], None]:
    def report(done: int, total: int) -> None:
        if done % 1024 < 32 or done == total:
            typer.echo(f"{kind}: embedded {done:,}/{total:,}", err=True)

    return report


def resignal(
    batch_size: int = typer.Option(64, "--batch-size", min=1, help="Posts per batch (a commit)."),
    only_missing: bool = typer.Option(
        False, "--missing", help="Only posts without signals from the current model."
    ),
) -> None:
    """Recompute every post's signals with the current model (stored vectors are reused)."""
    import time

    from sqlmodel import Session

    from community.clock import SystemClock
    from community.db import get_engine
    from moderation.signals import model_version, worker

    started = time.perf_counter()
    engine = get_engine(get_settings().sqlalchemy_url)
    with Session(engine, expire_on_commit=False) as session:
        total = worker.count_posts(session)
        with progress_bar() as bar:
            task = bar.add_task("signalling posts", total=total)
            done = worker.resignal(
                session,
                now=SystemClock().now(),
                batch_size=batch_size,
                only_missing=only_missing,
                on_batch=lambda count: bar.advance(task, count),
            )
    seconds = time.perf_counter() - started
    typer.echo(f"signalled {done:,} posts with {model_version()} in {seconds:.1f} s")


def classify(
    batch_size: int = typer.Option(32, "--batch-size", min=1, help="Lines per batch."),
) -> None:
    """Read texts, one per line, on standard input; print one JSON object per line with every
    signal (language, sentiment, sentiment_score, needs_brand, toxic, pii)."""
    from moderation.signals import analyse

    def flush(lines: list[str]) -> None:
        for signals in analyse(lines):
            out = signals.as_json()
            line = {
                key: out[key]
                for key in ("language", "sentiment", "sentiment_score", "needs_brand", "toxic")
            }
            line["pii"] = out["pii"]
            sys.stdout.write(json.dumps(line, ensure_ascii=False) + "\n")
        sys.stdout.flush()

    pending: list[str] = []
    for raw in sys.stdin:
        pending.append(raw.rstrip("\r\n"))
        if len(pending) >= batch_size:
            flush(pending)
            pending = []
    if pending:
        flush(pending)


def register(app: typer.Typer) -> None:
    app.command("train")(train)
    app.command("resignal")(resignal)
    app.command("classify")(classify)
