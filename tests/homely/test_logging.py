"""The sockets' packet logging: DEBUG, under the loggers the manifest names, tokens masked."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from homeassistant.core import HomeAssistant
import pytest

from simulators.core import SimulatorServer
from simulators.homely import HomelySimulator

from .conftest import FLOOD, HOME, SetUp
from .helpers import eventually, socket_ready, state_of

MANIFEST = Path(__file__).parents[2] / "custom_components" / "homely" / "manifest.json"
# What python-socketio and engineio log for every connection and packet.
PACKET_LINES = (
    "Attempting WebSocket connection",
    "Engine.IO connection established",
    "Namespace / is connected",
    "Received packet",
    "Received event",
)


async def connect_and_receive_an_event(
    hass: HomeAssistant, setup_integration: SetUp, sim: HomelySimulator
) -> None:
    entry = await setup_integration()
    await socket_ready(hass, entry, sim)
    home = sim.cloud.homes[HOME]
    sim.cloud.set_state(home, home.devices[FLOOD], "alarm", "flood", True)
    await eventually(
        hass, lambda: state_of(hass, "binary_sensor.vannlekkasje_vaskerom_water_leak") == "on"
    )


def packet_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if any(line in r.getMessage() for line in PACKET_LINES)]


async def test_packets_stay_out_of_the_default_and_the_demo_log(
    hass: HomeAssistant,
    setup_integration: SetUp,
    sim: HomelySimulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)  # Home Assistant's default
    caplog.set_level(logging.DEBUG, logger="custom_components")  # as scripts/demo sets it
    await connect_and_receive_an_event(hass, setup_integration, sim)
    assert packet_records(caplog) == []


async def test_packets_at_debug_when_their_loggers_are_turned_on(
    hass: HomeAssistant,
    setup_integration: SetUp,
    cloud: SimulatorServer,
    sim: HomelySimulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    loggers = json.loads(MANIFEST.read_text())["loggers"]
    assert {"socketio", "engineio"} <= set(loggers)
    for name in ("socketio", "engineio"):  # what "Enable debug logging" does with the manifest
        caplog.set_level(logging.DEBUG, logger=name)
    await connect_and_receive_an_event(hass, setup_integration, sim)
    records = packet_records(caplog)
    assert {r.name.split(".")[0] for r in records} == {"socketio", "engineio"}
    assert all(r.levelno == logging.DEBUG for r in records)
    assert any("Received event" in r.getMessage() for r in records)
    assert "token=**REDACTED**" in caplog.text  # the connection URL, masked
    for token in cloud.ctx.tokens.active("access"):
        assert token.value not in caplog.text
