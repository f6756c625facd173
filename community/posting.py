"""Threads and posts: ask, reply, edit, delete, and the reads behind the thread page.

Each write is one transaction with its outbox event; nothing is written when a check fails.
"""

import math
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime

from markupsafe import Markup
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from community import (
    categories,
    events,
    first_response,
    markdown,
    profile_counts,
    ranks,
    reputation,
    solutions,
    textrules,
    uploads,
    visibility,
)
from community.clock import Clock
from community.counters import bump
from community.errors import Conflict, Invalid, NotFound, RateLimited
from community.models import (
    Bookmark,
    Category,
    HiddenReason,
    Kudos,
    Post,
    PostRevision,
    Solution,
    Thread,
    ThreadTag,
    User,
    Watch,
)
from community.policy import Guardian, ensure, ensure_signed_in
from community.security import rate_limiter
from community.settings import get_settings

TAG_PATTERN = re.compile(r"^[a-z0-9][a-z0-9+#.\-]{0,29}$")

# Checks a reply must pass unless the writer confirmed it (``confirmed=True``): each raises a
# DomainError with field "confirm" to ask first. Moderation registers "claimed by someone else".
ReplyCheck = Callable[[Session, Guardian, Thread], None]
reply_checks: list[ReplyCheck] = []

# Checks that hold a new post back from readers until a moderator publishes it: each returns why
# (a HiddenReason), or None. Moderation registers "personal data". They outrank waiting for
# approval: an approval publishes what waits, and nobody would have looked for what they found.
HoldCheck = Callable[[Post, Thread], HiddenReason | None]
hold_checks: list[HoldCheck] = []


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
    textrules.reject_control_characters(title, field="title")
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
    textrules.reject_control_characters(body, field="body", multiline=True)
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


def validate_question(body: str) -> str:
    """An opening post's text: a reply may be "Grazie!", but a question has to say what it asks.
    A run of spaces or blank lines counts as one character, so padding does not reach it."""
    body = validate_body(body)
    minimum = get_settings().min_question_chars
    if len(" ".join(body.split())) < minimum:
        raise Invalid(
            "Describe your question in at least %(count)s characters.", field="body", count=minimum
        )
    return body


def validate_edit(post: Post, body: str) -> str:
    """The new text of ``post``: a question's new words need the question's minimum, but one
    written before the minimum keeps its title and tags editable while its text stays."""
    body = validate_body(body)
    if post.is_question and body != post.body:
        return validate_question(body)
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
    guardian.ensure_not_suspended()
    ensure(guardian.can_create_thread(), "Your account cannot start threads.")
    title = validate_title(title)
    body = validate_question(body)
    tag_list = normalize_tags(tags)
    _check_rate(guardian)
    categories.hold_against_delete(session, category)
    now = clock.now()
    author = _author(session, guardian)
    assert author.id is not None and category.id is not None
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
        body_html=markdown.render(body, image_sizes=uploads.image_sizes(session, body)),
        created_at=now,
    )
    session.add(post)
    session.flush()
    thread.last_post_id = post.id
    session.add_all(ThreadTag(thread_id=thread.id, tag=tag) for tag in tag_list)
    session.add(Watch(user_id=author.id, thread_id=thread.id, created_at=now))
    held = hold_reason(session, author, post, thread)
    if held is None:  # a held thread counts, and is the category's latest, once published
        bump(session, Category, category.id, thread_count=1, post_count=1)
        category.last_activity_at = now
        category.last_thread_id = thread.id
    # Held, it stops counting below (community.visibility), until it is published.
    profile_counts.move(session, {}, profile_counts.of_posts(session, [post], thread))
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
    if held is None:
        post.published_at = now
    elif held == HiddenReason.awaiting_approval:  # the newcomer's thread waits as a whole
        visibility.hide_thread(session, thread, reason=held, by_id=None, now=now)
    else:  # what was found is in the question itself
        visibility.hold_for_review(session, post, thread, reason=held, now=now)
    session.commit()
    return thread


