"""A real browser attaches a screenshot to a reply: the file chooser, a refused file's reason next
to the control, the upload, the Markdown in the text box, and the image in the posted answer."""

import io
import re
import shutil

import pytest
from PIL import Image
from playwright.sync_api import Browser, FilePayload, expect
from sqlmodel import Session

from community.clock import FrozenClock
from community.settings import get_settings
from tests.browser.pages import new_member
from tests.factories import make_category, make_thread, make_user

pytestmark = pytest.mark.browser


def _screenshot() -> bytes:
    """Wider than any phone."""
    buffer = io.BytesIO()
    Image.new("RGB", (1600, 80), (20, 110, 200)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_a_member_attaches_a_screenshot_to_a_reply(
    browser: Browser, live_server: str, session: Session, clock: FrozenClock
) -> None:
    shutil.rmtree(get_settings().var_dir / "uploads", ignore_errors=True)
    asker = make_user(session, clock, username="asker")
    thread = make_thread(session, clock, author=asker, category=make_category(session))
    page = new_member(browser, live_server)
    page.goto(f"{live_server}/t/{thread.id}")
    page.fill("#reply-body", "The lights look like this:")

    with page.expect_file_chooser() as refused:
        page.get_by_text("Attach an image").click()
    refused.value.set_files(
        files=[FilePayload(name="notes.png", mimeType="image/png", buffer=b"not an image\n")]
    )
    expect(page.locator(".image-attach-status.error")).to_contain_text(
        "This file is not a PNG, JPEG or WebP image."
    )
    expect(page.locator("#reply-body")).to_have_value("The lights look like this:")

    with page.expect_file_chooser() as chooser:
        page.get_by_text("Attach an image").click()
    chooser.value.set_files(
        files=[FilePayload(name="modem lights.png", mimeType="image/png", buffer=_screenshot())]
    )

    expect(page.get_by_text("Image added to your text.")).to_be_visible()
    expect(page.locator("#reply-body")).to_have_value(
        re.compile(
            r"^The lights look like this:\n!\[modem lights\.png\]\(/uploads/[0-9a-f]{64}\.png\)\n$"
        )
    )
    page.get_by_role("button", name="Post your answer").click()

    image = page.locator("article.post-reply .post-body img")
    expect(image).to_have_attribute("alt", "modem lights.png")
    expect(image).to_have_attribute("src", re.compile(r"^/uploads/[0-9a-f]{64}\.png$"))
    page.wait_for_function(
        "document.querySelector('article.post-reply .post-body img').naturalWidth === 1600"
    )
    page.set_viewport_size({"width": 390, "height": 844})  # on a phone it fits the screen
    box = image.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, box
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shutil.rmtree(get_settings().var_dir / "uploads", ignore_errors=True)
