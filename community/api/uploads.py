"""Images for posts in JSON: upload one, get the address and the Markdown that shows it.

The browser's "Attach an image" calls this with its session and CSRF token; API clients with a
bearer token. Refusals are ``{"detail": ...}``: 413 too large, 415 not a PNG, JPEG or WebP
image, 422 empty, damaged or too many pixels, 429 too many uploads, 401 signed out, 403 suspended.
"""

from fastapi import APIRouter

from community import uploads
from community.capped_upload import FIELD, ReceivedFileDep
from community.deps import ClockDep, GuardianDep, SessionDep
from community.schemas import UploadPublic

router = APIRouter(tags=["uploads"])

_MULTIPART_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": [FIELD],
                    "properties": {
                        FIELD: {
                            "type": "string",
                            "format": "binary",
                            "description": "A PNG, JPEG or WebP image (5 MB by default).",
                        }
                    },
                }
            }
        },
    }
}


@router.post(
    "/uploads", status_code=201, response_model=UploadPublic, openapi_extra=_MULTIPART_BODY
)
def upload_image(
    file: ReceivedFileDep, session: SessionDep, guardian: GuardianDep, clock: ClockDep
) -> UploadPublic:
    """Upload an image to put in a question or an answer. It is stored without its metadata
    (EXIF, GPS position), upright; the same image uploaded again gets the same address."""
    stored = uploads.store_upload(
        session, guardian, file.file, filename=file.filename or "", clock=clock
    )
    upload = stored.upload
    return UploadPublic(
        url=stored.url,
        markdown=stored.markdown,
        width=upload.width,
        height=upload.height,
        content_type=upload.content_type,
        bytes=upload.byte_size,
    )