def reply_to_thread(
    session: Session,
    guardian: Guardian,
    thread: Thread,
    *,
    body: str,
    clock: Clock,
    confirmed: bool = False,
) -> Post:
    ensure_signed_in(guardian)
    guardian.ensure_not_suspended()
    ensure(guardian.can_reply_to(thread), "This thread does not take replies.")
    body = validate_body(body)
    if not confirmed:
        for check in reply_checks:
            check(session, guardian, thread)
    _check_rate(guardian)
    now = clock.now()
    author = _author(session, guardian)
    assert thread.id is not None and author.id is not None
    # Lock the thread row (PostgreSQL) so concurrent replies get distinct post numbers.
    session.refresh(thread, with_for_update=session.get_bind().dialect.name == "postgresql")
    post = Post(
        thread_id=thread.id,
        author_id=author.id,
        post_number=thread.reply_count + 2,
        body=body,
        body_html=markdown.render(body, image_sizes=uploads.image_sizes(session, body)),
        created_at=now,
    )
    session.add(post)
    session.flush()
    thread.reply_count += 1  # numbers the posts: a held reply keeps its number
    thread.last_post_id = post.id
    held = hold_reason(session, author, post, thread)
    category = session.get(Category, thread.category_id)
    assert category is not None
    if held is None:
        # A held reply neither counts nor is activity until it is published (community.visibility).
        bump(session, Category, category.id, post_count=1)
        post.published_at = now
        visibility.touch_activity(thread, category, now=now)
    # Held, it stops counting below (community.visibility), until it is published.
    profile_counts.move(session, {}, profile_counts.of_posts(session, [post], thread))
    # A held reply answers nobody yet (community.first_response).
    if author.id != thread.author_id and held is None:
        reputation.on_reply(session, thread, post, at=now)
        if thread.first_response_at is None:
            first_response.refresh(session, thread)
    if session.get(Watch, (author.id, thread.id)) is None:
        session.add(Watch(user_id=author.id, thread_id=thread.id, created_at=now))
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
    if held is not None:
        visibility.hold_for_review(session, post, thread, reason=held, now=now)
    session.commit()
    return post


def hold_reason(session: Session, author: User, post: Post, thread: Thread) -> HiddenReason | None:
    """Why a new post must wait for a moderator before anyone else reads it, or None."""
    held = _found_by_hold_checks(post, thread)
    if held is None and needs_approval(session, author, post):
        return HiddenReason.awaiting_approval
    return held


def _found_by_hold_checks(post: Post, thread: Thread) -> HiddenReason | None:
    for check in hold_checks:
        reason = check(post, thread)
        if reason is not None:
            return reason
    return None


# A link out of the forum, written as Markdown or pasted bare (mentions and links to threads
# are relative and do not count).
_LINK = re.compile(r"""<a\s[^>]*href=["'](?:https?:)?//""", re.IGNORECASE)
_BARE_URL = re.compile(r"\bhttps?://|\bwww\.[a-z0-9-]+\.", re.IGNORECASE)


def needs_approval(session: Session, author: User, post: Post) -> bool:
    """A brand-new account's post with a link waits for a moderator (spam's favourite shape)
    until the member reached the contributor rank or has ``newcomer_reviewed_posts`` posts out;
    the author still sees it, with the reason."""
    has_link = _LINK.search(post.body_html) or _BARE_URL.search(post.body)
    if not has_link or ranks.links_without_review(author):
        return False
    enough = get_settings().newcomer_reviewed_posts
    published = session.scalar(
        select(func.count()).select_from(
            select(col(Post.id))
            .where(
                col(Post.author_id) == author.id,
                col(Post.id) != post.id,
                col(Post.deleted_at).is_(None),
                col(Post.hidden_at).is_(None),
            )
            .limit(enough)
            .subquery()
        )
    )
    return int(published or 0) < enough


