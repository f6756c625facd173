"""Images in questions and answers: a member uploads a screenshot or a photo, the post links it.

Only signed-in, active members who are not suspended upload, ``uploads_per_hour`` files at most
(every file counts, refused ones too: decoding is the work the limit protects). A file is read
``upload_max_bytes`` at most, decoded and re-encoded (community.image_files) and stored once per
content (community.upload_storage): the same image sent again, by anyone, is the same file, row
and address. Addresses are unguessable hashes and public, as on Discourse: whoever may read the
post may see its images.

When an account is deleted, its uploads that no live post links any more go, rows and files;
those in posts the community keeps stay with them.
"""

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from community import image_files, markdown, upload_storage
from community.clock import Clock
from community.errors import Invalid, NotFound, RateLimited, TooLarge
from community.models import Post, Upload
from community.policy import Guardian, ensure, ensure_signed_in
from community.security import rate_limiter
from community.settings import get_settings
from community.upload_storage import StoredName

MAX_FILENAME_CHARS = 120
ANONYMOUS_FILENAME = "image"
READ_CHUNK_BYTES = 64 * 1024
_UNSAFE_IN_NAMES = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")


@dataclass(frozen=True)
class StoredUpload:
    """An upload as its uploader gets it back: the row, and the Markdown that shows it, with the
    name this uploader gave the file as its alternative text."""

    upload: Upload
    markdown: str

    @property
    def url(self) -> str:
        return name_of(self.upload).url


def name_of(upload: Upload) -> StoredName:
    return upload_storage.name_for(upload.sha256, upload.content_type)


def ensure_may_upload(guardian: Guardian) -> None:
    """Refuse visitors, suspended members and closed accounts before their file is read."""
    ensure_signed_in(guardian)
    guardian.ensure_not_suspended()
    ensure(guardian.can_upload(), "You cannot upload images.")


def store_upload(
    session: Session, guardian: Guardian, source: BinaryIO, *, filename: str, clock: Clock
) -> StoredUpload:
    """Check, clean and keep the image ``source`` holds, for the signed-in member."""
    ensure_may_upload(guardian)
    settings = get_settings()
    limit = settings.uploads_per_hour
    if not rate_limiter.allow(f"upload:{guardian.user_id}", limit=limit, window_seconds=3600):
        raise RateLimited(
            "You uploaded %(count)s images in the last hour, the most allowed. Try again later.",
            count=limit,
        )
    data = read_capped(source, settings.upload_max_bytes)
    image = image_files.clean(data, max_pixels=settings.upload_max_pixels)
    sha256 = hashlib.sha256(image.data).hexdigest()
    name = upload_storage.name_for(sha256, image.content_type)
    shown_name = clean_filename(filename)
    upload = _find(session, sha256)
    if upload is None:
        upload = _insert(session, guardian, image, name, shown_name, clock=clock)
    else:  # stored before: the file is there, unless someone removed it by hand
        upload_storage.write(settings.var_dir, name, image.data)
    return StoredUpload(upload=upload, markdown=f"![{markdown.escape(shown_name)}]({name.url})")


def read_capped(source: BinaryIO, limit: int) -> bytes:
    """All of ``source`` when it holds 1 to ``limit`` bytes; reading stops just past the limit."""
    chunks: list[bytes] = []
    size = 0
    while chunk := source.read(min(READ_CHUNK_BYTES, limit + 1 - size)):
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            raise too_large(limit)
    if size == 0:
        raise Invalid("This file is empty. Choose an image to attach.")
    return b"".join(chunks)


def too_large(limit: int) -> TooLarge:
    return TooLarge(
        "This image is too large: at most %(megabytes)s MB. Make it smaller and try again.",
        megabytes=f"{limit / (1024 * 1024):g}",
    )


def clean_filename(filename: str) -> str:
    """The file's own name (no folders), without control characters, at most 120 characters;
    only ever shown as text (the image's alternative text)."""
    base = re.split(r"[\\/]", filename)[-1]
    text = " ".join(_UNSAFE_IN_NAMES.sub(" ", base).split())
    return text[:MAX_FILENAME_CHARS].strip() or ANONYMOUS_FILENAME


def get_by_name(session: Session, name: str) -> tuple[Upload, Path]:
    """The upload served at ``/uploads/<name>`` and its file; NotFound for any other name."""
    stored = upload_storage.parse_name(name)
    upload = _find(session, stored.sha256) if stored is not None else None
    if stored is None or upload is None or name_of(upload) != stored:
        raise NotFound("There is no such image.")
    path = upload_storage.path_of(get_settings().var_dir, stored)
    if not path.is_file():
        raise NotFound("There is no such image.")
    return upload, path


def image_sizes(session: Session, body: str) -> dict[str, tuple[int, int]]:
    """Width and height of the uploads ``body`` links, by address (for markdown.render)."""
    names = {m.group("sha256") for m in upload_storage.URL.finditer(body)}
    if not names:
        return {}
    rows = session.exec(select(Upload).where(col(Upload.sha256).in_(names)))
    return {name_of(row).url: (row.width, row.height) for row in rows}


def list_for(session: Session, user_id: int) -> list[Upload]:
    query = select(Upload).where(col(Upload.user_id) == user_id).order_by(col(Upload.id))
    return list(session.exec(query))


def forget_unused(session: Session, user_id: int) -> list[StoredName]:
    """For a deleted account: delete the rows of the member's uploads that no live post links,
    and return their names, whose files go once the transaction is committed (``remove_files``).
    The kept ones lose the file name the member gave them, which may name them."""
    unused: list[Upload] = []
    for upload in list_for(session, user_id):
        if _is_linked(session, upload):
            upload.original_filename = ANONYMOUS_FILENAME
            session.add(upload)
        else:
            unused.append(upload)
    if unused:
        ids = [upload.id for upload in unused]
        session.execute(delete(Upload).where(col(Upload.id).in_(ids)))
    return [name_of(upload) for upload in unused]


def remove_files(session: Session, names: Iterable[StoredName]) -> None:
    """Delete the files of uploads whose rows are gone (not one stored again meanwhile)."""
    var_dir = get_settings().var_dir
    for name in names:
        if _find(session, name.sha256) is None:
            upload_storage.remove(var_dir, name)


def _is_linked(session: Session, upload: Upload) -> bool:
    # The hash is hex: nothing in it means anything to LIKE.
    query = select(Post.id).where(
        col(Post.deleted_at).is_(None), col(Post.body).contains(name_of(upload).url)
    )
    return session.exec(query.limit(1)).first() is not None


def _find(session: Session, sha256: str) -> Upload | None:
    return session.exec(select(Upload).where(col(Upload.sha256) == sha256)).first()


def _insert(
    session: Session,
    guardian: Guardian,
    image: image_files.CleanImage,
    name: StoredName,
    shown_name: str,
    *,
    clock: Clock,
) -> Upload:
    """The file first, then its row: a row always has its whole file behind it."""
    var_dir = get_settings().var_dir
    wrote = upload_storage.write(var_dir, name, image.data)
    upload = Upload(
        user_id=guardian.user_id,
        sha256=name.sha256,
        content_type=image.content_type,
        byte_size=len(image.data),
        width=image.width,
        height=image.height,
        original_filename=shown_name,
        created_at=clock.now(),
    )
    session.add(upload)
    try:
        session.commit()
    except IntegrityError:  # the same image, stored a moment ago by another request
        session.rollback()
        again = _find(session, name.sha256)
        if again is None:
            raise
        return again
    except BaseException:
        session.rollback()
        if wrote:
            upload_storage.remove(var_dir, name)
        raise
    return upload
