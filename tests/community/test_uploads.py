"""Images in questions and answers: what a member uploads is checked by decoding it, cleaned of
its metadata, stored once, served safely, and shown in posts; what is refused says why."""

import hashlib
import html
import io
import json
import shutil
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from PIL import ExifTags, Image
from sqlmodel import Session, select

from community import account_erasure, markdown, posting, uploads
from community.clock import FrozenClock
from community.errors import TooLarge
from community.models import ApiToken, Post, Upload, User
from community.policy import Guardian
from community.security import new_api_token
from community.settings import get_settings
from tests.factories import PASSWORD, make_category, make_reply, make_thread, make_user
from tests.helpers import csrf_token
from tests.moderation.brand_helpers import client_for, submit

GPS = ExifTags.IFD.GPSInfo
ORIENTATION = ExifTags.Base.Orientation


@pytest.fixture(autouse=True)
def _empty_uploads_directory():
    shutil.rmtree(_stored_dir(), ignore_errors=True)
    yield
    shutil.rmtree(_stored_dir(), ignore_errors=True)


def _stored_dir() -> Path:
    return get_settings().var_dir / "uploads"


def _stored_files() -> list[Path]:
    return sorted(p for p in _stored_dir().rglob("*") if p.is_file())


def _image(size=(40, 30), color=(200, 30, 30), image_format="PNG", mode="RGB", **save) -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, color).save(buffer, format=image_format, **save)
    return buffer.getvalue()


