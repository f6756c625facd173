from sqlmodel import select

from community.events import OutboxEvent
from community.models import Post
from tests.factories import make_category, make_reply, make_thread, make_user


def test_reply_by_a_peer_answers_the_thread_and_records_events(session, clock):
    asker = make_user(session, clock)
    helper = make_user(session, clock)
    thread = make_thread(session, clock, author=asker, category=make_category(session))
    assert thread.first_response_at is None

    make_reply(session, clock, author=asker, thread=thread, body="Still broken.")
    assert thread.first_response_at is None  # the asker alone does not answer a thread

    clock.advance(minutes=5)
    post = make_reply(session, clock, author=helper, thread=thread)
    assert post.post_number == 3
    assert thread.first_response_at == clock.now()
    assert thread.reply_count == 2
    names = [e.name for e in session.exec(select(OutboxEvent).order_by(OutboxEvent.id))]
    assert names == ["thread_created", "post_created", "post_created"]
    assert len(session.exec(select(Post)).all()) == 3
