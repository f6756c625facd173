"""The sanitiser shows images only from this site's uploads: any other image address would tell
its owner who reads the post and when, so it becomes a link (or is dropped)."""

import pytest

from community import markdown

UPLOAD = "/uploads/" + "3f" * 32 + ".png"


def test_an_uploaded_image_renders_lazily_with_its_size() -> None:
    html = markdown.render(f"![modem lights]({UPLOAD})", image_sizes={UPLOAD: (640, 480)})

    assert html == (
        f'<p><img src="{UPLOAD}" alt="modem lights" loading="lazy" width="640" height="480"></p>\n'
    )


@pytest.mark.parametrize(
    "body",
    [
        '<img src="https://evil.example/x.png">',
        "<p><img src='https://evil.example/x.png' onerror='alert(1)'></p>",
    ],
)
def test_raw_html_images_never_render(body: str) -> None:
    html = markdown.render(body)

    assert "<img" not in html
    assert "evil.example" not in html or "&lt;img" in html


def test_a_markdown_image_from_elsewhere_becomes_a_link() -> None:
    html = markdown.render("See ![x](https://evil.example/x.png) here")

    assert "<img" not in html
    assert '<a href="https://evil.example/x.png" rel="nofollow noopener ugc">x</a>' in html


@pytest.mark.parametrize(
    "source",
    [
        "/uploads/" + "3f" * 32 + ".svg",
        "/uploads/" + "3F" * 32 + ".png",
        "/uploads/../secret_key.png",
        "//evil.example/uploads/" + "3f" * 32 + ".png",
        "https://evil.example/uploads/" + "3f" * 32 + ".png",
        "/uploads/" + "3f" * 32 + ".png?track=1",
        "data:image/png;base64,iVBORw0KGgo=",
    ],
)
def test_only_the_exact_address_of_an_upload_is_an_image(source: str) -> None:
    assert "<img" not in markdown.render(f"![x]({source})")


def test_an_outside_image_inside_a_link_leaves_only_its_text() -> None:
    html = markdown.render("[![badge](https://evil.example/b.png)](https://example.org/docs)")

    assert "<img" not in html
    assert html.count("<a ") == 1
    assert ">badge</a>" in html
