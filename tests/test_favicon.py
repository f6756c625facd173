"""The site's icon: linked from every page, and at /favicon.ico, which browsers ask for anyway."""

import re


def test_every_page_links_the_favicon_and_favicon_ico_leads_to_it(client):
    page = client.get("/").text
    link = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', page)
    assert link is not None

    icon = client.get(link.group(1))
    assert icon.status_code == 200
    assert icon.headers["content-type"].startswith("image/svg+xml")
    assert icon.text.lstrip().startswith("<svg")

    legacy = client.get("/favicon.ico", follow_redirects=False)
    assert legacy.status_code == 301
    assert legacy.headers["location"] == link.group(1)
