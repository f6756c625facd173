"""Opaque keyset cursors over (time, id): what "next page" links and ``next_cursor`` carry."""

import base64
import binascii
from datetime import datetime

from community.clock import as_utc
from community.errors import Invalid


def encode_time_cursor(at: datetime, last_id: int) -> str:
    raw = f"{as_utc(at).isoformat()}|{last_id}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_time_cursor(cursor: str) -> tuple[datetime, int]:
    """The (aware UTC time, id) a cursor names; Invalid for anything that is not one of ours."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        raw = base64.urlsafe_b64decode(padded.encode("ascii")).decode()
        stamp, _, last_id = raw.partition("|")
        at = datetime.fromisoformat(stamp)
        if at.tzinfo is None:
            raise ValueError("naive cursor")
        return as_utc(at), int(last_id)
    except (ValueError, UnicodeError, binascii.Error):
        raise Invalid("This page link is not valid any more.", field="cursor") from None
