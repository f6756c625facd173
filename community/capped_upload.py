"""Reading the one file of a multipart request without letting its size run away.

Starlette's form parser would take a body of any size (spooling it to a temporary file). Here
the body is refused up front when its declared length is too large, and cut off while it
streams in as soon as it passes the limit, so a request never makes the server hold more than
``upload_max_bytes`` plus the form's own few lines.
"""

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from starlette.datastructures import UploadFile
from starlette.types import Message, Receive

from community import uploads
from community.deps import GuardianDep, SettingsDep
from community.errors import Invalid

FIELD = "file"
FORM_OVERHEAD_BYTES = 16 * 1024  # boundaries, part headers and a long file name


async def received_file(
    request: Request, guardian: GuardianDep, settings: SettingsDep
) -> AsyncIterator[UploadFile]:
    """The request's ``file`` part, read at most ``upload_max_bytes`` (and the overhead) far."""
    uploads.ensure_may_upload(guardian)  # nobody else's body is read at all
    limit = settings.upload_max_bytes
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit + FORM_OVERHEAD_BYTES:
        raise uploads.too_large(limit)
    capped = Request(request.scope, _capped(request.receive, limit + FORM_OVERHEAD_BYTES, limit))
    form = await capped.form(max_files=1, max_fields=2)
    try:
        part = form.get(FIELD)
        if not isinstance(part, UploadFile):
            raise Invalid("Choose an image file to upload (the form field is “file”).")
        yield part
    finally:
        await form.close()


def _capped(receive: Receive, cap: int, limit: int) -> Receive:
    received = 0

    async def receive_capped() -> Message:
        nonlocal received
        message = await receive()
        received += len(message.get("body", b""))
        if received > cap:
            raise uploads.too_large(limit)
        return message

    return receive_capped


ReceivedFileDep = Annotated[UploadFile, Depends(received_file)]
