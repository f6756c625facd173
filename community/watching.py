"""Watching a thread: its watchers hear about every reply (see community.notifications).

Askers and repliers start watching automatically (community.posting adds the row only when none
exists), so an explicit unwatch, stored as ``watching=False``, is never undone by posting again.
Watching is a private preference read by nobody but the notifications handler, so it records no
outbox event.
"""

from sqlmodel import Session

from community.clock import Clock
from community.errors import NotFound
from community.i18n import N_
from community.models import Thread, User, Watch
from community.policy import Guardian, ensure, ensure_signed_in


def is_watching(session: Session, user: User | None, thread: Thread) -> bool:
    if user is None or user.id is None or thread.id is None:
        return False
    watch = session.get(Watch, (user.id, thread.id))
    return watch is not None and watch.watching


def set_watching(
    session: Session, guardian: Guardian, thread: Thread, *, watching: bool, clock: Clock
) -> Watch:
    """Start (``watching=True``) or stop following ``thread``; repeating either is harmless."""
    ensure_signed_in(guardian)
    if watching:
        ensure(guardian.can_watch(thread), N_("You cannot watch this thread."))
    elif not guardian.can_see_thread(thread):
        # Stopping is always allowed, but a thread one cannot see must not be confirmed to exist.
        raise NotFound("This thread does not exist.")
    assert thread.id is not None
    watch = session.get(Watch, (guardian.user_id, thread.id))
    if watch is None:
        watch = Watch(user_id=guardian.user_id, thread_id=thread.id, created_at=clock.now())
    elif watching and not watch.watching:
        # created_at says since when the user watches: replies from before do not reach them.
        watch.created_at = clock.now()
    watch.watching = watching
    session.add(watch)
    session.commit()
    return watch


def watch(session: Session, guardian: Guardian, thread: Thread, *, clock: Clock) -> Watch:
    return set_watching(session, guardian, thread, watching=True, clock=clock)


def unwatch(session: Session, guardian: Guardian, thread: Thread, *, clock: Clock) -> Watch:
    return set_watching(session, guardian, thread, watching=False, clock=clock)


def toggle(session: Session, guardian: Guardian, thread: Thread, *, clock: Clock) -> Watch:
    ensure_signed_in(guardian)
    current = is_watching(session, guardian.user, thread)
    return set_watching(session, guardian, thread, watching=not current, clock=clock)
