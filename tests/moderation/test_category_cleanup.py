"""A deleted category takes moderation's rows along (moderation.categories, which the app installs
into the category editor as it starts): its first-response target, and the care rows, durations
and sentiment tallies of threads moved out before the care worker followed them. The care
dashboard and the service-level page keep working."""

from dataclasses import dataclass

import pytest
from fastapi import FastAPI
from sqlmodel import Session, col, select

from community import categories, events
from community.clock import FrozenClock
from community.models import Category, Post, Role, Thread, User
from community.policy import Guardian
from moderation import bulk_move, service_levels, tools
from moderation import categories as moderation_categories
from moderation.models import CareDuration, CareThread, SentimentDay, ServiceLevel
from tests.factories import make_category, make_reply, make_thread, make_user
from tests.moderation.brand_helpers import client_for
from tests.moderation.care_helpers import catch_up_care, run_care, signal


@dataclass
class World:
    admin: User
    moderator: User
    fibre: Category
    mobile: Category
    thread: Thread


@pytest.fixture
def world(session: Session, clock: FrozenClock) -> World:
    """A fibre thread with a reply, both read by the signals, its care figures up to date, and
    fibre's own 4-hour target."""
    admin = make_user(session, clock, username="ada", role=Role.admin)
    moderator = make_user(session, clock, username="mara", role=Role.moderator)
    fibre = make_category(session, slug="fibra")
    mobile = make_category(session, slug="mobile", position=1)
    service_levels.set_target(session, Guardian(admin), fibre, hours=4, clock=clock)
    asker = make_user(session, clock, username="asker")
    thread = make_thread(session, clock, author=asker, category=fibre)
    question = session.exec(
        select(Post).where(col(Post.thread_id) == thread.id, col(Post.post_number) == 1)
    ).one()
    clock.advance(minutes=30)
    reply = make_reply(session, clock, author=make_user(session, clock), thread=thread)
    signal(session, clock, question, sentiment="negative")
    signal(session, clock, reply, sentiment="neutral")
    run_care(session, clock)
    assert _categories_of_care_rows(session) == {fibre.id}
    return World(admin, moderator, fibre, mobile, thread)


def _categories_of_care_rows(session: Session) -> set[int | None]:
    session.expire_all()
    rows = [
        *session.exec(select(CareThread)),
        *session.exec(select(CareDuration)),
        *session.exec(select(SentimentDay)),
    ]
    return {row.category_id for row in rows}


def test_the_app_installs_the_cleanup_as_it_starts(app: FastAPI) -> None:
    assert moderation_categories.forget in categories.before_delete


def test_the_target_goes_and_care_rows_the_worker_has_not_moved_yet_follow_their_thread(
    session: Session, clock: FrozenClock, world: World
) -> None:
    fibre_id = world.fibre.id
    tools.move_thread(
        session, Guardian(world.moderator), world.thread, category=world.mobile, clock=clock
    )
    # The care worker has not read thread_moved yet: its rows still name fibre.
    categories.delete_category(session, Guardian(world.admin), world.fibre, clock=clock)

    assert session.get(ServiceLevel, fibre_id) is None
    assert session.get(Category, fibre_id) is None
    assert _categories_of_care_rows(session) == {world.mobile.id}
    day = session.exec(select(SentimentDay)).one()
    assert (day.posts, day.negative) == (2, 1)
    row = session.get(CareThread, world.thread.id)
    assert row is not None
    # Mobile has no target of its own: the default 24 hours, no longer fibre's 4.
    assert (row.due_at - row.created_at).total_seconds() == 24 * 3600

    run_care(session, clock)  # the worker catches up with the move: nothing changes, no error
    assert _categories_of_care_rows(session) == {world.mobile.id}
    assert session.exec(select(SentimentDay)).one().posts == 2


def test_a_category_emptied_at_once_takes_its_figures_along_before_the_worker_rebuilds_them(
    session: Session, clock: FrozenClock, world: World
) -> None:
    bulk_move.move_all_threads(
        session, Guardian(world.moderator), world.fibre, world.mobile, clock=clock
    )
    # The care worker has read threads_moved: the row names mobile, but its durations and
    # sentiment tallies wait for the background rebuild.
    run_care(session, clock)
    categories.delete_category(session, Guardian(world.admin), world.fibre, clock=clock)

    assert _categories_of_care_rows(session) == {world.mobile.id}
    day = session.exec(select(SentimentDay)).one()
    assert (day.posts, day.negative) == (2, 1)
    catch_up_care(session, clock)
    assert _categories_of_care_rows(session) == {world.mobile.id}
    assert session.exec(select(SentimentDay)).one().posts == 2


def test_the_dashboard_and_targets_still_show_after_a_category_with_figures_is_deleted(
    app: FastAPI, session: Session, clock: FrozenClock, world: World
) -> None:
    tools.move_thread(
        session, Guardian(world.moderator), world.thread, category=world.mobile, clock=clock
    )
    run_care(session, clock)  # the worker followed the move before the delete
    categories.delete_category(session, Guardian(world.admin), world.fibre, clock=clock)
    # Fibre's daily sentiment tallies, emptied by the move, went with it.
    assert _categories_of_care_rows(session) == {world.mobile.id}
    session.expire_all()
    events.drain(session, now=clock.now())

    staff = client_for(app, world.admin)
    dashboard = staff.get("/care/analytics")
    assert dashboard.status_code == 200
    assert 'id="category-row-mobile"' in dashboard.text
    assert 'id="category-row-fibra"' not in dashboard.text
    old_filter = staff.get("/care/analytics", params={"category": "fibra"})
    assert old_filter.status_code == 422 and 'id="category-error"' in old_filter.text
    export = staff.get("/api/v1/analytics.csv")
    assert export.status_code == 200 and "fibra" not in export.text
    targets = staff.get("/mod/service-levels")
    assert targets.status_code == 200 and "Fibra" not in targets.text and "Mobile" in targets.text
    queue = staff.get("/mod/queue")
    assert queue.status_code == 200
