"""Every path of the config flow, against the simulated Homely SDK."""

from __future__ import annotations

from typing import Any
from unittest.mock import patch

from homeassistant.config_entries import SOURCE_INTEGRATION_DISCOVERY, SOURCE_USER
from homeassistant.const import CONF_PASSWORD, CONF_USERNAME
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.homely.api import DEFAULT_BASE_URL
from custom_components.homely.const import CONF_BASE_URL, CONF_LOCATION_ID, DOMAIN
from simulators.core import HttpFault, SimulatorServer
from simulators.homely import HomelySimulator

from .conftest import CABIN, HOME

NO_SETUP = "custom_components.homely.async_setup_entry"


def credentials(entry_data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in entry_data.items() if k != CONF_LOCATION_ID}


async def _start(hass: HomeAssistant, advanced: bool = True) -> dict[str, Any]:
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER, "show_advanced_options": advanced}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {}
    return dict(result)


async def _finish_with(hass: HomeAssistant, flow_id: str, entry_data: dict[str, Any]) -> None:
    """The user corrects the form: the entry of the account's only home is created."""
    with patch(NO_SETUP, return_value=True):
        result = await hass.config_entries.flow.async_configure(flow_id, credentials(entry_data))
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert (result["title"], result["result"].unique_id) == ("Solbakken 12", HOME)
    assert result["data"] == entry_data
    assert [e.unique_id for e in hass.config_entries.async_entries(DOMAIN)] == [HOME]


async def test_one_home_is_created_at_once(
    hass: HomeAssistant, entry_data: dict[str, Any], cloud: SimulatorServer
) -> None:
    result = await _start(hass)
    assert [str(k) for k in result["data_schema"].schema] == [
        CONF_USERNAME,
        CONF_PASSWORD,
        CONF_BASE_URL,
    ]
    with patch(NO_SETUP, return_value=True) as setup:
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], credentials(entry_data)
        )
        await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Solbakken 12"
    assert result["result"].unique_id == HOME
    assert result["data"] == entry_data
    assert len(setup.mock_calls) == 1


async def test_base_url_is_advanced(hass: HomeAssistant) -> None:
    result = await _start(hass, advanced=False)
    assert [str(k) for k in result["data_schema"].schema] == [CONF_USERNAME, CONF_PASSWORD]
    assert DEFAULT_BASE_URL == "https://sdk.iotiliti.cloud"


@pytest.mark.parametrize("scenario", ["two_homes.yaml"])
async def test_two_homes_choose_one_and_the_other_is_offered(
    hass: HomeAssistant, entry_data: dict[str, Any]
) -> None:
    result = await _start(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], credentials(entry_data)
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "home"
    options = result["data_schema"].schema[CONF_LOCATION_ID].config["options"]
    assert [o["label"] for o in options] == ["Kringsjå", "Hytta"]
    with patch(NO_SETUP, return_value=True):
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], {CONF_LOCATION_ID: HOME}
        )
        await hass.async_block_till_done()
    assert (result["type"], result["title"]) == (FlowResultType.CREATE_ENTRY, "Kringsjå")
    # The cabin waits as a discovered flow: one click adds it with the same account.
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [(f["context"]["source"], f["context"]["unique_id"]) for f in flows] == [
        (SOURCE_INTEGRATION_DISCOVERY, CABIN)
    ]
    assert flows[0]["context"]["title_placeholders"] == {"name": "Hytta"}
    with patch(NO_SETUP, return_value=True):
        result = await hass.config_entries.flow.async_configure(flows[0]["flow_id"], {})
        await hass.async_block_till_done()
    assert (result["type"], result["title"]) == (FlowResultType.CREATE_ENTRY, "Hytta")
    assert result["data"][CONF_LOCATION_ID] == CABIN
    assert result["data"][CONF_USERNAME] == "per@homely.example"
    # Adding the account again: nothing is left.
    result = await _start(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], credentials(entry_data)
    )
    assert (result["type"], result["reason"]) == (FlowResultType.ABORT, "all_homes_configured")


@pytest.mark.parametrize("scenario", ["two_homes.yaml"])
async def test_second_home_added_through_the_user_flow(
    hass: HomeAssistant, entry_data: dict[str, Any]
) -> None:
    MockConfigEntry(domain=DOMAIN, unique_id=HOME, data=entry_data).add_to_hass(hass)
    result = await _start(hass)
    with patch(NO_SETUP, return_value=True):
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], credentials(entry_data)
        )
    assert (result["type"], result["title"]) == (FlowResultType.CREATE_ENTRY, "Hytta")


@pytest.mark.parametrize("scenario", ["two_homes.yaml"])
async def test_discovered_home_already_configured(
    hass: HomeAssistant, entry_data: dict[str, Any]
) -> None:
    MockConfigEntry(domain=DOMAIN, unique_id=CABIN, data=entry_data).add_to_hass(hass)
    result = await hass.config_entries.flow.async_init(
        DOMAIN,
        context={"source": SOURCE_INTEGRATION_DISCOVERY},
        data={**credentials(entry_data), CONF_LOCATION_ID: CABIN, "name": "Hytta"},
    )
    assert (result["type"], result["reason"]) == (FlowResultType.ABORT, "already_configured")


@pytest.mark.parametrize("scenario", ["no_homes.yaml"])
async def test_account_without_homes(hass: HomeAssistant, entry_data: dict[str, Any]) -> None:
    result = await _start(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            **credentials(entry_data),
            CONF_USERNAME: "guest@homely.example",
            CONF_PASSWORD: "gjest-2026",
        },
    )
    assert (result["type"], result["reason"]) == (FlowResultType.ABORT, "no_homes")


