"""case timelines get the changes made before 0015: each case's outbox events are replayed

Revision ID: 0021
Revises: 0020
Create Date: 2026-11-24 19:30:00

Data only. Every ``case_updated`` event carries the case's status, priority and assignee after
the change, and the ``case_opened`` audit entry the state it started in, so replaying a case's
events in order gives every change, by whom and when; each ``case_message_added`` event before a
change says which message the change followed. A case whose timeline already holds some changes
(those made since 0015) gets the earlier ones in front of them: its changes are written again, in
the order they were made. A case whose recorded changes do not match the replay is left alone.
A downgrade keeps the rows (0015's own downgrade drops the table).
"""

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

from community.db import UTCDateTime

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The order moderation.cases records the fields of one change in, with the CaseChange name.
_FIELDS = (("status", "status"), ("priority", "priority"), ("assignee_id", "assignee"))

_event = sa.table(
    "outbox_event",
    sa.column("id", sa.Integer),
    sa.column("name", sa.String),
    sa.column("payload", sa.Text),
    sa.column("created_at", UTCDateTime(timezone=True)),
)
_audit = sa.table(
    "audit_entry",
    sa.column("id", sa.Integer),
    sa.column("action", sa.String),
    sa.column("target_type", sa.String),
    sa.column("target_id", sa.Integer),
    sa.column("after", sa.Text),
)
_support_case = sa.table(
    "support_case", sa.column("id", sa.Integer), sa.column("created_by_id", sa.Integer)
)
_change = sa.table(
    "case_change",
    sa.column("id", sa.Integer),
    sa.column("case_id", sa.Integer),
    sa.column("actor_id", sa.Integer),
    sa.column("field", sa.String),
    sa.column("value", sa.String),
    sa.column("assignee_id", sa.Integer),
    sa.column("after_message_id", sa.Integer),
    sa.column("created_at", UTCDateTime(timezone=True)),
)


@dataclass(frozen=True)
class _Change:
    case_id: int
    actor_id: int
    field: str
    value: str | None
    assignee_id: int | None
    after_message_id: int | None
    created_at: datetime

    def row(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


def upgrade() -> None:
    bind = op.get_bind()
    replayed = _replay(bind)
    recorded: dict[int, list[_Change]] = {}
    for row in bind.execute(sa.select(_change).order_by(_change.c.id)).mappings():
        fields = {key: row[key] for key in _Change.__dataclass_fields__}
        recorded.setdefault(row["case_id"], []).append(_Change(**fields))
    for case_id, changes in replayed.items():
        have = recorded.get(case_id, [])
        if len(have) >= len(changes) or not _same_tail(changes, have):
            continue
        bind.execute(sa.delete(_change).where(_change.c.case_id == case_id))
        bind.execute(sa.insert(_change), [change.row() for change in changes])


def _replay(bind: sa.Connection) -> dict[int, list[_Change]]:
    """Every case's changes, in order, as moderation.cases would have recorded them."""
    state: dict[int, dict[str, Any]] = {}
    for row in bind.execute(
        sa.select(_audit.c.target_id, _audit.c.after).where(
            _audit.c.action == "case_opened", _audit.c.target_type == "case"
        )
    ):
        after = json.loads(row.after)
        state[row.target_id] = {key: after.get(key) for key, _ in _FIELDS}
    for case_id, created_by_id in bind.execute(sa.select(_support_case)):
        state.setdefault(
            case_id, {"status": "open", "priority": None, "assignee_id": created_by_id}
        )
    last_message: dict[int, int] = {}
    changes: dict[int, list[_Change]] = {}
    query = (
        sa.select(_event.c.name, _event.c.payload, _event.c.created_at)
        .where(_event.c.name.in_(("case_message_added", "case_updated")))
        .order_by(_event.c.id)
    )
    for name, payload, created_at in bind.execute(query):
        data = json.loads(payload)
        case_id = data.get("case_id")
        if case_id not in state:
            continue
        if name == "case_message_added":
            last_message[case_id] = data["message_id"]
            continue
        before = state[case_id]
        for key, field in _FIELDS:
            known = before[key] is not None or key == "assignee_id"
            if known and data.get(key) != before[key]:
                changes.setdefault(case_id, []).append(
                    _Change(
                        case_id=case_id,
                        actor_id=data["by_id"],
                        field=field,
                        value=None if field == "assignee" else data.get(key),
                        assignee_id=data.get(key) if field == "assignee" else None,
                        after_message_id=last_message.get(case_id),
                        created_at=created_at,
                    )
                )
        state[case_id] = {key: data.get(key) for key, _ in _FIELDS}
    return changes


def _same_tail(changes: list[_Change], have: list[_Change]) -> bool:
    """Whether the recorded changes are the replay's last ones (the moments aside: a database
    may give them back with another precision)."""
    if not have:
        return True

    def what(change: _Change) -> tuple[Any, ...]:
        return (change.actor_id, change.field, change.value, change.assignee_id)

    return [what(c) for c in changes[-len(have) :]] == [what(c) for c in have]


def downgrade() -> None:
    pass
