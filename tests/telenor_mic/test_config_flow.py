"""The config flow against the simulator: manifest and sign-in, errors, reauth, reconfigure."""

from __future__ import annotations

from typing import Any
from unittest.mock import patch

from homeassistant.config_entries import SOURCE_USER
from homeassistant.const import CONF_HOST, CONF_PASSWORD, CONF_USERNAME
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.telenor_mic.api import DEFAULT_MANIFEST_URL
from custom_components.telenor_mic.const import CONF_AWS_ENDPOINT, CONF_MANIFEST_URL, DOMAIN
from simulators.core import HttpFault, SimulatorServer
from simulators.telenor_mic import TelenorMicSimulator

from .conftest import HOST, LAB_HOST, LAB_PASSWORD, LAB_USER, PASSWORD, UNIQUE_ID, USERNAME, answers

NO_SETUP = "custom_components.telenor_mic.async_setup_entry"
BASIC = [CONF_HOST, CONF_USERNAME, CONF_PASSWORD]


async def _start(hass: HomeAssistant, advanced: bool = True) -> dict[str, Any]:
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER, "show_advanced_options": advanced}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {}
    return dict(result)


def _fields(result: dict[str, Any]) -> list[str]:
    return [str(key) for key in result["data_schema"].schema]


def _suggested(result: dict[str, Any]) -> dict[str, Any]:
    return {
        str(key): (key.description or {}).get("suggested_value")
        for key in result["data_schema"].schema
    }


async def _finish_with(
    hass: HomeAssistant, flow_id: str, data: dict[str, Any], unique_id: str = UNIQUE_ID
) -> dict[str, Any]:
    with patch(NO_SETUP, return_value=True):
        result = await hass.config_entries.flow.async_configure(flow_id, data)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["result"].unique_id == unique_id
    return dict(result)


async def test_sign_in_creates_the_entry(
    hass: HomeAssistant, entry_data: dict[str, Any], cloud: SimulatorServer
) -> None:
    result = await _start(hass)
    assert _fields(result) == [*BASIC, CONF_MANIFEST_URL, CONF_AWS_ENDPOINT]
    assert _suggested(result)[CONF_MANIFEST_URL] == DEFAULT_MANIFEST_URL
    result = await _finish_with(hass, result["flow_id"], entry_data)
    assert result["title"] == f"{USERNAME} @ {HOST}"
    assert result["data"] == entry_data
    # the manifest, the login and the things list are tested
    for endpoint in ("POST /prod/auth/login", "POST /prod/graphql"):
        assert cloud.ctx.log.count(endpoint) >= 1, cloud.ctx.log.counts()


async def test_a_pasted_address_and_spaces_are_tidied(
    hass: HomeAssistant, entry_data: dict[str, Any]
) -> None:
    result = await _start(hass)
    messy = {
        **entry_data,
        CONF_HOST: f"https://{HOST.upper()}/#/things",
        CONF_USERNAME: " demo-owner ",
    }
    result = await _finish_with(hass, result["flow_id"], messy)
    assert (result["data"][CONF_HOST], result["data"][CONF_USERNAME]) == (HOST, USERNAME)


async def test_the_other_stack_shapes_sign_in_too(
    hass: HomeAssistant, cloud: SimulatorServer
) -> None:
    result = await _start(hass)
    await _finish_with(
        hass,
        result["flow_id"],
        answers(cloud, LAB_HOST, LAB_USER, LAB_PASSWORD),
        unique_id=f"{LAB_HOST}/{LAB_USER}",
    )


async def test_without_advanced_mode_the_addresses_are_the_defaults(
    hass: HomeAssistant, entry_data: dict[str, Any]
) -> None:
    result = await _start(hass, advanced=False)
    assert _fields(result) == BASIC
    basic = {key: entry_data[key] for key in BASIC}
    with (
        patch(
            "custom_components.telenor_mic.config_flow.TelenorMicConfigFlow._sign_in",
            return_value={},
        ) as sign_in,
        patch(NO_SETUP, return_value=True),
    ):
        result = await hass.config_entries.flow.async_configure(result["flow_id"], basic)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"] == {**basic, CONF_MANIFEST_URL: DEFAULT_MANIFEST_URL}
    assert sign_in.call_args.args[0] == result["data"]


