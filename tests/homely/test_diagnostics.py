"""Diagnostics carry what helps and nothing secret; translations and icons are complete."""

from __future__ import annotations

import json
from pathlib import Path
import re

from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.homely.binary_sensor import DESCRIPTIONS as BINARY_SENSORS, ONLINE
from custom_components.homely.diagnostics import async_get_config_entry_diagnostics
from custom_components.homely.sensor import DESCRIPTIONS as SENSORS
from simulators.homely import HomelySimulator
from tests.helpers import flat_keys

from .conftest import HOME, MOTION
from .helpers import eventually, socket_ready

INTEGRATION = Path(__file__).parents[2] / "custom_components" / "homely"


async def test_diagnostics_are_redacted(
    hass: HomeAssistant, loaded: MockConfigEntry, sim: HomelySimulator
) -> None:
    await socket_ready(hass, loaded, sim)
    home = sim.cloud.homes[HOME]
    sim.cloud.arm(home, "DISARMED", sim.cloud.user("kari@homely.example"), sim.ctx.clock.now() + 1)
    await eventually(hass, lambda: loaded.runtime_data.coordinator.data.changed_by is not None)
    diagnostics = await async_get_config_entry_diagnostics(hass, loaded)
    text = json.dumps(diagnostics, default=str)
    for secret in (
        loaded.data["password"],
        loaded.data["username"],
        "Solbakken 12",
        "02000001000109FD",
        "0015BC001A016A18",
        "Kari Nordmann",
        HOME,
    ):
        assert secret not in text, secret
    assert "0015BC002C10" not in text  # network link addresses
    assert diagnostics["has_password"] is True
    assert diagnostics["socket"]["connected"] is True
    assert diagnostics["alarm"] == {
        "state": "DISARMED",
        "at": diagnostics["alarm"]["at"],
        "changed_by_known": True,
    }
    device = diagnostics["home"]["devices"][MOTION]
    assert device["model_name"] == "Motion Sensor Mini"
    assert device["features"]["alarm"]["alarm"]["value"] is False


def test_every_used_key_is_translated() -> None:
    english = json.loads((INTEGRATION / "translations" / "en.json").read_text())
    code = "\n".join(p.read_text() for p in INTEGRATION.glob("*.py"))
    for key in re.findall(r'translation_key="(\w+)"', code):
        assert key in english["exceptions"] or any(
            key in platform for platform in english["entity"].values()
        ), key
    for description in (*BINARY_SENSORS, ONLINE):
        assert description.translation_key in english["entity"]["binary_sensor"]
    for description in SENSORS:
        assert description.translation_key in english["entity"]["sensor"]
    for key in re.findall(r'"base": "(\w+)"', code):
        assert key in english["config"]["error"], key
    for key in re.findall(r'reason="(\w+)"', code):
        assert key in english["config"]["abort"], key


def test_norwegian_has_the_same_keys_and_placeholders() -> None:
    english = json.loads((INTEGRATION / "translations" / "en.json").read_text())
    norwegian = json.loads((INTEGRATION / "translations" / "nb.json").read_text())
    assert flat_keys(english) == flat_keys(norwegian)
    for key in flat_keys(english):
        path = key.split(".")
        en_text: object = english
        nb_text: object = norwegian
        for part in path:
            en_text = en_text[part]  # type: ignore[index]
            nb_text = nb_text[part]  # type: ignore[index]
        assert set(re.findall(r"\{(\w+)\}", str(en_text))) == set(
            re.findall(r"\{(\w+)\}", str(nb_text))
        ), key


def test_icons_name_translated_entities() -> None:
    english = json.loads((INTEGRATION / "translations" / "en.json").read_text())
    icons = json.loads((INTEGRATION / "icons.json").read_text())
    for platform, entities in icons["entity"].items():
        assert set(entities) <= set(english["entity"][platform]), platform
