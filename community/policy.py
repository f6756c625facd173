"""The Guardian answers every "may this user ...?" question; services call ``ensure``."""

from datetime import datetime

from community import ranks
from community.clock import as_utc
from community.errors import Forbidden, NotAuthenticated
from community.models import Post, Thread, User


class Guardian:
    def __init__(self, user: User | None, *, now: datetime | None = None) -> None:
        self.user = user
        # "Now" for time-bound rules (suspensions); without it a suspension on record counts.
        self.now = now

    @property
    def is_authenticated(self) -> bool:
        return self.user is not None

    @property
    def user_id(self) -> int:
        if self.user is None or self.user.id is None:
            raise NotAuthenticated("Please log in first.")
        return self.user.id

    @property
    def is_moderator(self) -> bool:
        """The role; what a moderator may see and do asks ``can_moderate`` (not suspended)."""
        return self.user is not None and self.user.is_moderator

    @property
    def is_admin(self) -> bool:
        return self.user is not None and self.user.is_admin

    @property
    def is_suspended(self) -> bool:
        """A moderator suspended the user and the suspension has not run out."""
        until = self.user.suspended_until if self.user is not None else None
        return until is not None and (self.now is None or as_utc(until) > self.now)

    def ensure_not_suspended(self) -> None:
        """Forbidden, saying until when and why, while the user is suspended."""
        if self.is_suspended and self.user is not None and self.user.suspended_until:
            raise Forbidden(
                "Your account is suspended until %(until)s: %(reason)s",
                until=as_utc(self.user.suspended_until),
                reason=self.user.suspension_reason or "",
            )

    def is_author(self, post_or_thread: Post | Thread) -> bool:
        return self.user is not None and post_or_thread.author_id == self.user.id

    def can_see_thread(self, thread: Thread) -> bool:
        if self.can_moderate():
            return True
        return not thread.is_deleted and (not thread.is_hidden or self.is_author(thread))

    def can_see_post(self, post: Post) -> bool:
        """Whether the post's text may be shown (a deleted post's text: see can_see_revisions)."""
        return not post.is_hidden or self.can_moderate() or self.is_author(post)

    def can_create_thread(self) -> bool:
        return self.user is not None and self.user.is_active and not self.is_suspended

    def can_reply_to(self, thread: Thread) -> bool:
        return (
            self.user is not None
            and self.user.is_active
            and not self.is_suspended
            and not thread.is_deleted
            and thread.merged_into_id is None
            and (not thread.is_locked or self.is_moderator)
        )

    def can_upload(self) -> bool:
        """Attach images to posts (community.uploads): like asking, an active member who is not
        suspended."""
        return self.user is not None and self.user.is_active and not self.is_suspended

    def can_edit_post(self, post: Post) -> bool:
        """Change the words of ``post``: its author, or a moderator (taking personal data out of a
        held post, say); every earlier version is kept."""
        return (
            not post.is_deleted
            and self.user is not None
            and not self.is_suspended
            and (self.is_author(post) or self.can_moderate())
        )

    def can_retitle(self, thread: Thread) -> bool:
        """Edit the title and tags of ``thread``: its author, or from the Guide rank anyone's."""
        return (
            self.user is not None
            and self.user.is_active
            and not self.is_suspended
            and not thread.is_deleted
            and (self.is_author(thread) or ranks.edits_any_title_and_tags(self.user))
        )

    def can_edit_title_and_tags(self, post: Post, thread: Thread) -> bool:
        """Edit only the title and tags of ``thread`` through its opening ``post`` (the edit form
        shows the post's text: never for a post or thread hidden from the editor)."""
        return (
            post.is_question
            and not post.is_deleted
            and self.can_see_post(post)
            and self.can_see_thread(thread)
            and self.can_retitle(thread)
        )

    def can_mark_duplicate(self, thread: Thread) -> bool:
        """Mark ``thread`` as a duplicate of another, or take the mark off: the Expert rank."""
        return (
            self.user is not None
            and self.user.is_active
            and not self.is_suspended
            and not thread.is_deleted
            and ranks.marks_duplicates(self.user)
        )

    def can_delete_post(self, post: Post) -> bool:
        return not post.is_deleted and (self.is_author(post) or self.can_moderate())

    def can_see_revisions(self, post: Post) -> bool:
        # A deleted post's text is hidden from its author too; moderators keep "show original".
        return self.can_moderate() or (
            self.is_author(post) and post.revision_count > 0 and not post.is_deleted
        )

    def can_accept_solution(self, thread: Thread) -> bool:
        return not thread.is_deleted and (self.is_author(thread) or self.can_moderate())

    def can_give_kudos(self, post: Post) -> bool:
        return (
            self.user is not None
            and not post.is_deleted
            and not self.is_author(post)
            and not self.is_suspended
            and self.can_see_post(post)
        )

    def can_watch(self, thread: Thread) -> bool:
        return self.user is not None and self.can_see_thread(thread)

    def can_bookmark(self, post: Post, thread: Thread) -> bool:
        """Save ``post`` for later: a signed-in reader who may read it now (community.bookmarks
        lists the saved posts by the same rule, in SQL)."""
        return (
            self.user is not None
            and not post.is_deleted
            and self.can_see_thread(thread)
            and self.can_see_post(post)
        )

    # lists
    def can_see_deleted_threads(self) -> bool:
        return self.can_moderate()

    def can_see_hidden_threads(self) -> bool:
        """In lists: everyone's hidden threads (an author sees their own on their threads)."""
        return self.can_moderate()

    # moderator tools (moderation.tools)
    def can_moderate(self) -> bool:
        return self.is_moderator and not self.is_suspended

    def can_suspend(self, user: User) -> bool:
        """Moderators suspend members and other moderators, never an admin or themselves."""
        return (
            self.can_moderate()
            and self.user is not None
            and self.user.id != user.id
            and not user.is_admin
        )

    def can_browse_audit(self) -> bool:
        return self.is_admin

    def can_manage_outbox(self) -> bool:
        """The outbox's health and putting parked deliveries back (moderation.outbox_health):
        its errors name mail servers, CRM addresses and members' addresses."""
        return self.is_admin

    # the care queue, claims and flags (moderation.queue, moderation.claims, moderation.flags)
    def can_use_queue(self) -> bool:
        return self.can_moderate()

    def can_see_analytics(self) -> bool:
        """The care figures (moderation.analytics): moderators and admins, unless suspended."""
        return self.can_moderate()

    def can_claim_threads(self) -> bool:
        return self.is_moderator and not self.is_suspended

    def can_flag_post(self, post: Post, thread: Thread) -> bool:
        """A hidden post, or one in a hidden or deleted thread, is out of members' sight already:
        a flag on it would never reach the queue."""
        return (
            self.user is not None
            and self.user.is_active
            and not self.is_suspended
            and not post.is_deleted
            and not post.is_hidden
            and not thread.is_deleted
            and not thread.is_hidden
            and not self.is_author(post)
        )

    def can_resolve_flags(self) -> bool:
        return self.is_moderator and not self.is_suspended

    # the advocate programme (moderation.advocates)
    def is_advocate(self) -> bool:
        """A member the moderators nominated as an advocate (their "needs a peer answer" view)."""
        return (
            self.user is not None
            and self.user.advocate_since is not None
            and self.user.is_active
            and not self.is_suspended
        )

    def can_nominate_advocates(self) -> bool:
        return self.is_moderator and not self.is_suspended

    def can_manage_service_levels(self) -> bool:
        return self.is_admin

    def can_manage_categories(self) -> bool:
        return self.is_admin

    # accounts
    def can_edit_account(self, user: User) -> bool:
        return self.user is not None and self.user.id == user.id

    def can_change_role(self, user: User) -> bool:
        return self.is_admin and self.user is not None and self.user.id != user.id

    def can_erase_account(self, user: User) -> bool:
        """Members delete their own account; administrators anyone's but another admin's."""
        if self.user is None or not self.user.is_active:
            return False
        return self.user.id == user.id or (self.is_admin and not user.is_admin)

    def can_create_admin(self) -> bool:
        return False


class OperatorGuardian(Guardian):
    """The operator at the command line: trusted with account administration, acting as no user."""

    def __init__(self) -> None:
        super().__init__(None)

    def can_change_role(self, user: User) -> bool:  # noqa: ARG002 - every account, any role
        return True

    def can_create_admin(self) -> bool:
        return True

    def can_erase_account(self, user: User) -> bool:  # noqa: ARG002 - any account
        return True

    def can_manage_categories(self) -> bool:  # the seed command sets categories up
        return True


def ensure(allowed: bool, reason: str = "You are not allowed to do that.") -> None:
    if not allowed:
        raise Forbidden(reason)


def ensure_signed_in(guardian: Guardian) -> None:
    if not guardian.is_authenticated:
        raise NotAuthenticated("Please log in first.")
