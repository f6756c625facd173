"""Path, query and form parameters shared by the HTML pages and the JSON API.

The descriptions only show in the OpenAPI document; the HTML router is left out of it.
"""

from typing import Annotated

from fastapi import Form, Path, Query

MAX_ID = 2**31 - 1  # ids are 32-bit integers in PostgreSQL


def parse_number(raw: str, *, low: int = 1, high: int = MAX_ID) -> int | None:
    """The whole number ``raw`` writes in ASCII digits (spaces around it allowed) when it is
    from ``low`` to ``high``; None for anything else.

    Not ``str.isdigit()``: it is true for "²", which ``int()`` refuses, and for "٣", which
    ``int()`` reads as 3. The length check comes first so no huge string reaches ``int()``.
    """
    text = raw.strip()
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(high)):
        return None
    number = int(text)
    return number if low <= number <= high else None


ThreadId = Annotated[int, Path(ge=1, le=MAX_ID, description="The thread's numeric id.")]
PostId = Annotated[int, Path(ge=1, le=MAX_ID, description="The post's numeric id.")]
NotificationId = Annotated[int, Path(ge=1, le=MAX_ID, description="The notification's id.")]
TokenId = Annotated[int, Path(ge=1, le=MAX_ID, description="The API token's id.")]
PageQuery = Annotated[
    int, Query(ge=1, le=1_000_000, description="Page of replies (the question heads every page).")
]
FormStr = Annotated[str, Form()]
BeforeQuery = Annotated[
    int | None,
    Query(
        ge=1,
        le=MAX_ID,
        description="Keyset cursor: only entries with a smaller id (`next_cursor` of the "
        "previous page); leave out for the newest.",
    ),
]
