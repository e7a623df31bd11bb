"""Real-browser helpers: Playwright driving Debian's Chromium (no browser download), screenshots kept.

Screenshots go to test-artifacts/ at the repository root, so a person can look at them after a run.
"""

from __future__ import annotations

import re
import shutil
import warnings
from pathlib import Path

import pytest

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
LOCALE_PO = Path(__file__).resolve().parents[2] / "src/panhuo/locale/zh_Hans/LC_MESSAGES/django.po"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
# Pages are opened with the reader's "reduce motion" setting on: charts then draw without their entry
# animation (web/static/panhuo/js/charts.js), so a screenshot shows the finished chart, not a frame of it.
STILL = {"reduced_motion": "reduce"}



def launch(pw):
    """Debian's headless Chromium, with the flags every check uses."""
    return pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)


def new_page(browser, width: int = 1024, height: int = 768):
    """A page of the given size (a tablet by default) in a context of its own (own cookies), with "reduce
    motion" on (see STILL)."""
    return browser.new_page(viewport={"width": width, "height": height}, **STILL)

def browser_or_skip():
    if CHROMIUM is None:
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    return sync_api


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    save_page(page, path)
    return path


# Chromium refuses a capture taller than its largest texture (16,384 px), and on a loaded machine it now and
# then refuses one for no reason it gives ("Unable to capture screenshot"). A screenshot is evidence for a
# person, not the check itself, so a tall page keeps its first TALLEST pixels, and a refused capture is tried
# once more and then kept as what the screen shows, with a warning, instead of failing the page's checks.
TALLEST = 15_000


def save_page(page, path: Path) -> None:
    """The whole page as a PNG at `path` (see TALLEST for the two limits)."""
    from playwright.sync_api import Error

    height = page.evaluate("document.documentElement.scrollHeight")
    width = page.viewport_size["width"] if page.viewport_size else 1280
    clip = {"x": 0, "y": 0, "width": width, "height": TALLEST} if height > TALLEST else None
    for attempt in range(2):
        try:
            page.screenshot(path=str(path), full_page=True, clip=clip)
            return
        except Error as err:
            if "Unable to capture screenshot" not in str(err):
                raise
            page.wait_for_timeout(500 * (attempt + 1))
    warnings.warn(f"Chromium refused a full-page capture of {page.url}; {path.name} shows the screen only",
                  stacklevel=2)
    page.screenshot(path=str(path))


def translated_english_strings() -> set[str]:
    """English source strings that have a Chinese translation: none may show on a Chinese page."""
    text = LOCALE_PO.read_text(encoding="utf-8")
    found = set()
    for msgid, msgstr in re.findall(r'^msgid "(.+)"\nmsgstr "(.+)"$', text, re.M):
        if msgid != msgstr and len(msgid) > 3 and "%" not in msgid and re.search(r"[A-Za-z]{3}", msgid):
            found.add(msgid)
    return found


def untranslated_on(page_text: str) -> list[str]:
    # Whole words only, and only sentences or capitalised labels, to avoid matching data such as names.
    return sorted(s for s in translated_english_strings()
                  if re.search(r"(?<![A-Za-z])" + re.escape(s) + r"(?![A-Za-z])", page_text) and s[0].isupper())


def log_in(page, base_url: str, username: str, password: str) -> None:
    """Log in through the real form and wait for the home page."""
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit].primary")
    try:
        page.wait_for_url(f"{base_url}/")
    except Exception:
        # Say where the log-in went instead (a refused password, a lockout, an error page) before failing.
        screenshot(page, f"login-failed-{username}")
        raise AssertionError(f"log-in as {username} ended at {page.url}: {page.inner_text('body')[:600]}") from None
