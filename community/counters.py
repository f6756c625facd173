"""Denormalised counters changed in SQL (``count = count + n``), so concurrent writers never lose
an increment the way a read-modify-write of the ORM attribute would."""

from sqlalchemy import inspect, update
from sqlmodel import Session, SQLModel


def bump(session: Session, model: type[SQLModel], row_id: int | None, **deltas: int) -> None:
    """Add each delta to its column of one row; objects in the session see the new values."""
    if row_id is None or not any(deltas.values()):
        return
    key = inspect(model).primary_key[0]
    values = {name: getattr(model, name) + delta for name, delta in deltas.items() if delta}
    session.execute(update(model).where(key == row_id).values(values))