def _author(session: Session, guardian: Guardian) -> User:
    user = session.get(User, guardian.user_id)
    assert user is not None
    return user


def edit_post(
    session: Session,
    guardian: Guardian,
    post: Post,
    *,
    body: str,
    title: str | None = None,
    tags: list[str] | None = None,
    clock: Clock,
) -> Post:
    """Keep the previous text as a revision; the opening post also carries title and tags."""
    ensure_signed_in(guardian)
    guardian.ensure_not_suspended()
    thread = _thread_of(session, post)
    if not guardian.can_edit_post(post):
        # From the Guide rank a member may fix anyone's title and tags, never their words.
        ensure(guardian.can_edit_title_and_tags(post, thread), "You can only edit your own posts.")
        ensure(body == post.body, "Only the author can change the text of a post.")
    if not post.is_question and (title is not None or tags is not None):
        raise Invalid("Only the opening post has a title and tags.", field="title")
    body = validate_edit(post, body)
    new_title = validate_title(title) if title is not None else thread.title
    new_tags = " ".join(normalize_tags(tags)) if tags is not None else thread.tags
    assert post.id is not None and thread.id is not None
    changed_thread = post.is_question and (new_title, new_tags) != (thread.title, thread.tags)
    if body == post.body and not changed_thread:
        return post
    now = clock.now()
    revision = PostRevision(
        post_id=post.id,
        number=post.revision_count + 1,
        title=thread.title if post.is_question else None,
        tags=thread.tags if post.is_question else None,
        body=post.body,
        edited_by_id=guardian.user_id,
        created_at=now,
    )
    session.add(revision)
    post.body = body
    post.body_html = markdown.render(body, image_sizes=uploads.image_sizes(session, body))
    post.edited_at = now
    post.revision_count += 1
    session.add(post)
    if changed_thread:
        if new_tags != thread.tags:
            session.execute(delete(ThreadTag).where(col(ThreadTag.thread_id) == thread.id))
            session.add_all(ThreadTag(thread_id=thread.id, tag=tag) for tag in new_tags.split())
        thread.title = new_title
        thread.tags = new_tags
        session.add(thread)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        raise Conflict(
            "Someone else edited this post at the same time. Reload it and try again."
        ) from None
    if (held := _found_by_hold_checks(post, thread)) is not None:
        # New words are held as new posts are: readers never see them before the review.
        visibility.hold_for_review(session, post, thread, reason=held, now=now)
    events.record(
        session,
        "post_edited",
        at=now,
        thread_id=thread.id,
        post_id=post.id,
        editor_id=guardian.user_id,
        author_id=post.author_id,
        revision=revision.number,
        # Someone else's words changed by a moderator: the audit log records it.
        by_moderator=guardian.can_moderate() and not guardian.is_author(post),
    )
    session.commit()
    return post


