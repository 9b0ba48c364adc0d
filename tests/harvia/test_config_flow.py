"""Every path of the config flow, against the simulated MyHarvia cloud."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from unittest.mock import patch

from homeassistant.config_entries import SOURCE_USER
from homeassistant.const import CONF_EMAIL, CONF_PASSWORD
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.harvia.api import DEFAULT_DISCOVERY_URL
from custom_components.harvia.const import CONF_DISCOVERY_URL, CONF_REFRESH_TOKEN, DOMAIN
from simulators.core import SimulatorServer
from simulators.harvia import HarviaSimulator

from .conftest import PASSWORD, account_id


async def _start(hass: HomeAssistant, advanced: bool = True) -> dict[str, Any]:
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER, "show_advanced_options": advanced}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {}
    return dict(result)


async def _finish_with(
    hass: HomeAssistant, flow_id: str, user_input: dict[str, Any], email: str
) -> None:
    """The user corrects the form: the entry of `email`'s account is created."""
    with patch("custom_components.harvia.async_setup_entry", return_value=True):
        result = await hass.config_entries.flow.async_configure(flow_id, user_input)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert (result["title"], result["result"].unique_id) == (email, account_id(email))
    assert result["data"][CONF_EMAIL] == email
    assert result["data"][CONF_REFRESH_TOKEN]
    assert [e.unique_id for e in hass.config_entries.async_entries(DOMAIN)] == [account_id(email)]


async def test_user_flow_creates_the_entry(
    hass: HomeAssistant, entry_data: dict[str, Any], cloud: SimulatorServer
) -> None:
    result = await _start(hass)
    schema_keys = [str(key) for key in result["data_schema"].schema]
    assert schema_keys == [CONF_EMAIL, CONF_PASSWORD, CONF_DISCOVERY_URL]
    with patch("custom_components.harvia.async_setup_entry", return_value=True) as setup:
        result = await hass.config_entries.flow.async_configure(result["flow_id"], entry_data)
        await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "xenio@harvia.example"
    assert result["result"].unique_id == account_id("xenio@harvia.example")
    data = result["data"]
    assert data[CONF_DISCOVERY_URL] == f"{cloud.url}/endpoints"
    assert cloud.ctx.tokens.check(data[CONF_REFRESH_TOKEN], "refresh").valid
    assert len(setup.mock_calls) == 1


async def test_discovery_url_is_advanced(hass: HomeAssistant) -> None:
    result = await _start(hass, advanced=False)
    assert [str(key) for key in result["data_schema"].schema] == [CONF_EMAIL, CONF_PASSWORD]
    assert DEFAULT_DISCOVERY_URL == "https://prod.api.harvia.io/endpoints"


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({CONF_PASSWORD: "wrong"}, "invalid_auth"),
        ({CONF_EMAIL: "nobody@harvia.example"}, "invalid_auth"),
        ({CONF_DISCOVERY_URL: "http://127.0.0.1:9/endpoints"}, "cannot_connect"),
    ],
)
async def test_user_flow_errors_then_recovers(
    hass: HomeAssistant, entry_data: dict[str, Any], change: dict[str, str], error: str
) -> None:
    result = await _start(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {**entry_data, **change}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": error}
    await _finish_with(hass, result["flow_id"], entry_data, "xenio@harvia.example")


async def test_cloud_errors_are_cannot_connect(
    hass: HomeAssistant, entry_data: dict[str, Any], cloud: SimulatorServer
) -> None:
    cloud.ctx.faults.add_from_json(
        "http", {"status": 503, "path": "/rest/generics/auth/token", "count": 1}
    )
    result = await _start(hass)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], entry_data)
    assert result["errors"] == {"base": "cannot_connect"}
    await _finish_with(hass, result["flow_id"], entry_data, "xenio@harvia.example")  # one 503


@pytest.mark.parametrize("scenario", [str(Path(__file__).parent / "scenarios" / "apple.yaml")])
async def test_account_without_password(
    hass: HomeAssistant, entry_data: dict[str, Any], sim: HarviaSimulator
) -> None:
    result = await _start(hass)
    apple = {**entry_data, CONF_EMAIL: "apple@harvia.example", CONF_PASSWORD: "guess"}
    result = await hass.config_entries.flow.async_configure(result["flow_id"], apple)
    assert result["errors"] == {"base": "no_password"}
    # As the error says: set a password in the MyHarvia app, then use it here.
    sim.cloud.change_password("apple@harvia.example", "set-in-the-app")
    await _finish_with(
        hass, result["flow_id"], {**apple, CONF_PASSWORD: "set-in-the-app"}, "apple@harvia.example"
    )


async def test_unexpected_error(hass: HomeAssistant, entry_data: dict[str, Any]) -> None:
    result = await _start(hass)
    # Nothing the simulator can provoke: the client turns every cloud answer into its own errors.
    with patch(
        "custom_components.harvia.api.HarviaClient.async_login", side_effect=RuntimeError("bug")
    ):
        result = await hass.config_entries.flow.async_configure(result["flow_id"], entry_data)
    assert result["errors"] == {"base": "unknown"}
    await _finish_with(hass, result["flow_id"], entry_data, "xenio@harvia.example")


async def test_same_account_twice_aborts(
    hass: HomeAssistant, config_entry: MockConfigEntry, entry_data: dict[str, Any]
) -> None:
    result = await _start(hass)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], entry_data)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


async def test_reauth(
    hass: HomeAssistant, config_entry: MockConfigEntry, sim: HarviaSimulator
) -> None:
    sim.cloud.change_password("xenio@harvia.example", "new-password")
    result = await config_entry.start_reauth_flow(hass)
    assert result["step_id"] == "reauth_confirm"
    assert result["description_placeholders"]["email"] == "xenio@harvia.example"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_PASSWORD: PASSWORD}
    )
    assert result["errors"] == {"base": "invalid_auth"}
    with patch("custom_components.harvia.async_setup_entry", return_value=True):
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], {CONF_PASSWORD: "new-password"}
        )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert config_entry.data[CONF_PASSWORD] == "new-password"
    assert config_entry.data[CONF_REFRESH_TOKEN]


async def test_reauth_with_another_account(
    hass: HomeAssistant, config_entry: MockConfigEntry
) -> None:
    hass.config_entries.async_update_entry(config_entry, unique_id="someone-else")
    result = await config_entry.start_reauth_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_PASSWORD: PASSWORD}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_account"


async def test_reconfigure(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    entry_data: dict[str, Any],
    cloud: SimulatorServer,
) -> None:
    result = await config_entry.start_reconfigure_flow(hass)
    assert result["step_id"] == "reconfigure"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {**entry_data, CONF_DISCOVERY_URL: f"{cloud.url}/nowhere"}
    )
    assert result["errors"] == {"base": "cannot_connect"}
    with patch("custom_components.harvia.async_setup_entry", return_value=True):
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], {**entry_data, CONF_DISCOVERY_URL: f"{cloud.url}/prod/endpoints"}
        )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert config_entry.data[CONF_DISCOVERY_URL] == f"{cloud.url}/prod/endpoints"


async def test_reconfigure_to_another_account(
    hass: HomeAssistant, config_entry: MockConfigEntry, entry_data: dict[str, Any]
) -> None:
    hass.config_entries.async_update_entry(config_entry, unique_id="someone-else")
    result = await config_entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], entry_data)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_account"
