"""The audit log: every moderator action writes one entry (who, what, to what, when, before, after).

Services call ``record`` in their own transaction, before they commit, so an action and its entry
are stored together or not at all.
"""

import json
from collections.abc import Mapping
from datetime import date, datetime
from enum import Enum
from typing import Any

from sqlmodel import Session

from moderation.models import AuditEntry


def _plain(value: Any) -> Any:
    """A JSON-ready copy of ``value``: datetimes as ISO 8601, enums as their value."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    return value


def dumps(state: Mapping[str, Any]) -> str:
    return json.dumps(_plain(state), sort_keys=True, ensure_ascii=False, default=str)


def loads(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {"value": value}


def record(
    session: Session,
    *,
    actor_id: int,
    action: str,
    target_type: str,
    target_id: int,
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    now: datetime,
) -> AuditEntry:
    """Add an audit entry to ``session`` (the caller commits)."""
    entry = AuditEntry(
        actor_id=actor_id,
        action=action,
        target_type=target_type,
        target_id=target_id,
        before=dumps(before),
        after=dumps(after),
        created_at=now,
    )
    session.add(entry)
    return entry