def delete_post(session: Session, guardian: Guardian, post: Post, *, clock: Clock) -> Post:
    """Soft-delete: the row stays (numbering, history), its text is hidden.

    Deleting the opening post deletes the thread. The post's kudos stop counting for its author
    and thread; a reply stops counting as an answer, and stops being the accepted solution.
    """
    ensure_signed_in(guardian)
    ensure(guardian.can_delete_post(post), "You can only delete your own posts.")
    now = clock.now()
    by_id = guardian.user_id
    thread = _thread_of(session, post)
    _lock(session, thread)
    if session.get_bind().dialect.name == "postgresql":
        session.refresh(post)  # as the lock found it: hidden meanwhile, it is no answer to take
    counted_posts = counted_post_count(session, thread.id)
    # What leaves the profile counts: the reply (and its solution), or the thread with the question.
    if post.is_question:
        counted = profile_counts.of_thread(session, thread)
    else:
        counted = profile_counts.of_posts(session, [post], thread)
    # Conditional, so that two simultaneous deletes cannot both adjust the counters.
    deleted = session.execute(
        update(Post)
        .where(col(Post.id) == post.id, col(Post.deleted_at).is_(None))
        .values(deleted_at=now, deleted_by_id=by_id)
    )
    if deleted.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        raise Conflict("This post was already deleted.")
    solution = session.get(Solution, thread.id)
    if solution is not None and solution.post_id == post.id:
        # The post reads as deleted now: its solution left the counts with ``counted``.
        solutions.unmark_within(session, thread, solution, by_id=by_id, now=now)
    bump(session, User, post.author_id, kudos_received=-post.kudos_count)
    bump(session, Thread, thread.id, kudos_count=-post.kudos_count)
    reputation.on_post_deleted(session, post, at=now)
    profile_counts.move(session, counted, {})
    if post.is_question:
        thread.deleted_at = now
        thread.deleted_by_id = by_id
        bump(
            session,
            Category,
            thread.category_id,
            thread_count=-int(post.published_at is not None),
            post_count=-counted_posts,
        )
    else:
        bump(session, Category, thread.category_id, post_count=-int(post.published_at is not None))
        if thread.last_post_id == post.id:
            thread.last_post_id = _last_live_post_id(session, thread)
        if post.author_id != thread.author_id:
            first_response.refresh(session, thread)
    session.add(thread)
    events.record(
        session,
        "post_deleted",
        at=now,
        thread_id=thread.id,
        post_id=post.id,
        deleted_by_id=by_id,
        author_id=post.author_id,
        post_number=post.post_number,
    )
    session.commit()
    session.refresh(post)
    return post


# Reads behind the thread page ------------------------------------------------------------------


@dataclass(frozen=True)
class PostView:
    """A post with what its box shows: the author, and the reader's own kudos."""

    post: Post
    author: User
    kudos_given: bool
    is_solution: bool
    # False when the post is hidden and the reader is neither its author nor a moderator.
    visible: bool = True
    # The reader saved it in their bookmarks (community.bookmarks).
    bookmarked: bool = False

    @property
    def excerpt(self) -> str:
        return excerpt(self.post) if self.visible else ""

    @property
    def hidden_reason(self) -> str | None:
        """Why the post is hidden, for the readers who see it anyway (author, moderators)."""
        return self.post.hidden_reason if self.post.is_hidden and self.visible else None

    @property
    def is_official(self) -> bool:
        return is_official(self.post, self.author)


def is_official(post: Post, author: User) -> bool:
    """An official reply: a live reply by a moderator or admin, shown with the brand's name.

    The one definition: the thread page's badge, the API's ``official`` and search's
    ``has_official_answer`` all ask this (the author's role now, as the badge shows it).
    """
    return not post.is_question and not post.is_deleted and author.is_moderator


@dataclass(frozen=True)
class ThreadPage:
    thread: Thread
    category: Category
    question: PostView
    # Without the replies held for review that the reader may not see (community.visibility).
    replies: list[PostView]
    solution: PostView | None
    page: int
    pages: int
    held_out_of_sight: int = 0  # such replies in the whole thread, left out of its reply count

    @property
    def tags(self) -> list[str]:
        return self.thread.tags.split()

    @property
    def reply_count(self) -> int:
        """The replies the reader is told about."""
        return self.thread.reply_count - self.held_out_of_sight


@dataclass(frozen=True)
class Version:
    """One version of a post, oldest = 1; the last one is the current text."""

    number: int
    title: str | None
    tags: str | None
    body: str
    author: User | None
    at: datetime
    is_current: bool


def category_by_slug(session: Session, slug: str) -> Category:
    slug = slug.strip()
    if not slug:
        raise Invalid("Choose a category.", field="category")
    category = categories.by_slug(session, slug)
    if category is None:
        raise Invalid("There is no category %(slug)s.", field="category", slug=slug[:60])
    return category


