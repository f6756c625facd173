"""Headers that make the browser guard every page: no framing, no type sniffing, no leaking
addresses to other sites."""


def test_every_page_asks_the_browser_to_guard_it(client):
    headers = client.get("/login").headers
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert client.get("/password/reset/x").headers["referrer-policy"] == "no-referrer"