def _photo_with_gps() -> bytes:
    """A phone photo: camera make, GPS position, and taken sideways (orientation 6)."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ORIENTATION] = 6
    exif[GPS] = {1: "N", 2: (45.0, 27.0, 50.0), 3: "E", 4: (9.0, 11.0, 25.0)}
    return _image(size=(60, 20), image_format="JPEG", exif=exif.tobytes())


def _send(client, data: bytes, filename="modem.png", content_type="image/png", **headers):
    if "X-CSRF-Token" not in headers:
        headers["X-CSRF-Token"] = csrf_token(client)
    return client.post(
        "/api/v1/uploads", files={"file": (filename, data, content_type)}, headers=headers
    )


def _member_client(app, session: Session, clock: FrozenClock, username: str = "giulia"):
    user = make_user(session, clock, username=username)
    return user, client_for(app, user)


def _opened(url: str) -> Image.Image:
    name = url.removeprefix("/uploads/")
    sha = name.split(".")[0]
    return Image.open(_stored_dir() / sha[:2] / name)


def test_a_screenshot_attached_to_a_reply_shows_in_the_thread(app, session, clock):
    asker = make_user(session, clock, username="asker")
    thread = make_thread(session, clock, author=asker, category=make_category(session))
    _, client = _member_client(app, session, clock)

    uploaded = _send(client, _image(), filename="modem lights.png")
    assert uploaded.status_code == 201, uploaded.text
    answer = uploaded.json()
    body = f"My modem showed this:\n\n{answer['markdown']}"
    assert submit(client, f"/t/{thread.id}/posts", {"body": body}).status_code == 303

    page = client.get(f"/t/{thread.id}")
    assert (
        f'<img src="{answer["url"]}" alt="modem lights.png" loading="lazy" width="40" '
        f'height="30">' in page.text
    )
    served = client_for(app).get(answer["url"])  # anyone who reads the thread sees it
    assert served.status_code == 200
    assert Image.open(io.BytesIO(served.content)).size == (40, 30)


def test_the_reply_box_new_question_and_edit_pages_offer_to_attach_an_image(app, session, clock):
    giulia, client = _member_client(app, session, clock)
    thread = make_thread(session, clock, author=giulia, category=make_category(session))
    post = session.exec(select(Post).where(Post.thread_id == thread.id)).one()

    for url in (f"/t/{thread.id}", "/t/new", f"/p/{post.id}/edit"):
        page = client.get(url)
        assert page.status_code == 200
        assert "Attach an image" in page.text, url
        assert "data-image-attach=" in page.text, url
    italian = client.get(f"/t/{thread.id}", headers={"Accept-Language": "it"})
    assert "Allega un'immagine" in html.unescape(italian.text)


def test_location_and_camera_details_are_removed_and_the_photo_stays_upright(app, session, clock):
    photo = _photo_with_gps()
    assert Image.open(io.BytesIO(photo)).getexif().get_ifd(GPS)  # the test photo has them
    _, client = _member_client(app, session, clock)

    answer = _send(client, photo, filename="IMG_0001.jpg", content_type="image/jpeg").json()

    assert answer["content_type"] == "image/jpeg"
    (stored,) = _stored_files()
    assert b"PhoneMaker" not in stored.read_bytes()
    with _opened(answer["url"]) as image:
        assert image.format == "JPEG"
        assert dict(image.getexif()) == {}
        assert image.getexif().get_ifd(GPS) == {}
        assert image.size == (20, 60)  # turned as the camera said, the tag no longer needed
    assert (answer["width"], answer["height"]) == (20, 60)


def test_a_phone_jpeg_with_several_pictures_in_it_keeps_the_first(app, session, clock):
    pictures = [Image.new("RGB", (30, 20), color) for color in ("red", "blue")]
    buffer = io.BytesIO()
    pictures[0].save(buffer, format="MPO", save_all=True, append_images=pictures[1:])
    _, client = _member_client(app, session, clock)

    response = _send(client, buffer.getvalue(), filename="3d.jpg", content_type="image/jpeg")

    assert response.status_code == 201, response.text
    assert response.json()["content_type"] == "image/jpeg"
    with _opened(response.json()["url"]) as image:
        assert image.format == "JPEG"
        pixel = image.convert("RGB").getpixel((15, 10))
        assert isinstance(pixel, tuple)
        assert pixel[0] > 200 and pixel[2] < 60  # red, the first picture


def test_anything_appended_after_the_image_is_dropped(app, session, clock):
    _, client = _member_client(app, session, clock)
    payload = b"<script>alert(document.cookie)</script>"

    answer = _send(client, _image() + payload).json()

    (stored,) = _stored_files()
    assert payload not in stored.read_bytes()
    assert stored.stat().st_size == answer["bytes"]


def test_a_text_file_named_png_is_refused_with_a_readable_message(app, session, clock):
    _, client = _member_client(app, session, clock)

    response = _send(client, b"just some notes\n" * 20, filename="notes.png")

    assert response.status_code == 415
    assert response.json()["detail"].startswith("This file is not a PNG, JPEG or WebP image.")
    assert _stored_files() == []
    assert session.exec(select(Upload)).all() == []


def test_a_gif_is_not_among_the_formats_taken(app, session, clock):
    _, client = _member_client(app, session, clock)

    response = _send(client, _image(image_format="GIF", mode="P", color=1), filename="x.png")

    assert response.status_code == 415


def test_an_empty_file_and_a_missing_file_are_refused(app, session, clock):
    _, client = _member_client(app, session, clock)

    empty = _send(client, b"")
    missing = client.post(
        "/api/v1/uploads",
        data={"picture": "nothing"},
        headers={"X-CSRF-Token": csrf_token(client)},
        files={"other": ("a.png", _image(), "image/png")},
    )

    assert empty.status_code == 422
    assert empty.json()["detail"] == "This file is empty. Choose an image to attach."
    assert missing.status_code == 422
    assert "Choose an image file to upload" in missing.json()["detail"]


def test_a_damaged_image_is_refused(app, session, clock):
    _, client = _member_client(app, session, clock)
    cut_short = _image(size=(300, 200), color=(10, 200, 10), image_format="JPEG")[:400]

    response = _send(client, cut_short, filename="cut.jpg", content_type="image/jpeg")

    assert response.status_code == 422
    assert "damaged or cut short" in response.json()["detail"]


def test_too_large_a_file_is_refused_and_nothing_is_written(
    app, session, clock, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(get_settings(), "upload_max_bytes", 1024 * 1024)
    noise = Image.frombytes("RGB", (800, 800), bytes(range(256)) * 7500)
    buffer = io.BytesIO()
    noise.save(buffer, format="PNG", compress_level=0)
    assert len(buffer.getvalue()) > 1024 * 1024
    _, client = _member_client(app, session, clock)

    response = _send(client, buffer.getvalue())

    assert response.status_code == 413
    assert response.json()["detail"] == (
        "This image is too large: at most 1 MB. Make it smaller and try again."
    )
    assert _stored_files() == []


def test_a_body_without_a_declared_length_is_cut_off_at_the_limit(
    app, session, clock, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(get_settings(), "upload_max_bytes", 1024 * 1024)
    _, client = _member_client(app, session, clock)
    boundary = "peerdeskboundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.png"\r\n'
        "Content-Type: image/png\r\n\r\n"
    ).encode()

    def chunked_body() -> Iterator[bytes]:
        yield head
        for _ in range(40):  # 40 x 64 KiB: more than twice the limit, and never all sent
            yield b"\0" * 65536
        yield f"\r\n--{boundary}--\r\n".encode()

    response = client.post(
        "/api/v1/uploads",
        content=chunked_body(),
        headers={
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "X-CSRF-Token": csrf_token(client),
        },
    )

    assert response.status_code == 413
    assert _stored_files() == []


def test_the_service_reads_no_further_than_just_past_the_limit(session, clock, monkeypatch):
    monkeypatch.setattr(get_settings(), "upload_max_bytes", 1000)
    member = make_user(session, clock)
    source = io.BytesIO(b"x" * 50_000)

    with pytest.raises(TooLarge):
        uploads.store_upload(session, Guardian(member), source, filename="a.png", clock=clock)

    assert source.tell() == 1001
    assert _stored_files() == []


def test_a_decompression_bomb_is_refused_before_it_is_decoded(app, session, clock):
    # 7,000 x 7,000 pixels (49 megapixels, past the 40 allowed) in a file of a few kilobytes.
    bomb = _image(size=(7000, 7000), mode="1", color=0)
    assert len(bomb) < 100_000
    _, client = _member_client(app, session, clock)

    response = _send(client, bomb, filename="bomb.png")

    assert response.status_code == 422
    assert response.json()["detail"] == (
        "This image has too many pixels: at most 40 megapixels. Make it smaller and try again."
    )
    assert _stored_files() == []


def test_an_animated_image_keeps_its_first_frame(app, session, clock):
    frames = [Image.new("RGB", (20, 20), color) for color in ("blue", "yellow", "green")]
    buffer = io.BytesIO()
    frames[0].save(buffer, format="PNG", save_all=True, append_images=frames[1:], duration=100)
    assert getattr(Image.open(io.BytesIO(buffer.getvalue())), "n_frames", 1) == 3
    _, client = _member_client(app, session, clock)

    answer = _send(client, buffer.getvalue(), filename="blink.png").json()

    with _opened(answer["url"]) as image:
        assert not getattr(image, "is_animated", False)
        assert image.convert("RGB").getpixel((5, 5)) == (0, 0, 255)


def test_the_same_image_uploaded_twice_is_stored_once(app, session, clock):
    _, giulia = _member_client(app, session, clock, "giulia")
    _, luca = _member_client(app, session, clock, "luca")

    first = _send(giulia, _image(), filename="router.png").json()
    second = _send(luca, _image(), filename="same router.png").json()

    assert first["url"] == second["url"]
    assert second["markdown"] == f"![same router.png]({first['url']})"
    assert len(_stored_files()) == 1
    assert len(session.exec(select(Upload)).all()) == 1


def test_a_file_name_is_only_ever_text(app, session, clock):
    _, client = _member_client(app, session, clock)
    name = "[click](javascript:alert(1)) *now*.png"

    answer = _send(client, _image(), filename=f"C:\\Users\\giulia\\{name}").json()

    rendered = markdown.render(answer["markdown"])
    assert "<a " not in rendered
    assert "<em>" not in rendered
    assert f'alt="{name}"' in rendered
    assert session.exec(select(Upload)).one().original_filename == name


def test_uploads_are_rate_limited_per_member(app, session, clock, monkeypatch):
    monkeypatch.setattr(get_settings(), "uploads_per_hour", 2)
    _, giulia = _member_client(app, session, clock, "giulia")
    _, luca = _member_client(app, session, clock, "luca")

    assert _send(giulia, _image(color=(1, 2, 3))).status_code == 201
    assert _send(giulia, _image(color=(4, 5, 6))).status_code == 201
    third = _send(giulia, _image(color=(7, 8, 9)))

    assert third.status_code == 429
    assert third.json()["detail"] == (
        "You uploaded 2 images in the last hour, the most allowed. Try again later."
    )
    assert _send(luca, _image(color=(7, 8, 9))).status_code == 201  # the limit is per member


def test_a_suspended_member_cannot_upload(app, session, clock):
    giulia, client = _member_client(app, session, clock)
    giulia.suspended_until = clock.now() + timedelta(days=3)
    giulia.suspension_reason = "spam"
    session.add(giulia)
    session.commit()

    response = _send(client, _image())

    assert response.status_code == 403
    assert response.json()["detail"].startswith("Your account is suspended until")
    assert _stored_files() == []


def test_visitors_and_unknown_tokens_get_401(app, session, clock):
    visitor = client_for(app)

    anonymous = _send(visitor, _image())
    bad_token = visitor.post(
        "/api/v1/uploads",
        files={"file": ("a.png", _image(), "image/png")},
        headers={"Authorization": "Bearer pdk_not-a-real-token"},
    )

    assert anonymous.status_code == 401
    assert anonymous.json()["detail"] == "Please log in first."
    assert bad_token.status_code == 401
    assert _stored_files() == []


def test_a_session_upload_without_the_csrf_token_is_refused(app, session, clock):
    _, client = _member_client(app, session, clock)

    response = client.post("/api/v1/uploads", files={"file": ("modem.png", _image(), "image/png")})
    forged = _send(client, _image(), **{"X-CSRF-Token": "forged"})

    assert response.status_code == 403
    assert "reload the page" in response.json()["detail"]
    assert forged.status_code == 403
    assert _stored_files() == []


def test_the_api_answers_with_the_address_markdown_and_size(app, session, clock):
    member = make_user(session, clock, username="bot")
    token, digest = new_api_token()
    assert member.id is not None
    session.add(
        ApiToken(
            user_id=member.id,
            name="ci",
            token_hash=digest,
            prefix=token[:10],
            created_at=clock.now(),
        )
    )
    session.commit()
    webp = _image(size=(32, 24), image_format="WEBP")

    response = client_for(app).post(
        "/api/v1/uploads",
        files={"file": ("lights.webp", webp, "application/octet-stream")},
        headers={"Authorization": f"Bearer {token}"},
    )

    assert response.status_code == 201
    answer = response.json()
    (stored,) = _stored_files()
    sha = hashlib.sha256(stored.read_bytes()).hexdigest()
    assert answer == {
        "url": f"/uploads/{sha}.webp",
        "markdown": f"![lights.webp](/uploads/{sha}.webp)",
        "width": 32,
        "height": 24,
        "content_type": "image/webp",
        "bytes": stored.stat().st_size,
    }
    assert stored == _stored_dir() / sha[:2] / f"{sha}.webp"
    assert "/api/v1/uploads" in client_for(app).get("/openapi.json").json()["paths"]


def test_an_image_is_served_as_exactly_what_it_is(app, session, clock):
    _, client = _member_client(app, session, clock)
    answer = _send(client, _image(image_format="JPEG"), filename="a.jpg").json()

    served = client_for(app).get(answer["url"])

    assert served.status_code == 200
    assert served.headers["content-type"] == "image/jpeg"
    assert served.headers["x-content-type-options"] == "nosniff"
    assert served.headers["content-security-policy"] == "default-src 'none'; sandbox"
    assert served.headers["cache-control"] == "public, max-age=31536000, immutable"


@pytest.mark.parametrize(
    "address",
    [
        "/uploads/..%2f..%2fetc%2fpasswd",
        "/uploads/%2e%2e/%2e%2e/etc/passwd",
        "/uploads/..%5c..%5csecret_key",
        "/uploads/secret_key",
        "/uploads/" + "a" * 64 + ".png",
        "/uploads/" + "A" * 64 + ".png",
        "/uploads/" + "a" * 64 + ".png.html",
    ],
)
def test_anything_but_a_stored_image_is_404(app, address):
    response = client_for(app).get(address)

    assert response.status_code == 404
    assert "root:" not in response.text
    assert "test-secret" not in response.text


def test_a_known_image_under_another_extension_or_without_its_file_is_404(app, session, clock):
    _, client = _member_client(app, session, clock)
    url = _send(client, _image()).json()["url"]
    visitor = client_for(app)

    assert visitor.get(url.replace(".png", ".jpg")).status_code == 404
    for path in _stored_files():
        path.unlink()
    assert visitor.get(url).status_code == 404


def test_the_data_download_lists_the_members_uploads(app, session, clock):
    _, client = _member_client(app, session, clock)
    url = _send(client, _image(), filename="modem.png").json()["url"]
    _, luca = _member_client(app, session, clock, "luca")
    _send(luca, _image(color=(0, 0, 0)))

    data = json.loads(client.get("/settings/export").text)

    (listed,) = data["uploads"]
    assert listed["url"] == url
    assert listed["filename"] == "modem.png"
    assert listed["bytes"] == _stored_dir().joinpath(url[9:11], url[9:]).stat().st_size
    assert listed["created_at"] == clock.now().isoformat()


def test_deleting_an_account_deletes_the_images_no_live_post_shows(app, session, clock):
    giulia, client = _member_client(app, session, clock)
    thread = make_thread(session, clock, author=giulia, category=make_category(session))
    shown = _send(client, _image(color=(1, 1, 1)), filename="giulia-rossi.png").json()
    unused = _send(client, _image(color=(2, 2, 2))).json()
    in_deleted = _send(client, _image(color=(3, 3, 3))).json()
    make_reply(session, clock, author=giulia, thread=thread, body=f"Look: {shown['markdown']}")
    gone = make_reply(session, clock, author=giulia, thread=thread, body=in_deleted["markdown"])
    posting.delete_post(session, Guardian(giulia, now=clock.now()), gone, clock=clock)
    assert len(_stored_files()) == 3

    account_erasure.erase(session, Guardian(giulia), giulia, password=PASSWORD, clock=clock)

    kept = session.exec(select(Upload)).one()
    assert uploads.name_of(kept).url == shown["url"]
    assert kept.original_filename == "image"  # the name they gave it may have named them
    assert [p.name for p in _stored_files()] == [shown["url"].removeprefix("/uploads/")]
    assert client_for(app).get(shown["url"]).status_code == 200
    assert client_for(app).get(unused["url"]).status_code == 404
    assert client_for(app).get(in_deleted["url"]).status_code == 404


def test_an_image_someone_else_posted_outlives_its_uploaders_account(app, session, clock):
    giulia, client = _member_client(app, session, clock)
    luca = make_user(session, clock, username="luca")
    thread = make_thread(session, clock, author=luca, category=make_category(session))
    answer = _send(client, _image()).json()
    make_reply(session, clock, author=luca, thread=thread, body=f"As in {answer['markdown']}")

    account_erasure.erase(session, Guardian(giulia), giulia, password=PASSWORD, clock=clock)

    assert client_for(app).get(answer["url"]).status_code == 200
    assert session.get(User, giulia.id) is not None