@pytest.mark.parametrize(
    ("fault", "change", "error"),
    [
        (None, {CONF_PASSWORD: "wrong"}, {"base": "invalid_auth"}),
        (None, {CONF_USERNAME: "nobody"}, {"base": "invalid_auth"}),
        (None, {CONF_HOST: "elsewhere.mic.example"}, {CONF_HOST: "unknown_host"}),
        (HttpFault(503, path="/prod/auth/*"), {}, {"base": "cannot_connect"}),
        (
            None,
            {CONF_MANIFEST_URL: "http://127.0.0.1:9/prod/manifest/"},
            {"base": "cannot_connect"},
        ),
        (HttpFault(429, path="/prod/graphql"), {}, {"base": "rate_limited"}),
        (
            HttpFault(200, path="/prod/graphql", body={"data": {"allThings": "nonsense"}}),
            {},
            {"base": "invalid_response"},
        ),
    ],
)
async def test_errors_then_recovery(
    hass: HomeAssistant,
    entry_data: dict[str, Any],
    cloud: SimulatorServer,
    fault: HttpFault | None,
    change: dict[str, str],
    error: dict[str, str],
) -> None:
    if fault is not None:
        cloud.ctx.faults.add_http(fault)
    result = await _start(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {**entry_data, **change}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == error
    suggested = _suggested(result)
    assert suggested[CONF_PASSWORD] is None  # never shown back
    cloud.ctx.faults.clear()
    await _finish_with(hass, result["flow_id"], entry_data)


async def test_unexpected_error(hass: HomeAssistant, entry_data: dict[str, Any]) -> None:
    result = await _start(hass)
    with patch(
        "custom_components.telenor_mic.api.MicClient.async_login", side_effect=RuntimeError("boom")
    ):
        result = await hass.config_entries.flow.async_configure(result["flow_id"], entry_data)
    assert result["errors"] == {"base": "unknown"}
    await _finish_with(hass, result["flow_id"], entry_data)


async def test_user_already_configured(
    hass: HomeAssistant, config_entry: MockConfigEntry, entry_data: dict[str, Any]
) -> None:
    result = await _start(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {**entry_data, CONF_USERNAME: USERNAME.upper()}
    )
    assert (result["type"], result["reason"]) == (FlowResultType.ABORT, "already_configured")


async def test_reauth(
    hass: HomeAssistant, config_entry: MockConfigEntry, sim: TelenorMicSimulator
) -> None:
    user = sim.cloud.user(USERNAME)
    assert user is not None
    user.password = "new-password"
    result = await config_entry.start_reauth_flow(hass)
    assert result["step_id"] == "reauth_confirm"
    assert result["description_placeholders"]["account"] == config_entry.title
    assert _fields(result) == [CONF_PASSWORD]
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_PASSWORD: PASSWORD}
    )
    assert result["errors"] == {"base": "invalid_auth"}
    with patch(NO_SETUP, return_value=True):
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], {CONF_PASSWORD: "new-password"}
        )
    assert (result["type"], result["reason"]) == (FlowResultType.ABORT, "reauth_successful")
    assert config_entry.data[CONF_PASSWORD] == "new-password"
    assert config_entry.data[CONF_USERNAME] == USERNAME


async def test_reconfigure(
    hass: HomeAssistant, config_entry: MockConfigEntry, cloud: SimulatorServer
) -> None:
    result = await config_entry.start_reconfigure_flow(hass)
    assert result["step_id"] == "reconfigure"
    assert _fields(result) == [*BASIC, CONF_MANIFEST_URL, CONF_AWS_ENDPOINT]
    assert _suggested(result)[CONF_AWS_ENDPOINT] == cloud.url
    # the document's manifest path serves the same stack
    changed = {**config_entry.data, CONF_MANIFEST_URL: f"{cloud.url}/Prod/manifest/"}
    with patch(NO_SETUP, return_value=True):
        result = await hass.config_entries.flow.async_configure(result["flow_id"], changed)
    assert (result["type"], result["reason"]) == (FlowResultType.ABORT, "reconfigure_successful")
    assert config_entry.data[CONF_MANIFEST_URL] == f"{cloud.url}/Prod/manifest/"
    assert config_entry.unique_id == UNIQUE_ID


async def test_reconfigure_refuses_another_user(
    hass: HomeAssistant, config_entry: MockConfigEntry
) -> None:
    result = await config_entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {**config_entry.data, CONF_HOST: LAB_HOST, CONF_USERNAME: LAB_USER}
    )
    assert (result["type"], result["reason"]) == (FlowResultType.ABORT, "wrong_account")
    assert config_entry.data[CONF_HOST] == HOST
