"""One malformed sauna or push frame harms only itself, served by the simulator's faults."""

from __future__ import annotations

import logging

import aiohttp
from homeassistant.core import HomeAssistant
import pytest

from simulators.core import SimulatorServer
from simulators.harvia import ADMIN, HarviaSimulator
from simulators.harvia.malformed import PUSH_SHAPES, REST_SHAPES

from .conftest import SetUp
from .helpers import eventually, push_ready, state_of

HEALTHY_CLIMATE = "climate.cabin_sauna"  # the Xenio of demo.yaml
HEALTHY_DOOR = "binary_sensor.cabin_sauna_remote_control_allowed"


def errors_logged(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.mark.parametrize("scenario", ["demo.yaml"])
@pytest.mark.parametrize("shape", REST_SHAPES)
async def test_a_malformed_sauna_leaves_the_others_updating(
    hass: HomeAssistant,
    setup_integration: SetUp,
    sim: HarviaSimulator,
    cloud: SimulatorServer,
    http: aiohttp.ClientSession,
    caplog: pytest.LogCaptureFixture,
    shape: str,
) -> None:
    entry = await setup_integration()
    coordinator = entry.runtime_data.coordinator
    assert state_of(hass, "climate.sauna") == "off"  # the Fenix
    async with http.post(
        f"{cloud.url}{ADMIN}/devices/fenix-home/malformed", json={"shape": shape}
    ) as response:
        assert response.status == 200

    sauna = sim.cloud.saunas["xenio-cabin"]
    sim.cloud.command(sauna, sauna.cabin("C1"), "SAUNA", "on")
    await coordinator.async_refresh()  # polled, whatever push brings meanwhile
    await hass.async_block_till_done()
    assert coordinator.last_update_success
    assert state_of(hass, HEALTHY_CLIMATE) == "heat"
    assert state_of(hass, "climate.sauna") is not None  # still there, whatever it read
    assert not errors_logged(caplog)

    async with http.delete(f"{cloud.url}{ADMIN}/devices/fenix-home/malformed") as response:
        assert (await response.json()) == {"cleared": True}
    await coordinator.async_refresh()
    await hass.async_block_till_done()
    assert state_of(hass, "climate.sauna") == "off"


@pytest.mark.parametrize("shape", PUSH_SHAPES)
async def test_a_flood_of_malformed_frames_is_logged_once_and_push_stays_up(
    hass: HomeAssistant,
    setup_integration: SetUp,
    sim: HarviaSimulator,
    cloud: SimulatorServer,
    http: aiohttp.ClientSession,
    caplog: pytest.LogCaptureFixture,
    shape: str,
) -> None:
    entry = await setup_integration()
    await push_ready(hass, entry, sim, "xenio-1")
    push = entry.runtime_data.coordinator.push
    assert push is not None
    connects = push.connects
    frames = 12
    async with http.post(
        f"{cloud.url}{ADMIN}/push/malformed", json={"frames": frames, "shape": shape}
    ) as response:
        assert response.status == 200
    for closed in [False, True] * (frames // 2):
        sim.cloud.set_door("xenio-1", "C1", closed=closed)
    await eventually(hass, lambda: cloud.ctx.push.stats.malformed_sent == frames)
    sim.cloud.set_door("xenio-1", "C1", closed=False)  # the next good frame applies
    await eventually(
        hass, lambda: state_of(hass, "binary_sensor.cabin_sauna_remote_control_allowed") == "off"
    )
    sim.cloud.set_door("xenio-1", "C1", closed=True)
    await eventually(
        hass, lambda: state_of(hass, "binary_sensor.cabin_sauna_remote_control_allowed") == "on"
    )

    assert push.connected
    assert push.connects == connects  # the subscription stayed up
    warnings = [r for r in caplog.records if "malformed Harvia" in r.getMessage()]
    assert len(warnings) <= 1
    assert not errors_logged(caplog)
    assert state_of(hass, "climate.cabin_sauna") == "off"


@pytest.mark.parametrize("scenario", ["demo.yaml"])
async def test_a_sauna_unreadable_from_the_start_does_not_stop_setup(
    hass: HomeAssistant,
    setup_integration: SetUp,
    cloud: SimulatorServer,
    http: aiohttp.ClientSession,
) -> None:
    async with http.post(
        f"{cloud.url}{ADMIN}/devices/fenix-home/malformed", json={"shape": "deep"}
    ) as response:
        assert response.status == 200
    entry = await setup_integration()
    assert entry.runtime_data.coordinator.last_update_success
    assert state_of(hass, HEALTHY_CLIMATE) == "off"
    async with http.delete(f"{cloud.url}{ADMIN}/devices/fenix-home/malformed"):
        pass
    await entry.runtime_data.coordinator.async_refresh()
    await hass.async_block_till_done()
    assert state_of(hass, "climate.sauna") == "off"  # added once it could be read
