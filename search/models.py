"""Tables of search: what the similar-thread suggestions showed, what was opened, what was posted.

One row per fact, tied together by the asking session's ``token`` (random, kept in the browser
session while someone asks). These rows feed the deflection figure: askings that saw suggestions,
opened one, and did or did not post a question afterwards.
"""

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from community.models import utc_column


class SuggestionKind(StrEnum):
    impression = "impression"  # suggestions were shown (``shown``: their thread ids, in order)
    click = "click"  # one was opened (``thread_id``)
    posted = "posted"  # the asker posted a question anyway (``thread_id``: the new thread)


class SuggestionEvent(SQLModel, table=True):
    __tablename__ = "suggestion_event"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=12)
    token: str = Field(max_length=40, index=True)
    user_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    thread_id: int | None = None
    shown: str | None = Field(default=None, max_length=200)
    created_at: datetime = Field(sa_column=utc_column(index=True))
