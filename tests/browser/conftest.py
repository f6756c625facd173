"""Browser tests: Debian's Chromium driven by Playwright against the app served on loopback."""

import os
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

import main
from community.clock import SystemClock
from community.settings import get_settings
from tests import live

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail("Chromium is missing: CI must install Debian's chromium")
        pytest.skip("Debian's chromium is not installed")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture
def live_server(db: Engine) -> Iterator[str]:
    """The real app with its in-process outbox worker, on a free loopback port."""
    app = main.create_app(get_settings(), engine=db, clock=SystemClock(), start_worker=True)
    with live.serve(app) as url:
        yield url
