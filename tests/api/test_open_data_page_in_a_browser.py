"""The open-data page in Chromium: axe finds nothing to fix, and the links download."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.conftest import (  # noqa: F401  (shared fixtures)
    browser_context_args,
    browser_type_launch_args,
    live_server,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def served(live_server):  # noqa: F811
    """The application on a local port, and its base URL."""
    return live_server()


@pytest.fixture
def app(served):
    """The served application, so that ``world`` seeds the database it reads."""
    return served[0]


def test_the_open_data_page_is_accessible_and_its_links_download(served, world, page):
    page.goto(f"{served[1]}/open-data/")
    page.screenshot(path="/tmp/open-data.png", full_page=True)
    violations = [
        f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes)"
        for v in Axe().run(page).response["violations"]
    ]
    assert violations == []
    assert page.locator("h1").count() == 1
    with page.expect_download() as download:
        page.locator('a[href="/open-data/contributions.csv"]').click()
    assert download.value.suggested_filename == "consultation-contributions.csv"
