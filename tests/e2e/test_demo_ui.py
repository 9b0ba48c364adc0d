"""The demo as a person uses it: Home Assistant's web UI in Chromium, clicked through for real.

Selectors follow what the UI shows (roles, names, texts). Home Assistant renders dialog content
into slots, outside the dialog element's own tree, so dialog content is found through the dialog's
custom element (`ha-more-info-dialog`, `dialog-data-entry-flow`) rather than its ARIA role.
"""

from __future__ import annotations

from dataclasses import dataclass
import json
import re
from typing import Any

import aiohttp
from playwright.async_api import Locator, Page, expect
import pytest
import yaml

from tests.demo_process import RunningDemo
from tests.helpers import until

from .conftest import (
    ROOT,
    UI_TIMEOUT_S,
    HomeAssistantApi,
    SignedInPage,
    overview_greeting,
    stored_access_token,
    submit_login_form,
)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.e2e,
    pytest.mark.asyncio(loop_scope="module"),  # the demo and the browser serve the whole module
]

SIMULATED_HEATING_S = 600  # ten simulated minutes warm the Xenio by about ten degrees


def translations(domain: str) -> dict[str, Any]:
    strings: dict[str, Any] = json.loads(
        (ROOT / "custom_components" / domain / "translations" / "en.json").read_text()
    )
    return strings


def scenario(vendor: str, name: str) -> dict[str, Any]:
    """The scenario the demo's simulator runs, to name what the UI should show."""
    data: dict[str, Any] = yaml.safe_load(
        (ROOT / "simulators" / vendor / "scenarios" / f"{name}.yaml").read_text()
    )
    return data


def climate_tile(page: Page, name: str) -> Locator:
    """A climate tile reads "<name> <mode> · <temperature> °C"."""
    return page.get_by_role("button", name=re.compile(rf"^{re.escape(name)} \w+ · [\d.,]+ °C$"))


def more_info(page: Page) -> Locator:
    return page.locator("ha-more-info-dialog")


def temperature(text: str) -> float:
    match = re.search(r"-?\d+(?:[.,]\d+)?", text)
    assert match, f"no temperature in {text!r}"
    return float(match[0].replace(",", "."))


async def open_overview(page: Page) -> None:
    await page.goto("/")
    await expect(overview_greeting(page)).to_be_visible()


async def open_area(page: Page, area: str) -> None:
    """Areas have no stable address of their own; a person reaches them from the overview."""
    await open_overview(page)
    await page.get_by_role("button", name=area, exact=True).click()
    await expect(page).to_have_url(re.compile(r"/home/areas-"))


async def open_integrations(page: Page) -> None:
    """Settings > Devices & services, from the sidebar."""
    await open_overview(page)
    await page.get_by_text("Settings", exact=True).click()
    await page.get_by_text("Devices & services", exact=True).click()
    await expect(page).to_have_url(re.compile(r"/config/integrations"))


async def start_config_flow(page: Page, brand: str, first_step_title: str) -> Locator:
    """Add integration, search the brand, pick it; returns the flow dialog at its first form."""
    await open_integrations(page)
    await page.get_by_role("button", name="Add integration").click()
    await page.get_by_role("textbox", name="Search for a brand name").fill(brand)
    await page.locator("dialog-add-integration").get_by_text(brand, exact=True).click()
    await expect(page.get_by_role("alertdialog", name=first_step_title)).to_be_visible()
    return page.locator("dialog-data-entry-flow")


async def finish_config_flow(page: Page, flow: Locator) -> None:
    """After the last form, Home Assistant shows the created devices; close that step."""
    await expect(page.get_by_role("alertdialog", name=re.compile(r"created"))).to_be_visible()
    finish = flow.get_by_role("button", name=re.compile(r"finish", re.IGNORECASE))
    await finish.click()
    await expect(finish).to_be_hidden()


async def open_integration_page(page: Page, integration: str) -> None:
    await open_integrations(page)
    await page.get_by_role("link", name=integration, exact=True).click()
    await expect(page.get_by_role("heading", name=integration, exact=True)).to_be_visible()


def config_entry_row(page: Page, title: str) -> Locator:
    """A config entry on its integration's page, together with the devices it brought."""
    return page.locator("ha-config-entry-row").filter(has=page.get_by_text(title, exact=True))