def get_thread(session: Session, guardian: Guardian, thread_id: int) -> Thread:
    thread = session.get(Thread, thread_id)
    if thread is None or not guardian.can_see_thread(thread):
        raise NotFound("This thread does not exist or was deleted.")
    return thread


def get_post(session: Session, guardian: Guardian, post_id: int) -> Post:
    """A post the reader may see. One hidden from them looks missing, as a hidden thread does:
    only the thread page shows it, as a placeholder."""
    post = session.get(Post, post_id)
    thread = session.get(Thread, post.thread_id) if post is not None else None
    if (
        post is None
        or thread is None
        or not guardian.can_see_thread(thread)
        or not guardian.can_see_post(post)
    ):
        raise NotFound("This post does not exist or was deleted.")
    return post


def page_count(thread: Thread, *, out_of_sight: Collection[int] = ()) -> int:
    """The thread's pages; ``out_of_sight``: numbers of replies the reader cannot see
    (visibility.held_numbers), which add no page when they are the last ones."""
    last = thread.reply_count + 1
    while last in out_of_sight:
        last -= 1
    return max(1, math.ceil((last - 1) / get_settings().posts_per_page))


def page_of(post_number: int) -> int:
    """The page showing a post; the question heads every page, replies fill them in order."""
    return 1 if post_number <= 1 else (post_number - 2) // get_settings().posts_per_page + 1


def post_url(post: Post) -> str:
    page = page_of(post.post_number)
    query = f"?page={page}" if page > 1 else ""
    return f"/t/{post.thread_id}{query}#post-{post.id}"


def load_thread_page(
    session: Session, guardian: Guardian, thread: Thread, *, page: int | None = 1
) -> ThreadPage:
    """One page of the thread as ``guardian`` may read it; ``page`` None: the last one."""
    assert thread.id is not None
    held = visibility.held_numbers(session, guardian, [thread.id]).get(thread.id, set())
    pages = page_count(thread, out_of_sight=held)
    page = pages if page is None else page
    if page < 1 or page > pages:
        raise NotFound("This page of the thread does not exist.")
    per_page = get_settings().posts_per_page
    first = 2 + (page - 1) * per_page
    query = (
        select(Post)
        .where(
            col(Post.thread_id) == thread.id,
            (col(Post.post_number) == 1)
            | col(Post.post_number).between(first, first + per_page - 1),
        )
        .order_by(col(Post.post_number))
    )
    posts = list(session.scalars(query))
    solution = session.get(Solution, thread.id)
    solution_post = session.get(Post, solution.post_id) if solution is not None else None
    shown = [*posts, solution_post] if solution_post is not None else posts
    views = _post_views(
        session, guardian, shown, solution_post_id=solution.post_id if solution else None
    )
    category = session.get(Category, thread.category_id)
    assert category is not None
    by_id = {view.post.id: view for view in views}
    return ThreadPage(
        thread=thread,
        category=category,
        question=next(view for view in views if view.post.post_number == 1),
        replies=[
            by_id[post.id]
            for post in posts
            if post.post_number > 1 and post.post_number not in held
        ],
        solution=by_id[solution_post.id] if solution_post is not None else None,
        page=page,
        pages=pages,
        held_out_of_sight=len(held),
    )


def post_view(session: Session, guardian: Guardian, post: Post) -> PostView:
    solution = session.get(Solution, post.thread_id)
    (view,) = _post_views(
        session, guardian, [post], solution_post_id=solution.post_id if solution else None
    )
    return view


def record_view(session: Session, thread: Thread) -> None:
    """One UPDATE per page view; counting is approximate by design (no per-reader rows)."""
    bump(session, Thread, thread.id, view_count=1)
    session.commit()


