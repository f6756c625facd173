import pytest
from sqlmodel import Session, col, select

from community import kudos, posting, solutions
from community.errors import Conflict, Forbidden, Invalid, NotFound, RateLimited
from community.events import OutboxEvent
from community.models import Category, Post, PostRevision, Role, Thread, ThreadTag, User
from community.policy import Guardian
from community.settings import get_settings
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
    names = [e.name for e in session.exec(select(OutboxEvent).order_by(col(OutboxEvent.id)))]
    assert names == ["thread_created", "post_created", "post_created"]
    assert len(session.exec(select(Post)).all()) == 3


def _names(session: Session) -> list[str]:
    return [e.name for e in session.exec(select(OutboxEvent).order_by(col(OutboxEvent.id)))]


def _question(session: Session, thread: Thread) -> Post:
    return session.exec(
        select(Post).where(Post.thread_id == thread.id, Post.post_number == 1)
    ).one()


def test_posting_too_fast_is_refused_with_a_clear_message(session, clock):
    author = make_user(session, clock)
    thread = make_thread(session, clock, author=author, category=make_category(session))
    limit = get_settings().posts_limit_per_minute
    for _ in range(limit - 1):
        make_reply(session, clock, author=author, thread=thread)
    with pytest.raises(RateLimited) as caught:
        make_reply(session, clock, author=author, thread=thread)
    assert "too fast" in caught.value.message
    with pytest.raises(RateLimited):
        make_thread(session, clock, author=author, category=make_category(session))
    # Someone else is not slowed down by it.
    make_reply(session, clock, author=make_user(session, clock), thread=thread)


def test_a_rejected_post_does_not_use_up_the_allowance(session, clock):
    author = make_user(session, clock)
    thread = make_thread(session, clock, author=author, category=make_category(session))
    for _ in range(20):
        with pytest.raises(Invalid):
            make_reply(session, clock, author=author, thread=thread, body="   ")
    make_reply(session, clock, author=author, thread=thread)


def test_invalid_thread_writes_nothing(session, clock):
    author = make_user(session, clock)
    category = make_category(session)
    for kwargs in (
        {"title": ""},
        {"body": "x" * 200_000},
        {"tags": ["<script>alert(1)</script>"]},
    ):
        with pytest.raises(Invalid):
            make_thread(session, clock, author=author, category=category, **kwargs)
    assert session.exec(select(Thread)).all() == []
    assert session.exec(select(Post)).all() == []
    assert _names(session) == []
    session.refresh(category)
    assert category.thread_count == 0


@pytest.mark.parametrize(
    "body",
    [
        "x",
        "  Why does it drop?  ",  # 17 characters once trimmed
        "Why" + " " * 20 + "?",  # padding does not count
        "Why\n\n\ndoes it drop?",
    ],
)
def test_a_question_needs_twenty_characters_of_text(session, clock, body):
    author = make_user(session, clock)
    with pytest.raises(Invalid) as caught:
        make_thread(session, clock, author=author, category=make_category(session), body=body)
    assert caught.value.field == "body"
    assert caught.value.message == "Describe your question in at least %(count)s characters."
    assert caught.value.params == {"count": 20}
    assert session.exec(select(Thread)).all() == []


def test_twenty_characters_make_a_question_and_a_reply_may_be_short(session, clock):
    thread = make_thread(
        session,
        clock,
        author=make_user(session, clock),
        category=make_category(session),
        body="  My modem keeps dying  ",
    )
    assert _question(session, thread).body == "My modem keeps dying"
    helper = make_user(session, clock)
    reply = make_reply(session, clock, author=helper, thread=thread, body="Grazie!")
    posting.edit_post(session, Guardian(helper), reply, body="Ok!", clock=clock)
    assert reply.body == "Ok!"


def test_an_edited_question_needs_twenty_characters_too(session, clock):
    author = make_user(session, clock)
    thread = make_thread(session, clock, author=author, category=make_category(session))
    question = _question(session, thread)
    with pytest.raises(Invalid) as caught:
        posting.edit_post(session, Guardian(author), question, body="It drops.", clock=clock)
    assert caught.value.field == "body" and "at least" in caught.value.message
    # A question asked before the minimum existed keeps its title editable while its text stays.
    question.body = "Help!"
    session.add(question)
    session.commit()
    posting.edit_post(
        session, Guardian(author), question, body="Help!", title="Fibre drops at 9 pm", clock=clock
    )
    assert thread.title == "Fibre drops at 9 pm"


