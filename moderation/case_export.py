"""A member's private cases in their copy of their data (community.data_export): each case as
they see it, with the messages of the conversation and never the brand's internal notes."""

from typing import Any

from sqlmodel import Session, col, select

from community import data_export
from community.models import User
from moderation.models import CaseMessage, SupportCase


def cases_of(session: Session, user: User) -> list[dict[str, Any]]:
    cases = session.exec(
        select(SupportCase)
        .where(col(SupportCase.customer_id) == user.id)
        .order_by(col(SupportCase.id))
    ).all()
    messages: dict[int, list[dict[str, Any]]] = {case.id: [] for case in cases if case.id}
    found = session.exec(
        select(CaseMessage, User.username)
        .join(User, col(User.id) == col(CaseMessage.author_id))
        .where(
            col(CaseMessage.case_id).in_(list(messages)), col(CaseMessage.is_internal).is_(False)
        )
        .order_by(col(CaseMessage.id))
    )
    for message, author in found:
        messages[message.case_id].append(
            {
                "from": "you" if message.author_id == user.id else "brand",
                "author": author,
                "body": message.body,
                "created_at": message.created_at.isoformat(),
            }
        )
    return [
        {
            "id": case.id,
            "subject": case.subject,
            "status": case.status,
            "thread_id": case.thread_id,
            "messages": messages.get(case.id or 0, []),
        }
        for case in cases
    ]


def install() -> None:
    data_export.add_section("cases", cases_of)
