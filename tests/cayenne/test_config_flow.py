"""The config flow against the simulator: sign-in (both flows), errors, reauth, reconfigure."""

from __future__ import annotations

from typing import Any
from unittest.mock import patch

from homeassistant.config_entries import SOURCE_USER
from homeassistant.const import CONF_EMAIL, CONF_PASSWORD
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.cayenne.api import DEFAULT_API_URL, DEFAULT_MQTT_HOST
from custom_components.cayenne.const import (
    CONF_API_URL,
    CONF_APP_KEY,
    CONF_APP_SECRET,
    CONF_AUTH_FLOW,
    CONF_AUTH_URL,
    CONF_MQTT_HOST,
    CONF_MQTT_PORT,
    CONF_MQTT_TLS,
    DOMAIN,
)
from simulators.cayenne import CayenneSimulator
from simulators.core import HttpFault, SimulatorServer

from .conftest import ACCOUNT_ID, APP_KEY, APP_SECRET, EMAIL, PASSWORD

NO_SETUP = "custom_components.cayenne.async_setup_entry"
BASIC = (CONF_EMAIL, CONF_PASSWORD, CONF_APP_KEY, CONF_APP_SECRET)


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


async def _finish_with(hass: HomeAssistant, flow_id: str, entry_data: dict[str, Any]) -> None:
    with patch(NO_SETUP, return_value=True):
        result = await hass.config_entries.flow.async_configure(flow_id, entry_data)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert (result["title"], result["result"].unique_id) == (EMAIL, ACCOUNT_ID)
    assert result["data"] == entry_data


async def test_sign_in_creates_the_account_entry(
    hass: HomeAssistant, entry_data: dict[str, Any], cloud: SimulatorServer
) -> None:
    result = await _start(hass)
    assert _fields(result) == [*BASIC, *list(entry_data)[4:]]
    assert _suggested(result)[CONF_MQTT_HOST] == DEFAULT_MQTT_HOST
    await _finish_with(hass, result["flow_id"], entry_data)
    # the login is tested: a token and the things list
    assert cloud.ctx.log.count("GET /v1.1/things") == 1


async def test_without_advanced_mode_the_service_addresses_are_the_defaults(
    hass: HomeAssistant, entry_data: dict[str, Any]
) -> None:
    result = await _start(hass, advanced=False)
    assert _fields(result) == list(BASIC)
    answers = {key: entry_data[key] for key in BASIC}
    with (
        patch(
            "custom_components.cayenne.config_flow.CayenneConfigFlow._sign_in",
            return_value=({}, ACCOUNT_ID),
        ) as sign_in,
        patch(NO_SETUP, return_value=True),
    ):
        result = await hass.config_entries.flow.async_configure(result["flow_id"], answers)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"] == {
        **answers,
        CONF_AUTH_FLOW: "openid",
        CONF_API_URL: DEFAULT_API_URL,
        CONF_MQTT_HOST: DEFAULT_MQTT_HOST,
        CONF_MQTT_PORT: 1883,
        CONF_MQTT_TLS: False,
    }
    assert sign_in.call_args.args[0] == result["data"]


async def test_legacy_sign_in(
    hass: HomeAssistant, entry_data: dict[str, Any], cloud: SimulatorServer
) -> None:
    result = await _start(hass)
    legacy = {**entry_data, CONF_AUTH_FLOW: "legacy"}
    await _finish_with(hass, result["flow_id"], legacy)
    assert cloud.ctx.log.count("POST /oauth/token") == 1


