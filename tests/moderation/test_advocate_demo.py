"""The seeded demo has an advocate, so the advocate programme's pages have someone to show."""

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

import main
from community import migrate
from community.db import make_engine
from community.models import AdvocateCategory, BadgeAward, Post, Thread, User
from community.policy import Guardian
from community.seed import loader
from moderation import advocate_demo, advocates

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}"
    migrate.upgrade(url)
    engine = make_engine(url)
    main.configure_consumers()  # as `peerdesk seed` runs it
    loader.seed(engine, threads=150, seed=42, now=NOW)
    yield engine
    engine.dispose()


def test_a_demo_member_anyone_can_sign_in_as_is_the_advocate(seeded: Engine) -> None:
    with Session(seeded) as session:
        (advocate,) = session.exec(select(User).where(col(User.advocate_since).is_not(None)))
        assert advocate.username in {"giulia", "luca"}
        assert advocate.advocate_since is not None and advocate.advocate_since <= NOW
        badges = session.exec(select(BadgeAward.badge).where(BadgeAward.user_id == advocate.id))
        assert "advocate" in set(badges)


def test_the_advocate_looks_after_the_two_categories_they_answer_most_in(seeded: Engine) -> None:
    with Session(seeded) as session:
        (advocate,) = session.exec(select(User).where(col(User.advocate_since).is_not(None)))
        looked_after = set(
            session.exec(
                select(AdvocateCategory.category_id).where(AdvocateCategory.user_id == advocate.id)
            )
        )
        answered_in = [
            category_id
            for category_id, _ in session.exec(
                select(Thread.category_id, Post.id)
                .join(Post, col(Post.thread_id) == col(Thread.id))
                .where(Post.author_id == advocate.id, col(Post.post_number) > 1)
            )
        ]
        counts = sorted({answered_in.count(c) for c in set(answered_in)}, reverse=True)
        assert len(looked_after) == 2
        assert {answered_in.count(c) for c in looked_after} <= set(counts[:2])
        page = advocates.needs_answer(session, Guardian(advocate), now=NOW)
        assert page.items  # their "needs a peer answer" view has threads waiting
        assert {item.thread.category_id for item in page.items} <= looked_after


def test_seeding_the_advocate_again_changes_nothing(seeded: Engine) -> None:
    with Session(seeded) as session:
        assert advocate_demo.seed_demo(session) == 0
        assert advocate_demo.seed_demo in loader.after_seed
