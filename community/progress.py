"""The progress bar of the long operator commands (seed, reindex, embed-backfill, resignal)."""

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn


def progress_bar(
    description: str = "{task.description}",
    *,
    console: Console | None = None,
    disable: bool = False,
) -> Progress:
    """Description, bar, "done/total" and elapsed time; use it as a context manager."""
    return Progress(
        TextColumn(description),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        disable=disable,
    )
