"""Browser tests: the app served on a local port, driven in Debian's Chromium by Playwright."""

import os
import shutil
import threading

import pytest
from werkzeug.serving import make_server

from tests.conftest import missing
from tests.panels.conftest import make_panel, small_panel  # noqa: F401  (shared fixtures)
from tests.referrals.conftest import make_referral, members, seated_panel  # noqa: F401

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not os.path.exists(CHROMIUM):
        missing(f"Chromium is not installed at {CHROMIUM} (apt-get install -y chromium).")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    """A resident's phone-sized browser set to French."""
    return {**browser_context_args, "locale": "fr-FR", "viewport": {"width": 412, "height": 915}}


class Dialogs(list):
    """The messages of the dialogs a page opened, oldest first; each is accepted, or
    dismissed while ``accept`` is False."""

    accept = True


@pytest.fixture
def dialogs(page):
    """Answer the page's confirmation dialogs (Playwright dismisses them otherwise)."""
    seen = Dialogs()

    def answer(dialog):
        seen.append(dialog.message)
        dialog.accept() if seen.accept else dialog.dismiss()

    page.on("dialog", answer)
    return seen


@pytest.fixture
def live_server(make_app):
    """Serve a fresh application on 127.0.0.1 and a free port; yields its base URL."""

    def start(**overrides):
        app = make_app(**overrides)
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        servers.append((server, thread))
        return app, f"http://127.0.0.1:{server.server_port}"

    servers = []
    yield start
    for server, thread in servers:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