@pytest.mark.parametrize(
    ("fault", "change", "error"),
    [
        (None, {CONF_PASSWORD: "wrong"}, "invalid_auth"),
        (
            HttpFault(
                400,
                path="/homely/oauth/token",
                body={"statusCode": 400, "message": ["username must be an email"]},
            ),
            {},
            "unknown",  # a malformed request says nothing about the credentials
        ),
        (HttpFault(503, path="/homely/oauth/token"), {}, "cannot_connect"),
        (HttpFault(429, path="/homely/locations"), {}, "rate_limited"),
        (HttpFault(200, path="/homely/locations", body={"not": "a list"}), {}, "cannot_connect"),
    ],
)
async def test_errors_then_recovery(
    hass: HomeAssistant,
    entry_data: dict[str, Any],
    cloud: SimulatorServer,
    fault: HttpFault | None,
    change: dict[str, str],
    error: str,
) -> None:
    if fault is not None:
        cloud.ctx.faults.add_http(fault)
    result = await _start(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {**credentials(entry_data), **change}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": error}
    suggested = {
        str(key): (key.description or {}).get("suggested_value")
        for key in result["data_schema"].schema
    }
    assert suggested[CONF_USERNAME] == entry_data[CONF_USERNAME]  # kept; the password is not
    assert suggested[CONF_PASSWORD] is None
    cloud.ctx.faults.clear()
    for gate in hass.data.get("homely_rate_limit_gates", {}).values():
        gate.blocked_until = 0
    await _finish_with(hass, result["flow_id"], entry_data)


async def test_unexpected_error(hass: HomeAssistant, entry_data: dict[str, Any]) -> None:
    result = await _start(hass)
    with patch(
        "custom_components.homely.api.HomelyClient.async_login", side_effect=RuntimeError("boom")
    ):
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], credentials(entry_data)
        )
    assert result["errors"] == {"base": "unknown"}
    await _finish_with(hass, result["flow_id"], entry_data)


async def test_home_already_configured(
    hass: HomeAssistant, config_entry: MockConfigEntry, entry_data: dict[str, Any]
) -> None:
    result = await _start(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], credentials(entry_data)
    )
    assert (result["type"], result["reason"]) == (FlowResultType.ABORT, "all_homes_configured")


async def test_reauth(
    hass: HomeAssistant, config_entry: MockConfigEntry, sim: HomelySimulator
) -> None:
    sim.cloud.users["kari@homely.example"].password = "new-password"
    result = await config_entry.start_reauth_flow(hass)
    assert result["step_id"] == "reauth_confirm"
    assert result["description_placeholders"]["home"] == "Solbakken 12"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_USERNAME: "kari@homely.example", CONF_PASSWORD: "old"}
    )
    assert result["errors"] == {"base": "invalid_auth"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_USERNAME: "guest@homely.example", CONF_PASSWORD: "x"}
    )
    assert result["errors"] == {"base": "invalid_auth"}
    with patch(NO_SETUP, return_value=True):
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], {CONF_USERNAME: "kari@homely.example", CONF_PASSWORD: "new-password"}
        )
    assert (result["type"], result["reason"]) == (FlowResultType.ABORT, "reauth_successful")
    assert config_entry.data[CONF_PASSWORD] == "new-password"


@pytest.mark.parametrize("scenario", ["two_homes.yaml"])
async def test_reauth_with_an_account_without_this_home(
    hass: HomeAssistant, config_entry: MockConfigEntry, sim: HomelySimulator
) -> None:
    per = sim.cloud.users["per@homely.example"]
    per.homes.remove(HOME)
    per.password = "nytt-2026"
    result = await config_entry.start_reauth_flow(hass)
    answer = {CONF_USERNAME: "per@homely.example", CONF_PASSWORD: "nytt-2026"}
    result = await hass.config_entries.flow.async_configure(result["flow_id"], answer)
    assert result["errors"] == {"base": "home_not_found"}
    per.homes.append(HOME)  # the home's owner gives the account access again in the app
    with patch(NO_SETUP, return_value=True):
        result = await hass.config_entries.flow.async_configure(result["flow_id"], answer)
    assert (result["type"], result["reason"]) == (FlowResultType.ABORT, "reauth_successful")
    assert config_entry.data[CONF_PASSWORD] == "nytt-2026"


async def test_reconfigure(
    hass: HomeAssistant, config_entry: MockConfigEntry, cloud: SimulatorServer
) -> None:
    result = await config_entry.start_reconfigure_flow(hass)
    assert result["step_id"] == "reconfigure"
    schema = result["data_schema"]({CONF_PASSWORD: "x"})
    assert (schema[CONF_USERNAME], schema[CONF_BASE_URL]) == ("kari@homely.example", cloud.url)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {CONF_USERNAME: "ola@homely.example", CONF_PASSWORD: "wrong", CONF_BASE_URL: cloud.url},
    )
    assert result["errors"] == {"base": "invalid_auth"}
    with patch(NO_SETUP, return_value=True):
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"],
            {
                CONF_USERNAME: "ola@homely.example",
                CONF_PASSWORD: "hytta-2026",
                CONF_BASE_URL: cloud.url,
            },
        )
    assert (result["type"], result["reason"]) == (FlowResultType.ABORT, "reconfigure_successful")
    assert config_entry.data[CONF_USERNAME] == "ola@homely.example"
    assert config_entry.unique_id == HOME
