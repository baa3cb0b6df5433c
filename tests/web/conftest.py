"""Browser tests: Debian's chromium, driven by Playwright, against the session's real server.

Playwright's own browser download is never used (it cannot work offline and is not what an
office PC runs): the browser is /usr/bin/chromium (`apt-get install chromium`, in the Makefile's
TEST_PACKAGES). Screenshots go to $HOSO_TEST_ARTIFACTS/web/<test>/ (default test-artifacts/,
git-ignored); a failed test leaves FAILED.png there beside the steps it reached.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("HOSO_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = Path(os.environ.get("HOSO_TEST_ARTIFACTS") or Path(__file__).parents[2] / "test-artifacts") / "web"
# Resources the pages answer for themselves (a wrong key's 401, a not-ready 409) are logged by
# the browser too; what must never appear is a script error or a blocked script or style.
EXPECTED_CONSOLE = re.compile(r"^Failed to load resource: the server responded with a status of (401|404|409|422)")


def unavailable(reason: str):
    """Without the browser a developer's run skips, saying why; CI (CI=true) must not skip."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")  # a browser per module: Playwright's loop never outlives it
def browser():
    try:
        from playwright.sync_api import expect, sync_playwright
    except ImportError:
        unavailable("playwright is not installed: pip install -e '.[test]'")
    if not CHROMIUM.exists():
        unavailable(f"no browser at {CHROMIUM}: apt-get install chromium")
    expect.set_options(timeout=20_000)  # two busy cores: OCR in other tests shares them
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True,
            args=["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"])
        yield browser
        browser.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


@dataclass
class Web:
    """One test's browser tab, where its screenshots go, and what the page complained about."""

    page: object
    directory: Path
    server: object
    problems: list[str] = field(default_factory=list)
    shots: int = 0

    def shot(self, name: str) -> Path:
        self.shots += 1
        path = self.directory / f"{self.shots:02d}-{name}.png"
        self.page.screenshot(path=path, full_page=True)
        return path

    def sign_in(self, path: str) -> None:
        from playwright.sync_api import expect

        self.page.goto(path)
        self.page.get_by_label("Khóa API").fill(self.server.key)
        self.page.get_by_role("button", name="Đăng nhập", exact=True).click()
        expect(self.page.locator("#nguoi-dung")).to_be_visible()

    def unlabelled_controls(self) -> list[str]:
        """Visible form controls without a label (or a button without a name)."""
        return self.page.locator("input, select, textarea, button").evaluate_all("""els => els
            .filter(e => e.offsetParent !== null || e.classList.contains('an-tep'))
            .filter(e => e.tagName === 'BUTTON'
                ? !(e.getAttribute('aria-label') || e.textContent.trim())
                : !((e.labels && e.labels.length) || e.getAttribute('aria-label')))
            .map(e => e.outerHTML.slice(0, 120))""")


@pytest.fixture()
def web(browser, server, request):
    directory = ARTIFACTS / re.sub(r"[^\w.-]+", "_", request.node.name)
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    context = browser.new_context(base_url=server.url, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh",
                                  viewport={"width": 1366, "height": 900}, accept_downloads=True)
    page = context.new_page()
    web = Web(page, directory, server)
    page.on("pageerror", lambda e: web.problems.append(f"script error: {e}"))
    page.on("console", lambda m: m.type == "error" and not EXPECTED_CONSOLE.match(m.text)
            and web.problems.append(f"console: {m.text}"))
    yield web
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        page.screenshot(path=directory / "FAILED.png", full_page=True)
    context.close()
    if report is not None and report.passed:
        assert not web.problems, f"the page reported problems: {web.problems}"
