"""The demo's advocate (``peerdesk seed``): of the demo accounts anyone can sign in with, the member
whose answers were accepted most often is nominated for the two categories they answered most in,
so the advocate programme (/advocate, /mod/advocates, the advocate badge) has someone to show.
"""

from datetime import datetime

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from community import badges
from community.models import AdvocateCategory, Post, Role, Solution, Thread, User
from community.seed import DEMO_ACCOUNTS

CATEGORIES = 2


def seed_demo(session: Session) -> int:
    """Nominate the demo's advocate when the community has none. Commits; returns how many rows
    were added (the advocate's categories and badge)."""
    if session.exec(select(User.id).where(col(User.advocate_since).is_not(None))).first():
        return 0
    members = [account.username for account in DEMO_ACCOUNTS if account.role == Role.member]
    solved = func.count(col(Solution.thread_id))
    found = session.exec(
        select(col(User.id), func.max(col(Solution.accepted_at)))
        .join(Post, col(Post.author_id) == col(User.id))
        .join(Solution, col(Solution.post_id) == col(Post.id))
        .where(col(User.username).in_(members), col(User.role) == Role.member)
        .group_by(col(User.id))
        .order_by(solved.desc(), col(User.id))
    ).first()
    if found is None:
        return 0
    user_id, last_accepted = found
    assert user_id is not None  # a primary key
    category_ids = _most_answered_categories(session, user_id)
    _nominate(session, user_id, category_ids, since=last_accepted)
    return len(category_ids) + badges.award_all(session)


def _most_answered_categories(session: Session, user_id: int) -> list[int]:
    answers = func.count(col(Post.id))
    query = (
        select(col(Thread.category_id))
        .join(Post, col(Post.thread_id) == col(Thread.id))
        .where(col(Post.author_id) == user_id, col(Post.post_number) > 1)
        .group_by(col(Thread.category_id))
        .order_by(answers.desc(), col(Thread.category_id))
        .limit(CATEGORIES)
    )
    return list(session.exec(query))


def _nominate(session: Session, user_id: int, category_ids: list[int], *, since: datetime) -> None:
    """As a moderator's nomination leaves them (moderation.advocates.nominate), without the event
    and audit entry: in the demo, nobody did it."""
    session.execute(update(User).where(col(User.id) == user_id).values(advocate_since=since))
    session.add_all(AdvocateCategory(user_id=user_id, category_id=c) for c in category_ids)
    session.flush()


def install() -> None:
    """``peerdesk seed`` also nominates the demo's advocate (main.configure_consumers)."""
    from community.seed import loader

    if seed_demo not in loader.after_seed:
        loader.after_seed.append(seed_demo)
