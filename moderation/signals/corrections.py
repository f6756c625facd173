"""A moderator's one-click correction of a post's signal ("not negative", "doesn't need us").

The verdict is stored (one per post and signal, a later one replaces it), audited and announced
with ``signal_corrected`` {post_id, signal, value, by_id}. It overrides the model for that post
(the queue reads corrections before ``PostSignal``) and is training data: ``peerdesk train``
learns from every correction in the database (moderation/training.py).
"""

from datetime import datetime

from sqlmodel import Session, col, select

from community import events
from community.errors import Forbidden, Invalid, NotFound
from community.models import Post
from community.policy import Guardian, ensure_signed_in
from moderation import audit
from moderation.models import Sentiment, SignalCorrection

SIGNALS = ("sentiment", "needs_brand", "toxic")


def allowed_values(signal: str) -> list[str]:
    return [s.value for s in Sentiment] if signal == "sentiment" else ["true", "false"]


def correct(
    session: Session,
    guardian: Guardian,
    post: Post,
    *,
    signal: str,
    value: str,
    now: datetime,
) -> SignalCorrection:
    """Store a moderator's verdict on one signal of ``post`` (and commit)."""
    ensure_signed_in(guardian)
    if not guardian.can_moderate():
        raise Forbidden("Only moderators can correct signals.")
    if post.id is None or post.is_deleted:
        raise NotFound("This post does not exist.")
    if signal not in SIGNALS:
        raise Invalid("There is no such signal: %(signal)s.", field="signal", signal=signal[:20])
    value = value.strip().lower()
    if value not in allowed_values(signal):
        raise Invalid("This value does not fit the signal.", field="value")
    row = session.exec(
        select(SignalCorrection).where(
            col(SignalCorrection.post_id) == post.id, col(SignalCorrection.signal) == signal
        )
    ).first()
    before = {"signal": signal, "value": row.value} if row is not None else {"signal": signal}
    if row is None:
        row = SignalCorrection(
            post_id=post.id,
            signal=signal,
            value=value,
            corrected_by_id=guardian.user_id,
            created_at=now,
        )
    row.value = value
    row.corrected_by_id = guardian.user_id
    row.created_at = now
    session.add(row)
    audit.record(
        session,
        actor_id=guardian.user_id,
        action="signal_corrected",
        target_type="post",
        target_id=post.id,
        before=before,
        after={"signal": signal, "value": value},
        now=now,
    )
    events.record(
        session,
        "signal_corrected",
        at=now,
        thread_id=post.thread_id,
        post_id=post.id,
        signal=signal,
        value=value,
        by_id=guardian.user_id,
    )
    session.commit()
    session.refresh(row)
    return row