# --- signing in ---------------------------------------------------------------------------------
async def test_login_page_refuses_a_wrong_password_then_lets_the_demo_user_in(
    fresh_page: Page, demo: RunningDemo
) -> None:
    page = fresh_page
    await page.goto("/")
    await expect(page).to_have_url(re.compile(r"/auth/authorize"))

    await submit_login_form(page, demo.username, f"not-{demo.password}")
    await expect(page.get_by_text("Invalid username or password")).to_be_visible()

    await submit_login_form(page, demo.username, demo.password)
    await expect(overview_greeting(page)).to_have_text("Welcome Demo")
    token = await stored_access_token(page)
    async with (
        aiohttp.ClientSession() as http,
        http.get(f"{demo.url}/api/", headers={"Authorization": f"Bearer {token}"}) as response,
    ):
        assert response.status == 200, "the token from the login page opens the REST API"


# --- the default dashboard ----------------------------------------------------------------------
async def test_overview_shows_the_saunas_and_the_alarm_without_errors_from_our_integrations(
    signed_in: SignedInPage, demo: RunningDemo
) -> None:
    page, since = signed_in.page, len(signed_in.console.entries)
    await open_overview(page)
    # Sauna devices suggest an area, so the overview lists them among the rooms.
    await expect(page.get_by_role("button", name="Sauna", exact=True)).to_be_visible()
    await expect(page.get_by_role("button", name="Steam room", exact=True)).to_be_visible()
    security = page.get_by_role("button", name=re.compile(r"^Security .*disarmed"))
    await expect(security).to_be_visible()

    await page.get_by_role("button", name="Sauna", exact=True).click()
    await expect(climate_tile(page, "Sauna")).to_be_visible()
    await expect(climate_tile(page, "Cabin sauna")).to_be_visible()

    await open_overview(page)
    await security.click()
    await expect(page.get_by_role("button", name="Solbakken 12 Disarmed")).to_be_visible()

    assert signed_in.console.errors_from_our_integrations(demo, since) == []


# --- controlling a sauna ------------------------------------------------------------------------
async def test_sauna_switched_to_heat_in_its_dialog_heats_up(
    signed_in: SignedInPage,
    demo: RunningDemo,
    ha_api: HomeAssistantApi,
    http: aiohttp.ClientSession,
) -> None:
    page = signed_in.page
    entity_id = await ha_api.entity_id("climate", "Cabin sauna")
    await open_area(page, "Sauna")
    await climate_tile(page, "Cabin sauna").click()
    dialog = more_info(page)
    await expect(page.get_by_role("alertdialog", name="Cabin sauna")).to_be_visible()
    current = dialog.locator(
        'more-info-climate div:has(> p.label:text-is("Current temperature")) > p.value'
    )
    mode = dialog.get_by_role("combobox", name="Mode")
    await expect(mode).to_contain_text("Off")
    cold = temperature(await current.inner_text())

    await mode.click()
    await dialog.get_by_role("option", name="Heat").click()
    await expect(mode).to_contain_text("Heat")
    await expect(dialog.get_by_text("Heating", exact=True)).to_be_visible()  # hvac action

    async with http.post(
        f"{demo.simulator('harvia')}/_sim/clock", json={"advance": SIMULATED_HEATING_S}
    ) as response:
        response.raise_for_status()

    async def warmer_in_the_dialog() -> bool:
        return temperature(await current.inner_text()) > cold

    await until(
        warmer_in_the_dialog,
        UI_TIMEOUT_S,
        every=0.25,
        what=f"the dialog's current temperature to rise above {cold}",
    )
    state = await ha_api.state(entity_id)
    assert state["state"] == "heat"
    assert state["attributes"]["current_temperature"] > cold


