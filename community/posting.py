"""Threads and posts: ask, reply. Each service is one transaction with its outbox event."""

import re

from sqlmodel import Session

from community import events, markdown
from community.clock import Clock
from community.errors import Invalid
from community.models import Category, Post, Thread, ThreadTag, User, Watch
from community.policy import Guardian, ensure, ensure_signed_in
from community.settings import get_settings

TAG_PATTERN = re.compile(r"^[a-z0-9][a-z0-9+#.\-]{0,29}$")


def normalize_tags(raw: list[str]) -> list[str]:
    """Lower-case, dash-joined, de-duplicated tags in the order given."""
    settings = get_settings()
    tags: list[str] = []
    for item in raw:
        for piece in re.split(r"[,\s]+", item.strip().lower()):
            if not piece or piece in tags:
                continue
            if not TAG_PATTERN.match(piece):
                raise Invalid(
                    "Tags use letters, digits and dashes, at most 30 characters: %(tag)s",
                    field="tags",
                    tag=piece[:40],
                )
            tags.append(piece)
    if len(tags) > settings.max_tags:
        raise Invalid("At most %(count)s tags.", field="tags", count=settings.max_tags)
    return tags


def validate_title(title: str) -> str:
    settings = get_settings()
    title = " ".join(title.split())
    if len(title) < settings.min_title_chars:
        raise Invalid(
            "The title needs at least %(count)s characters.",
            field="title",
            count=settings.min_title_chars,
        )
    if len(title) > settings.max_title_chars:
        raise Invalid(
            "The title can have at most %(count)s characters.",
            field="title",
            count=settings.max_title_chars,
        )
    return title


def validate_body(body: str) -> str:
    settings = get_settings()
    body = body.strip()
    if not body:
        raise Invalid("Write something first: the text is empty.", field="body")
    if len(body) > settings.max_body_chars:
        raise Invalid(
            "The text is too long: at most %(count)s characters.",
            field="body",
            count=settings.max_body_chars,
        )
    return body


def create_thread(
    session: Session,
    guardian: Guardian,
    *,
    category: Category,
    title: str,
    body: str,
    tags: list[str],
    clock: Clock,
) -> Thread:
    ensure_signed_in(guardian)
    ensure(guardian.can_create_thread(), "Your account cannot start threads.")
    title = validate_title(title)
    body = validate_body(body)
    tag_list = normalize_tags(tags)
    now = clock.now()
    author = _author(session, guardian)
    thread = Thread(
        category_id=category.id,
        author_id=author.id,
        title=title,
        tags=" ".join(tag_list),
        created_at=now,
        last_activity_at=now,
    )
    session.add(thread)
    session.flush()
    assert thread.id is not None
    post = Post(
        thread_id=thread.id,
        author_id=author.id,
        post_number=1,
        body=body,
        body_html=markdown.render(body),
        created_at=now,
    )
    session.add(post)
    session.flush()
    thread.last_post_id = post.id
    session.add_all(ThreadTag(thread_id=thread.id, tag=tag) for tag in tag_list)
    session.add(Watch(user_id=author.id, thread_id=thread.id, created_at=now))
    category.thread_count += 1
    category.post_count += 1
    category.last_activity_at = now
    category.last_thread_id = thread.id
    author.thread_count += 1
    session.add_all([thread, category, author])
    events.record(
        session,
        "thread_created",
        at=now,
        thread_id=thread.id,
        post_id=post.id,
        author_id=author.id,
        category_id=category.id,
    )
    session.commit()
    return thread


def reply_to_thread(
    session: Session, guardian: Guardian, thread: Thread, *, body: str, clock: Clock
) -> Post:
    ensure_signed_in(guardian)
    ensure(guardian.can_reply_to(thread), "This thread does not take replies.")
    body = validate_body(body)
    now = clock.now()
    author = _author(session, guardian)
    assert thread.id is not None
    # Lock the thread row (PostgreSQL) so concurrent replies get distinct post numbers.
    session.refresh(thread, with_for_update=session.get_bind().dialect.name == "postgresql")
    post = Post(
        thread_id=thread.id,
        author_id=author.id,
        post_number=thread.reply_count + 2,
        body=body,
        body_html=markdown.render(body),
        created_at=now,
    )
    session.add(post)
    session.flush()
    thread.reply_count += 1
    thread.last_activity_at = now
    thread.last_post_id = post.id
    if author.id != thread.author_id:
        author.answer_count += 1
        if thread.first_response_at is None:
            thread.first_response_at = now
    if session.get(Watch, (author.id, thread.id)) is None:
        session.add(Watch(user_id=author.id, thread_id=thread.id, created_at=now))
    category = session.get(Category, thread.category_id)
    assert category is not None
    category.post_count += 1
    category.last_activity_at = now
    category.last_thread_id = thread.id
    session.add_all([thread, author, category])
    events.record(
        session,
        "post_created",
        at=now,
        thread_id=thread.id,
        post_id=post.id,
        author_id=author.id,
        post_number=post.post_number,
    )
    session.commit()
    return post


def _author(session: Session, guardian: Guardian) -> User:
    user = session.get(User, guardian.user_id)
    assert user is not None
    return user