@pytest.mark.parametrize(
    ("fault", "change", "error"),
    [
        (None, {CONF_PASSWORD: "wrong"}, "invalid_auth"),
        (None, {CONF_APP_SECRET: "not-the-secret"}, "invalid_auth"),
        (HttpFault(503, path="/auth/*"), {}, "cannot_connect"),
        (None, {CONF_API_URL: "http://127.0.0.1:9"}, "cannot_connect"),
        (HttpFault(429, path="/v1.1/things"), {}, "rate_limited"),
        (HttpFault(200, path="/v1.1/things", body={"not": "a list"}), {}, "invalid_response"),
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
        result["flow_id"], {**entry_data, **change}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": error}
    suggested = _suggested(result)
    assert suggested[CONF_EMAIL] == EMAIL  # kept; the password and the secret are not
    assert suggested[CONF_PASSWORD] is None
    assert suggested[CONF_APP_SECRET] is None
    cloud.ctx.faults.clear()
    await _finish_with(hass, result["flow_id"], entry_data)


async def test_unexpected_error(hass: HomeAssistant, entry_data: dict[str, Any]) -> None:
    result = await _start(hass)
    with patch(
        "custom_components.cayenne.api.CayenneClient.async_login", side_effect=RuntimeError("boom")
    ):
        result = await hass.config_entries.flow.async_configure(result["flow_id"], entry_data)
    assert result["errors"] == {"base": "unknown"}
    await _finish_with(hass, result["flow_id"], entry_data)


async def test_account_already_configured(
    hass: HomeAssistant, config_entry: MockConfigEntry, entry_data: dict[str, Any]
) -> None:
    result = await _start(hass)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], entry_data)
    assert (result["type"], result["reason"]) == (FlowResultType.ABORT, "already_configured")


async def test_reauth(
    hass: HomeAssistant, config_entry: MockConfigEntry, sim: CayenneSimulator
) -> None:
    sim.cloud.accounts[EMAIL].password = "new-password"
    result = await config_entry.start_reauth_flow(hass)
    assert result["step_id"] == "reauth_confirm"
    assert result["description_placeholders"]["account"] == EMAIL
    assert _fields(result) == [CONF_PASSWORD, CONF_APP_KEY, CONF_APP_SECRET]
    assert _suggested(result)[CONF_APP_KEY] == APP_KEY
    answers = {CONF_PASSWORD: "old", CONF_APP_KEY: APP_KEY, CONF_APP_SECRET: APP_SECRET}
    result = await hass.config_entries.flow.async_configure(result["flow_id"], answers)
    assert result["errors"] == {"base": "invalid_auth"}
    with patch(NO_SETUP, return_value=True):
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], {**answers, CONF_PASSWORD: "new-password"}
        )
    assert (result["type"], result["reason"]) == (FlowResultType.ABORT, "reauth_successful")
    assert config_entry.data[CONF_PASSWORD] == "new-password"
    assert config_entry.data[CONF_EMAIL] == EMAIL


async def test_reconfigure(
    hass: HomeAssistant, config_entry: MockConfigEntry, cloud: SimulatorServer
) -> None:
    result = await config_entry.start_reconfigure_flow(hass)
    assert result["step_id"] == "reconfigure"
    assert _suggested(result)[CONF_API_URL] == cloud.url
    answers = {**config_entry.data, CONF_MQTT_TLS: True, CONF_MQTT_PORT: 8883.0, CONF_AUTH_URL: ""}
    with patch(NO_SETUP, return_value=True):
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], {**answers, CONF_AUTH_URL: cloud.url}
        )
    assert (result["type"], result["reason"]) == (FlowResultType.ABORT, "reconfigure_successful")
    assert config_entry.data[CONF_MQTT_TLS] is True
    assert config_entry.data[CONF_MQTT_PORT] == 8883
    assert config_entry.unique_id == ACCOUNT_ID


async def test_reconfigure_refuses_another_account(
    hass: HomeAssistant, config_entry: MockConfigEntry, sim: CayenneSimulator
) -> None:
    other = next(a for a in sim.cloud.accounts.values() if a.email != EMAIL)
    result = await config_entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            **config_entry.data,
            CONF_EMAIL: other.email,
            CONF_PASSWORD: other.password,
            CONF_APP_KEY: other.app_key,
            CONF_APP_SECRET: other.app_secret,
        },
    )
    assert (result["type"], result["reason"]) == (FlowResultType.ABORT, "wrong_account")
    assert config_entry.data[CONF_EMAIL] == EMAIL
    assert config_entry.data[CONF_PASSWORD] == PASSWORD