async def test_sauna_light_toggled_in_the_ui_turns_on_and_off(
    signed_in: SignedInPage,
    demo: RunningDemo,
    ha_api: HomeAssistantApi,
    http: aiohttp.ClientSession,
) -> None:
    page = signed_in.page
    sauna = next(
        device
        for device in scenario("harvia", "demo")["devices"]
        if device["name"] == "Cabin sauna"
    )
    device_id, cabin_id = sauna["id"], sauna["cabins"][0]["id"]
    entity_id = await ha_api.entity_id("light", "Cabin sauna Light")

    async def light_in_the_simulated_cloud() -> bool:
        async with http.get(f"{demo.simulator('harvia')}/_sim/state") as response:
            state: dict[str, Any] = await response.json()
        return bool(state[device_id]["cabins"][cabin_id]["light"])

    async def light_reaches(on: bool) -> None:
        async def everywhere() -> bool:
            in_ha = (await ha_api.state(entity_id))["state"] == ("on" if on else "off")
            return in_ha and await light_in_the_simulated_cloud() == on

        await until(
            everywhere,
            UI_TIMEOUT_S,
            every=0.25,
            what=f"{entity_id} and the simulated light to be {on=}",
        )

    await open_area(page, "Sauna")
    await page.get_by_role("button", name=re.compile(r"^Cabin sauna Light (Off|On)$")).click()
    dialog = more_info(page)
    toggle = dialog.get_by_role("switch", name="Toggle")
    await expect(toggle).not_to_be_checked()

    await toggle.click()
    await expect(toggle).to_be_checked()
    await light_reaches(on=True)

    await toggle.click()
    await expect(toggle).not_to_be_checked()
    await light_reaches(on=False)


# --- adding the integrations by hand ------------------------------------------------------------
@dataclass(frozen=True)
class ByHand:
    """Adding an integration with the account the demo leaves for its user (README, demo output)."""

    domain: str
    brand: str  # what the user searches for under Add integration
    username: str
    password: str
    username_field: str  # the translation keys of the user step's fields
    url_field: str
    url_path: str  # after the simulator's base URL
    entry_title: str  # the new entry's row on the integration's page
    devices: tuple[str, ...]  # what that row lists
    more: tuple[tuple[str, str], ...] = ()  # other fields: (translation key, text or a path
    # after the simulator's base URL when it starts with "/" or is empty)


def _home_devices(name: str) -> tuple[str, ...]:
    home = next(h for h in scenario("homely", "typical_home")["homes"] if h["name"] == name)
    return tuple(device["name"] for device in home["devices"])


BY_HAND = [
    ByHand("harvia", "Harvia", "try@harvia.example", "try-sauna-1", "email", "discovery_url",
           "/endpoints", "try@harvia.example", ("Garden sauna",)),
    # Homely names an entry after its home; Solbakken 12 has devices of the same names in its
    # own row, so only the new entry's row counts.
    ByHand("homely", "Homely", "try@homely.example", "try-hjem-1", "username", "base_url",
           "", "Hytta Fjellro", _home_devices("Hytta Fjellro")),
    ByHand("telenor_mic", "Telenor Managed IoT Cloud", "showroom-viewer", "look-dont-touch-1",
           "username", "manifest_url", "/prod/manifest/", "showroom-viewer @ demo.mic.example",
           ("Showroom climate", "Showroom fountain pump"),
           more=(("host", "demo.mic.example"), ("aws_endpoint", ""))),
]  # fmt: skip


@pytest.mark.parametrize("by_hand", BY_HAND, ids=lambda by_hand: by_hand.domain)
async def test_adding_an_integration_shows_the_translated_error_then_the_new_devices(
    signed_in: SignedInPage, demo: RunningDemo, by_hand: ByHand
) -> None:
    page, strings = signed_in.page, translations(by_hand.domain)["config"]
    user_step = strings["step"]["user"]
    flow = await start_config_flow(page, by_hand.brand, user_step["title"])
    url_field = flow.get_by_role("textbox", name=user_step["data"][by_hand.url_field])
    await expect(url_field, "the demo user has advanced mode, so the URL shows").to_be_visible()
    password = flow.get_by_role("textbox", name=user_step["data"]["password"])

    username = flow.get_by_role("textbox", name=user_step["data"][by_hand.username_field])
    await username.fill(by_hand.username)
    await password.fill(f"not-{by_hand.password}")
    await url_field.fill(f"{demo.simulator(by_hand.domain)}{by_hand.url_path}")
    for key, value in by_hand.more:
        is_url = value == "" or value.startswith("/")
        text = f"{demo.simulator(by_hand.domain)}{value}" if is_url else value
        await flow.get_by_role("textbox", name=user_step["data"][key]).fill(text)
    await flow.get_by_role("button", name="Submit").click()
    await expect(flow.get_by_text(strings["error"]["invalid_auth"])).to_be_visible()

    await password.fill(by_hand.password)
    await flow.get_by_role("button", name="Submit").click()
    await finish_config_flow(page, flow)

    await open_integration_page(page, by_hand.brand)
    new_entry = config_entry_row(page, by_hand.entry_title)
    for device in by_hand.devices:
        await expect(new_entry.get_by_text(device, exact=True)).to_be_visible()
