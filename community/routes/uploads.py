"""Serving uploaded images at /uploads/<sha256>.<ext>, to anyone (the address is unguessable).

Each answer says exactly what it is and forbids the browser from treating it as anything else:
the stored type, no sniffing, and a policy that runs nothing even if the file is opened on its
own. The bytes behind an address never change, so browsers and proxies keep them for a year.
"""

from fastapi import APIRouter
from fastapi.responses import FileResponse

from community import uploads
from community.deps import SessionDep

router = APIRouter()

HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; sandbox",
    "Cache-Control": "public, max-age=31536000, immutable",
}


@router.get("/uploads/{name}")
def uploaded_image(name: str, session: SessionDep) -> FileResponse:
    upload, path = uploads.get_by_name(session, name)
    return FileResponse(path, media_type=upload.content_type, headers=HEADERS)