def post_versions(session: Session, guardian: Guardian, post: Post) -> list[Version]:
    """Every version of a post, newest first, for its author and for moderators."""
    ensure(
        guardian.can_see_revisions(post),
        "Only moderators and the author can see the earlier versions of a post.",
    )
    thread = _thread_of(session, post)
    query = (
        select(PostRevision)
        .where(col(PostRevision.post_id) == post.id)
        .order_by(col(PostRevision.number))
    )
    revisions = list(session.scalars(query))
    people = _users(session, {post.author_id, *(r.edited_by_id for r in revisions)})
    versions: list[Version] = []
    author, at = people.get(post.author_id), post.created_at
    for revision in revisions:
        versions.append(
            Version(
                revision.number, revision.title, revision.tags, revision.body, author, at, False
            )
        )
        author, at = people.get(revision.edited_by_id), revision.created_at
    title, tags = (thread.title, thread.tags) if post.is_question else (None, None)
    versions.append(Version(len(revisions) + 1, title, tags, post.body, author, at, True))
    return versions[::-1]


def plain_text(post: Post) -> str:
    """What a reader sees of a post as one line of text: no Markdown, no tags."""
    return Markup(post.body_html).striptags()


def excerpt(post: Post, length: int = 280) -> str:
    """Plain text of a post, cut at a word boundary."""
    text = plain_text(post)
    if len(text) <= length:
        return text
    return text[:length].rsplit(" ", 1)[0].rstrip(",.;:") + "…"


def _post_views(
    session: Session, guardian: Guardian, posts: list[Post], *, solution_post_id: int | None
) -> list[PostView]:
    authors = _users(session, {post.author_id for post in posts})
    given: set[int] = set()
    saved: set[int] = set()
    if guardian.user is not None and posts:
        post_ids = [post.id for post in posts]
        query = select(col(Kudos.post_id)).where(
            col(Kudos.user_id) == guardian.user.id, col(Kudos.post_id).in_(post_ids)
        )
        given = set(session.scalars(query))
        saved_query = select(col(Bookmark.post_id)).where(
            col(Bookmark.user_id) == guardian.user.id, col(Bookmark.post_id).in_(post_ids)
        )
        saved = set(session.scalars(saved_query))
    return [
        PostView(
            post=post,
            author=authors[post.author_id],
            kudos_given=post.id in given,
            is_solution=post.id == solution_post_id,
            visible=guardian.can_see_post(post),
            bookmarked=post.id in saved,
        )
        for post in posts
    ]


def _users(session: Session, ids: set[int]) -> dict[int, User]:
    if not ids:
        return {}
    users = session.scalars(select(User).where(col(User.id).in_(ids)))
    return {user.id: user for user in users if user.id is not None}


def _thread_of(session: Session, post: Post) -> Thread:
    thread = session.get(Thread, post.thread_id)
    assert thread is not None
    return thread


def _lock(session: Session, thread: Thread) -> None:
    """On PostgreSQL, serialise writers of one thread (SQLite serialises every writer anyway)."""
    if session.get_bind().dialect.name == "postgresql":
        session.refresh(thread, with_for_update=True)


def counted_post_count(session: Session, thread_id: int | None) -> int:
    """The thread's posts its category counts: published (community.visibility) and not deleted."""
    query = select(func.count()).where(
        col(Post.thread_id) == thread_id,
        col(Post.deleted_at).is_(None),
        col(Post.published_at).is_not(None),
    )
    return int(session.scalar(query) or 0)


def _last_live_post_id(session: Session, thread: Thread) -> int | None:
    query = (
        select(col(Post.id))
        .where(col(Post.thread_id) == thread.id, col(Post.deleted_at).is_(None))
        .order_by(col(Post.post_number).desc())
        .limit(1)
    )
    return session.scalar(query)


def _check_rate(guardian: Guardian) -> None:
    """Checked after validation, so a rejected form does not use up the allowance."""
    limit = get_settings().posts_limit_per_minute
    if not rate_limiter.allow(f"post:{guardian.user_id}", limit=limit, window_seconds=60):
        raise RateLimited(
            "You are posting too fast: at most %(count)s posts a minute. "
            "Wait a moment and try again.",
            count=limit,
        )