def test_unknown_category_slug_is_named_in_the_error(session):
    with pytest.raises(Invalid) as caught:
        posting.category_by_slug(session, "nope")
    assert caught.value.field == "category"
    assert caught.value.params == {"slug": "nope"}


def test_author_edits_post_and_history_is_kept(session, clock):
    author = make_user(session, clock)
    thread = make_thread(
        session, clock, author=author, category=make_category(session), tags=["fibre"]
    )
    question = _question(session, thread)
    clock.advance(minutes=3)
    posting.edit_post(
        session,
        Guardian(author),
        question,
        body="Now with **more** detail.",
        title="My fibre drops every single evening",
        tags=["fibre", "modem"],
        clock=clock,
    )
    assert question.revision_count == 1
    assert question.edited_at == clock.now()
    assert "<strong>more</strong>" in question.body_html
    assert thread.title == "My fibre drops every single evening"
    assert thread.tags == "fibre modem"
    tags = session.exec(select(ThreadTag.tag).where(ThreadTag.thread_id == thread.id)).all()
    assert sorted(tags) == ["fibre", "modem"]
    revision = session.exec(select(PostRevision)).one()
    assert revision.number == 1
    assert revision.title == "My fibre drops every evening"
    assert revision.tags == "fibre"
    assert revision.body.startswith("Since Monday")
    assert revision.edited_by_id == author.id
    assert _names(session)[-1] == "post_edited"

    clock.advance(minutes=1)
    posting.edit_post(
        session, Guardian(author), question, body="Third version: it drops at 9 pm.", clock=clock
    )
    versions = posting.post_versions(session, Guardian(author), question)
    assert [v.number for v in versions] == [3, 2, 1]
    assert versions[0].body == "Third version: it drops at 9 pm." and versions[0].is_current
    assert versions[2].body.startswith("Since Monday")


def test_an_edit_that_changes_nothing_keeps_no_revision(session, clock):
    author = make_user(session, clock)
    thread = make_thread(session, clock, author=author, category=make_category(session))
    question = _question(session, thread)
    posting.edit_post(session, Guardian(author), question, body=question.body, clock=clock)
    assert question.revision_count == 0
    assert session.exec(select(PostRevision)).all() == []


def test_replies_have_no_title_to_edit(session, clock):
    author = make_user(session, clock)
    thread = make_thread(session, clock, author=author, category=make_category(session))
    reply = make_reply(session, clock, author=author, thread=thread)
    with pytest.raises(Invalid):
        posting.edit_post(
            session, Guardian(author), reply, body="b", title="A new title", clock=clock
        )


def test_no_member_edits_someone_elses_post(session, clock):
    author = make_user(session, clock)
    other = make_user(session, clock)
    thread = make_thread(session, clock, author=author, category=make_category(session))
    with pytest.raises(Forbidden):
        posting.edit_post(
            session, Guardian(other), _question(session, thread), body="x", clock=clock
        )
    assert session.exec(select(PostRevision)).all() == []


def test_a_moderator_edits_someone_elses_words_keeping_the_version_and_saying_who(session, clock):
    author = make_user(session, clock)
    moderator = make_user(session, clock, role=Role.moderator)
    thread = make_thread(session, clock, author=author, category=make_category(session))
    reply = make_reply(session, clock, author=author, thread=thread, body="Call me on 333 1234567.")
    clock.advance(minutes=5)

    posting.edit_post(session, Guardian(moderator), reply, body="Call me.", clock=clock)

    assert reply.body == "Call me." and reply.author_id == author.id
    (kept,) = session.exec(select(PostRevision)).all()
    assert (kept.body, kept.edited_by_id) == ("Call me on 333 1234567.", moderator.id)
    edited = session.exec(select(OutboxEvent).where(col(OutboxEvent.name) == "post_edited")).one()
    assert edited.data["by_moderator"] is True and edited.data["editor_id"] == moderator.id


