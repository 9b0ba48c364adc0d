"""Diagnostics carry what helps and nothing secret."""

from __future__ import annotations

import json

from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.telenor_mic.diagnostics import async_get_config_entry_diagnostics

from .conftest import PASSWORD, USERNAME
from .helpers import entity_id


async def test_diagnostics_are_redacted(hass: HomeAssistant, ready: MockConfigEntry) -> None:
    diagnostics = await async_get_config_entry_diagnostics(hass, ready)
    text = json.dumps(diagnostics, default=str)
    client = ready.runtime_data.client
    credentials = await client.async_get_aws_credentials()
    secrets = [PASSWORD, USERNAME, credentials.secret_key, credentials.session_token]
    secrets += [client.manifest.api_key if client.manifest else "?", client.identity_id or "?"]
    for secret in secrets:
        assert secret not in text, secret
    for tracker in ("tractor-tracker", "van-tracker"):  # where they are stays home
        position = hass.states.get(entity_id(hass, tracker, "position"))
        assert position is not None
        assert f"{position.attributes['latitude']:.4f}"[:6] not in text
    assert diagnostics["mqtt"]["connected"] is True
    assert diagnostics["user"] == {"domain_path": "/demo/", "role_name": "ReadWrite"}
    pump = diagnostics["things"]["field-pump"]
    assert (pump["domain"], pump["domain_topic"], pump["thing_type"]) == (
        "field",
        "demo/field",
        "17",
    )
    assert pump["reported"]["mode"] == "auto"
    assert diagnostics["thing_types"]["17"]["resources"]["speed"]["settable"] is True
    assert diagnostics["things"]["van-tracker"]["reported"]["position"] == "**REDACTED**"
