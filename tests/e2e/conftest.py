"""Browser end-to-end tests: the real demo (Home Assistant and the simulators) driven by Chromium.

One demo, one browser and one signed-in browser context serve the whole module. A failing test
leaves a full-page screenshot and the browser's console in .artifacts/e2e/ at the repository root.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Generator, Iterator
from contextlib import suppress
from dataclasses import dataclass, field
import os
from pathlib import Path
import re
from typing import Any

import aiohttp
from playwright.async_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Error as PlaywrightError,
    Locator,
    Page,
    async_playwright,
    expect,
)
import pytest
import pytest_asyncio
import pytest_socket  # type: ignore[import-untyped]

from tests.demo_process import RunningDemo, running_demo

ROOT = Path(__file__).parents[2]
ARTIFACTS = ROOT / ".artifacts" / "e2e"
CHROMIUM = os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium")  # Debian's; Playwright's own
# browser download cannot work on the project's closed network.
CHROMIUM_ARGS = [
    "--no-sandbox",  # the tests run as root
    "--disable-gpu",
    # Without these Chromium keeps opening connections to Google services that the closed
    # network refuses, many at a time, which slows down and disturbs the pages under test.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
UI_TIMEOUT_MS = 20_000  # a busy two-core machine renders Home Assistant's pages slowly
UI_TIMEOUT_S = UI_TIMEOUT_MS / 1000
# Our integrations, as they appear in console messages, resource URLs and logger names.
OUR_DOMAINS = tuple(
    sorted(
        p.parent.name for p in Path(__file__).parents[2].glob("custom_components/*/manifest.json")
    )
)

expect.set_options(timeout=UI_TIMEOUT_MS)

_CALL_REPORT = pytest.StashKey[pytest.TestReport]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Keep the test's own outcome where the fixtures that save artifacts can read it."""
    report = yield
    if report.when == "call":
        item.stash[_CALL_REPORT] = report
    return report


@dataclass(frozen=True)
class ConsoleEntry:
    text: str
    url: str  # the script or resource the message is about, if the browser names one

    def __str__(self) -> str:
        return f"{self.text} ({self.url})" if self.url else self.text


@dataclass
class Console:
    """What a page wrote to its console as errors, and its uncaught exceptions."""

    entries: list[ConsoleEntry] = field(default_factory=list)

    def watch(self, page: Page) -> None:
        page.on("console", self._on_console)
        page.on(
            "pageerror", lambda error: self.entries.append(ConsoleEntry(f"uncaught {error}", ""))
        )

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.entries.append(ConsoleEntry(message.text, message.location.get("url", "")))

    def errors_from_our_integrations(self, demo: RunningDemo, since: int = 0) -> list[str]:
        """Errors that name our integrations, except failed loads from outside the demo.

        Home Assistant 2026.2 loads every integration's brand icon from the internet, which the
        closed test network refuses; those failures say nothing about our code.
        """
        return [
            str(entry)
            for entry in self.entries[since:]
            if any(domain in str(entry).lower() for domain in OUR_DOMAINS)
            and not (
                entry.text.startswith("Failed to load resource")
                and not entry.url.startswith(demo.url)
            )
        ]


@pytest.fixture(scope="module")
def _local_sockets() -> None:
    """pytest-homeassistant blocks sockets before each test and `socket_enabled` reopens them
    for the test only; the module's demo starts earlier, in the first test's setup."""
    pytest_socket.enable_socket()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def demo(
    tmp_path_factory: pytest.TempPathFactory, _local_sockets: None
) -> AsyncIterator[RunningDemo]:
    async with running_demo(tmp_path_factory.mktemp("demo")) as running:
        yield running


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            await browser.close()


async def new_context(browser: Browser, demo: RunningDemo) -> BrowserContext:
    return await browser.new_context(base_url=demo.url, viewport={"width": 1280, "height": 900})


async def submit_login_form(page: Page, username: str, password: str) -> None:
    """Fill in Home Assistant's login page (the page must show it) and press "Log in"."""
    await page.get_by_role("textbox", name="Username").fill(username)
    await page.get_by_role("textbox", name="Password").fill(password)
    await page.get_by_role("button", name="Log in").click()


def overview_greeting(page: Page) -> Locator:
    """The heading of Home Assistant's default dashboard, "Welcome <user>"."""
    return page.get_by_role("heading", name=re.compile(r"^Welcome "))


@dataclass
class SignedInPage:
    """The module's one page, signed in once through the login page; its console is watched."""

    page: Page
    console: Console
    demo: RunningDemo

    async def access_token(self) -> str:
        return await stored_access_token(self.page)