def test_member_cannot_delete_anothers_post_but_a_moderator_can(session, clock):
    asker = make_user(session, clock)
    helper = make_user(session, clock)
    moderator = make_user(session, clock, role=Role.moderator)
    thread = make_thread(session, clock, author=asker, category=make_category(session))
    reply = make_reply(session, clock, author=helper, thread=thread)
    with pytest.raises(Forbidden):
        posting.delete_post(session, Guardian(asker), reply, clock=clock)
    assert reply.deleted_at is None

    posting.delete_post(session, Guardian(moderator), reply, clock=clock)
    assert reply.is_deleted and reply.deleted_by_id == moderator.id
    assert _names(session)[-1] == "post_deleted"
    with pytest.raises(Forbidden):
        posting.delete_post(session, Guardian(moderator), reply, clock=clock)


def test_deleting_a_reply_keeps_numbering_and_lowers_the_authors_counters(session, clock):
    asker = make_user(session, clock)
    helper = make_user(session, clock)
    fan = make_user(session, clock)
    category = make_category(session)
    thread = make_thread(session, clock, author=asker, category=category)
    reply = make_reply(session, clock, author=helper, thread=thread)
    kudos.give_kudos(session, Guardian(fan), reply, clock=clock)
    solutions.accept_solution(session, Guardian(asker), thread, reply, clock=clock)
    session.refresh(helper)
    assert (helper.answer_count, helper.kudos_received, helper.solution_count) == (1, 1, 1)

    posting.delete_post(session, Guardian(helper), reply, clock=clock)
    for row in (helper, thread, category):
        session.refresh(row)
    assert (helper.answer_count, helper.kudos_received, helper.solution_count) == (0, 0, 0)
    assert thread.reply_count == 1  # numbering stays
    assert thread.kudos_count == 0
    assert thread.solved_at is None
    assert thread.first_response_at is None  # unanswered again
    assert category.post_count == 1
    assert solutions.solution_post_id(session, thread) is None
    assert _names(session)[-2:] == ["solution_unmarked", "post_deleted"]
    later = make_reply(session, clock, author=helper, thread=thread)
    assert later.post_number == 3


def test_deleting_the_question_deletes_the_thread_for_members(session, clock):
    asker = make_user(session, clock)
    moderator = make_user(session, clock, role=Role.moderator)
    category = make_category(session)
    thread = make_thread(session, clock, author=asker, category=category)
    make_reply(session, clock, author=make_user(session, clock), thread=thread)
    posting.delete_post(session, Guardian(asker), _question(session, thread), clock=clock)
    session.refresh(thread)
    session.refresh(category)
    session.refresh(asker)
    assert thread.is_deleted and thread.deleted_by_id == asker.id
    assert (category.thread_count, category.post_count) == (0, 0)
    assert asker.thread_count == 0
    assert thread.id is not None
    with pytest.raises(NotFound):
        posting.get_thread(session, Guardian(asker), thread.id)
    with pytest.raises(NotFound):
        posting.get_thread(session, Guardian(None), thread.id)
    assert posting.get_thread(session, Guardian(moderator), thread.id) == thread


def test_deleted_posts_text_is_only_for_moderators(session, clock):
    author = make_user(session, clock)
    moderator = make_user(session, clock, role=Role.moderator)
    thread = make_thread(session, clock, author=author, category=make_category(session))
    reply = make_reply(session, clock, author=author, thread=thread)
    posting.edit_post(session, Guardian(author), reply, body="Edited once.", clock=clock)
    assert Guardian(author).can_see_revisions(reply)
    posting.delete_post(session, Guardian(author), reply, clock=clock)
    assert not Guardian(author).can_see_revisions(reply)
    with pytest.raises(Forbidden):
        posting.post_versions(session, Guardian(author), reply)
    versions = posting.post_versions(session, Guardian(moderator), reply)
    assert versions[0].body == "Edited once."


def _many_replies(session, clock, thread: Thread, count: int) -> None:
    helpers = [make_user(session, clock) for _ in range(5)]
    for n in range(count):
        make_reply(session, clock, author=helpers[n % 5], thread=thread, body=f"Reply {n + 2}")


