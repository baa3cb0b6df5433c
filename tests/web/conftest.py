"""Browser tests: Debian's chromium and Firefox ESR, driven by Playwright, against the session's
real server. Every test runs in both (`test_…[chromium]`, `test_…[firefox]`).

Playwright's own browser downloads are never used (they cannot work offline and are not what an
office PC runs): the browsers are /usr/bin/chromium and /usr/bin/firefox-esr (`apt-get install
chromium firefox-esr`, in the Makefile's TEST_PACKAGES). Chromium is driven over CDP; Firefox
over its own WebDriver BiDi (Playwright's `moz-firefox` channel), through firefox_bidi.py.
Screenshots go to $HOSO_TEST_ARTIFACTS/web/<test>[<browser>]/ (default test-artifacts/,
git-ignored); a failed test leaves FAILED.png there beside the steps it reached.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import os
import re
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("HOSO_CHROMIUM", "/usr/bin/chromium"))
FIREFOX = Path(os.environ.get("HOSO_FIREFOX", "/usr/bin/firefox-esr"))
ARTIFACTS = Path(os.environ.get("HOSO_TEST_ARTIFACTS") or Path(__file__).parents[2] / "test-artifacts") / "web"
# Resources the pages answer for themselves (a wrong key's 401, a not-ready 409) are logged by
# the browser too; what must never appear is a script error or a blocked script or style.
EXPECTED_CONSOLE = re.compile(r"^Failed to load resource: the server responded with a status of (401|404|409|422)")
# Before a screenshot Playwright adds `<style>body {}</style>` for a moment (to settle animations);
# in Firefox the page's CSP blocks it, rightly, and says so as a script error naming its hash.
SCREENSHOT_STYLE = base64.b64encode(hashlib.sha256(b"body {}").digest()).decode()


def unavailable(reason: str):
    """Without the browser a developer's run skips, saying why; CI (CI=true) must not skip."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)


@dataclass
class Browser:
    """A launched browser; `printer` is the file it prints into (Firefox), None if it cannot."""

    launched: object
    printer: Path | None = None


# A browser per module (Playwright's loop never outlives it), each module in both browsers.
@pytest.fixture(scope="module", params=["chromium", "firefox"])
def browser(request, tmp_path_factory):
    try:
        from playwright.sync_api import expect, sync_playwright
    except ImportError:
        unavailable("playwright is not installed: pip install -e '.[test]'")
    executable, package = (CHROMIUM, "chromium") if request.param == "chromium" else (FIREFOX, "firefox-esr")
    if not executable.exists():
        unavailable(f"no browser at {executable}: apt-get install {package}")
    expect.set_options(timeout=20_000)  # two busy cores: OCR in other tests shares them
    with sync_playwright() as playwright:
        if request.param == "chromium":
            browser = Browser(playwright.chromium.launch(
                executable_path=str(executable), headless=True,
                args=["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"]))
        else:
            home = tmp_path_factory.mktemp("firefox")
            browser = Browser(playwright.firefox.launch(
                channel="moz-firefox", executable_path=_firefox_relay(executable, home), headless=True,
                firefox_user_prefs=_print_to_file(home / "printed.pdf")), printer=home / "printed.pdf")
        yield browser
        browser.launched.close()


def _firefox_relay(firefox: Path, home: Path) -> str:
    """An executable for Playwright to start: firefox_bidi.py in this Python, before Firefox."""
    if importlib.util.find_spec("websockets") is None:
        unavailable("websockets is not installed: pip install -e '.[test]'")
    script = home / "firefox"
    relay = Path(__file__).with_name("firefox_bidi.py")
    script.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{relay}" "{firefox}" "$@"\n')
    script.chmod(0o755)
    return str(script)


def _print_to_file(path: Path) -> dict:
    """Firefox's own "Save to PDF" printer, without its dialog: what a page prints lands in `path`."""
    printer = "print.printer_Mozilla_Save_to_PDF"
    return {"print.always_print_silent": True, "print_printer": "Mozilla Save to PDF",
            f"{printer}.print_to_file": True, f"{printer}.print_to_filename": str(path)}


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
    printer: Path | None = None  # where the browser prints, if it can (see Browser)
    problems: list[str] = field(default_factory=list)
    shots: int = 0

    def shot(self, name: str) -> Path:
        self.shots += 1
        path = self.directory / f"{self.shots:02d}-{name}.png"
        self.page.screenshot(path=path, full_page=True)
        return path

    def printed(self, name: str, timeout: float = 60) -> Path:
        """What the page sent to the printer, once the browser has written all of it, kept as
        `name` beside the screenshots."""
        assert self.printer is not None, "this browser cannot print in a test"
        deadline = time.monotonic() + timeout
        while not (self.printer.exists() and self.printer.read_bytes().rstrip().endswith(b"%%EOF")):
            assert time.monotonic() < deadline, f"nothing printed within {timeout:.0f} s"
            time.sleep(0.2)
        return self.printer.rename(self.directory / name)

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
    directory = ARTIFACTS / re.sub(r"[^\w.\[\]-]+", "_", request.node.name)
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    if browser.printer is not None:
        browser.printer.unlink(missing_ok=True)
    context = browser.launched.new_context(base_url=server.url, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh",
                                           viewport={"width": 1366, "height": 900}, accept_downloads=True)
    page = context.new_page()
    web = Web(page, directory, server, browser.printer)
    page.on("pageerror", lambda e: SCREENSHOT_STYLE in str(e) or web.problems.append(f"script error: {e}"))
    page.on("console", lambda m: m.type == "error" and not EXPECTED_CONSOLE.match(m.text)
            and web.problems.append(f"console: {m.text}"))
    yield web
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        page.screenshot(path=directory / "FAILED.png", full_page=True)
    context.close()
    if report is not None and report.passed:
        assert not web.problems, f"the page reported problems: {web.problems}"
