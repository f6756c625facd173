"""Opaque keyset cursors over (time, id): what "next page" links and ``next_cursor`` carry."""

import base64
import binascii
from datetime import UTC, datetime

from community import params
from community.clock import as_utc
from community.errors import Invalid


def encode_time_cursor(at: datetime, last_id: int) -> str:
    raw = f"{as_utc(at).isoformat()}|{last_id}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_time_cursor(cursor: str) -> tuple[datetime, int]:
    """The (aware UTC time, id) a cursor names; Invalid for anything that is not one of ours.

    A forged cursor must not reach the database: the id has to fit an id column and the time
    has to stay within years 1..9999 once moved to UTC (0001-01-01T00:00+05:00 does not).
    """
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        raw = base64.urlsafe_b64decode(padded.encode("ascii")).decode()
        stamp, _, id_text = raw.partition("|")
        at = datetime.fromisoformat(stamp)
        last_id = params.parse_number(id_text)
        if at.tzinfo is None or last_id is None:
            raise ValueError("not one of our cursors")
        return at.astimezone(UTC), last_id
    except (ValueError, OverflowError, UnicodeError, binascii.Error):
        raise Invalid("This page link is not valid any more.", field="cursor") from None