def test_long_thread_is_paginated_by_post_number(session, clock):
    asker = make_user(session, clock)
    thread = make_thread(session, clock, author=asker, category=make_category(session))
    _many_replies(session, clock, thread, 45)
    per_page = get_settings().posts_per_page
    assert posting.page_count(thread) == 3
    guardian = Guardian(None)
    pages = [posting.load_thread_page(session, guardian, thread, page=n) for n in (1, 2, 3)]
    numbers = [[v.post.post_number for v in page.replies] for page in pages]
    assert numbers[0] == list(range(2, 2 + per_page))
    assert numbers[2] == list(range(2 + 2 * per_page, 47))
    assert all(page.question.post.post_number == 1 for page in pages)
    with pytest.raises(NotFound):
        posting.load_thread_page(session, guardian, thread, page=4)
    last = session.exec(select(Post).where(Post.post_number == 46)).one()
    assert posting.post_url(last) == f"/t/{thread.id}?page=3#post-{last.id}"


def test_thread_page_knows_the_readers_kudos_and_the_solution(session, clock):
    asker = make_user(session, clock)
    helper = make_user(session, clock)
    thread = make_thread(session, clock, author=asker, category=make_category(session))
    reply = make_reply(session, clock, author=helper, thread=thread)
    kudos.give_kudos(session, Guardian(asker), reply, clock=clock)
    solutions.accept_solution(session, Guardian(asker), thread, reply, clock=clock)
    page = posting.load_thread_page(session, Guardian(asker), thread)
    assert page.replies[0].kudos_given and page.replies[0].is_solution
    assert page.solution is not None and page.solution.post.id == reply.id
    assert page.solution.excerpt == "Restart the modem."
    assert not posting.load_thread_page(session, Guardian(helper), thread).replies[0].kudos_given


def test_views_are_counted(session, clock):
    thread = make_thread(
        session, clock, author=make_user(session, clock), category=make_category(session)
    )
    posting.record_view(session, thread)
    posting.record_view(session, thread)
    session.refresh(thread)
    assert thread.view_count == 2


def test_concurrent_edit_conflict_is_reported(session, clock, db):
    author = make_user(session, clock)
    thread = make_thread(session, clock, author=author, category=make_category(session))
    question = _question(session, thread)
    with Session(db, expire_on_commit=False) as other:
        stale = other.get(Post, question.id)
        assert stale is not None
        posting.edit_post(
            session, Guardian(author), question, body="First edit: it drops at 9 pm.", clock=clock
        )
        with pytest.raises(Conflict):
            posting.edit_post(
                other,
                Guardian(other.get(User, author.id)),
                stale,
                body="Other edit: it drops at 10 pm.",
                clock=clock,
            )
    assert session.exec(select(PostRevision)).one().number == 1


def test_posters_writing_at_once_keep_every_count(db, session, clock):
    """The second poster's request read the category and its own account before the first one
    committed (PostgreSQL runs them side by side): the counts still take both posts."""
    category = make_category(session)
    asker = make_user(session, clock, username="asker")
    first = make_thread(session, clock, author=asker, category=category)
    second = make_thread(session, clock, author=asker, category=category, title="Second thread")
    anna = make_user(session, clock, username="anna")
    with Session(db, expire_on_commit=False) as late:
        stale_category = late.get(Category, category.id)
        stale_anna = late.get(User, anna.id)
        other_thread = late.get(Thread, second.id)
        assert stale_category is not None and stale_anna is not None and other_thread is not None
        late.commit()  # its snapshot ends; the objects keep what it read

        posting.reply_to_thread(
            session, Guardian(anna), first, body="Riavvia il modem.", clock=clock
        )
        posting.create_thread(
            session,
            Guardian(anna),
            category=category,
            title="Fibra lenta la sera",
            body="Dalle 21 la velocità scende sotto i 10 Mbps.",
            tags=[],
            clock=clock,
        )
        posting.reply_to_thread(
            late, Guardian(stale_anna), other_thread, body="Anche a me.", clock=clock
        )
        posting.create_thread(
            late,
            Guardian(stale_anna),
            category=stale_category,
            title="Modem che si riavvia",
            body="Il modem si riavvia da solo ogni notte.",
            tags=[],
            clock=clock,
        )
    with Session(db) as fresh:
        counted = fresh.get(Category, category.id)
        member = fresh.get(User, anna.id)
        assert counted is not None and member is not None
        assert (counted.thread_count, counted.post_count) == (4, 6)
        assert (member.thread_count, member.answer_count) == (2, 2)