async def stored_access_token(page: Page) -> str:
    """The token the frontend keeps after login ("Keep me logged in"), for the REST API.

    The frontend stores it a moment after the dashboard shows; every later page load of the
    module's context signs in with it.
    """
    await page.wait_for_function("localStorage.hassTokens !== undefined")
    token: str = await page.evaluate("JSON.parse(localStorage.hassTokens).access_token")
    return token


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def signed_in(browser: Browser, demo: RunningDemo) -> AsyncIterator[SignedInPage]:
    context = await new_context(browser, demo)
    page = await context.new_page()
    console = Console()
    console.watch(page)
    try:
        await page.goto("/")
        await submit_login_form(page, demo.username, demo.password)
        await expect(overview_greeting(page)).to_be_visible()
        await stored_access_token(page)
    except Exception:
        # Every test needs this page: one picture of why none could run (e.g. the frontend
        # stuck at "Loading data" when Home Assistant misses a package).
        await save_artifacts("signing_in", [page], console.entries)
        await context.close()
        raise
    try:
        yield SignedInPage(page, console, demo)
    finally:
        await context.close()


def failed(item: pytest.Item) -> bool:
    report = item.stash.get(_CALL_REPORT, None)
    return report is not None and report.failed


async def save_artifacts(name: str, pages: list[Page], console_entries: list[ConsoleEntry]) -> None:
    """A full-page screenshot of each page, and the console errors, as `ARTIFACTS/<name>.*`."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^\w.-]+", "_", name)
    for index, page in enumerate(pages):
        suffix = f"-{index + 1}" if index else ""
        with suppress(PlaywrightError):  # a crashed page must not hide the test's own failure
            # Bytes, not `path=`: Playwright writes files through the loop's default executor,
            # which pytest-homeassistant's verify_cleanup shuts down after every test.
            png = await page.screenshot(full_page=True)
            (ARTIFACTS / f"{name}{suffix}.png").write_bytes(png)
    (ARTIFACTS / f"{name}.console.txt").write_text(
        "".join(f"{entry}\n" for entry in console_entries) or "(no console errors)\n"
    )


@pytest_asyncio.fixture(autouse=True, loop_scope="module")
async def _artifacts_of_failures(
    request: pytest.FixtureRequest, signed_in: SignedInPage
) -> AsyncIterator[None]:
    since = len(signed_in.console.entries)
    yield
    if failed(request.node):
        await save_artifacts(request.node.name, [signed_in.page], signed_in.console.entries[since:])


@pytest_asyncio.fixture(loop_scope="module")
async def fresh_page(
    request: pytest.FixtureRequest, browser: Browser, demo: RunningDemo
) -> AsyncIterator[Page]:
    """A page in a context of its own, signed out; it, too, leaves artifacts of a failure."""
    context = await new_context(browser, demo)
    page = await context.new_page()
    console = Console()
    console.watch(page)
    try:
        yield page
        if failed(request.node):
            await save_artifacts(request.node.name, [page], console.entries)
    finally:
        await context.close()


@pytest.fixture(autouse=True)
def _no_errors_from_our_integrations_in_the_log(demo: RunningDemo) -> Iterator[None]:
    """Whatever a test does in the UI, our integrations log no ERROR in Home Assistant."""
    start = demo.log.stat().st_size
    yield
    with demo.log.open(errors="replace") as log:
        log.seek(start)
        new_lines = log.read().splitlines()
    errors = [
        line
        for line in new_lines
        if " ERROR " in line and any(f"custom_components.{d}" in line for d in OUR_DOMAINS)
    ]
    assert not errors, "\n".join(errors)


@pytest_asyncio.fixture(loop_scope="module")
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    """The shared `http` fixture, but in the module's event loop where these tests run."""
    async with aiohttp.ClientSession() as session:
        yield session


@dataclass
class HomeAssistantApi:
    """Home Assistant's REST API with the signed-in user's token, to cross-check the UI."""

    session: aiohttp.ClientSession

    async def states(self) -> list[dict[str, Any]]:
        async with self.session.get("/api/states") as response:
            response.raise_for_status()
            states: list[dict[str, Any]] = await response.json()
        return states

    async def entity_id(self, domain: str, friendly_name: str) -> str:
        for state in await self.states():
            entity_id: str = state["entity_id"]
            if (
                entity_id.startswith(f"{domain}.")
                and state["attributes"].get("friendly_name") == friendly_name
            ):
                return entity_id
        raise AssertionError(f"Home Assistant has no {domain} entity named {friendly_name!r}")

    async def state(self, entity_id: str) -> dict[str, Any]:
        async with self.session.get(f"/api/states/{entity_id}") as response:
            response.raise_for_status()
            state: dict[str, Any] = await response.json()
        return state


@pytest_asyncio.fixture(loop_scope="module")
async def ha_api(signed_in: SignedInPage) -> AsyncIterator[HomeAssistantApi]:
    async with aiohttp.ClientSession(
        base_url=signed_in.demo.url,
        headers={"Authorization": f"Bearer {await signed_in.access_token()}"},
    ) as session:
        yield HomeAssistantApi(session)
