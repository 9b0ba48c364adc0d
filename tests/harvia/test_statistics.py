"""Telemetry history fills the long-term statistics Home Assistant missed."""

from __future__ import annotations

from datetime import timedelta
import logging
import time

from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)

from custom_components.harvia.api import Telemetry
from custom_components.harvia.longterm import hourly
from custom_components.harvia.statistics import points
from simulators.core import SimClock, SimulatorServer
from tests.helpers import statistic_hours

from .conftest import SetUp
from .helpers import eventually


@pytest.fixture
def sim_clock() -> SimClock:
    return SimClock(start=time.time(), speed=0)  # the cloud's history ends now


async def test_history_is_imported_once(
    hass: HomeAssistant, setup_integration: SetUp, cloud: SimulatorServer
) -> None:
    await setup_integration()
    await eventually(
        hass, lambda: cloud.ctx.log.count("GET /rest/data/data/telemetry-history") >= 1
    )
    await async_wait_recording_done(hass)
    temperature = await statistic_hours(hass, "sensor.cabin_sauna_temperature")
    humidity = await statistic_hours(hass, "sensor.cabin_sauna_humidity")
    assert 5 <= len(temperature) <= 6  # the scenario's six hours of history, complete hours only
    assert len(humidity) == len(temperature)
    assert all(row["min"] <= row["mean"] <= row["max"] for row in temperature)
    requests = cloud.ctx.log.count("GET /rest/data/data/telemetry-history")
    # A restart finds the hours already there and asks for nothing it has.
    entry = hass.config_entries.async_entries("harvia")[0]
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    await async_wait_recording_done(hass)
    assert cloud.ctx.log.count("GET /rest/data/data/telemetry-history") == requests
    assert len(await statistic_hours(hass, "sensor.cabin_sauna_temperature")) == len(temperature)


async def test_history_unavailable_is_not_an_error(
    hass: HomeAssistant,
    setup_integration: SetUp,
    cloud: SimulatorServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, "custom_components.harvia")
    cloud.ctx.faults.add_from_json(
        "http", {"status": 500, "path": "/rest/data/data/telemetry-history"}
    )
    entry = await setup_integration()
    await eventually(hass, lambda: "No telemetry history" in caplog.text)
    assert entry.runtime_data.coordinator.last_update_success


def test_hourly_aggregation() -> None:
    base = dt_util.utcnow().replace(minute=0, second=0, microsecond=0)
    samples = [
        Telemetry("C1", base + timedelta(minutes=5), {"temp": 20}),
        Telemetry("C1", base + timedelta(minutes=35), {"temp": 40}),
        Telemetry("C1", base + timedelta(minutes=65), {"temp": 80}),
        Telemetry("C1", None, {"temp": 99}),
        Telemetry("C1", base, {"hum": 10}),
    ]
    rows = hourly(points(samples, lambda t: t.temperature))
    assert [(r["start"], r["mean"], r["min"], r["max"]) for r in rows] == [
        (base, 30, 20, 40),
        (base + timedelta(hours=1), 80, 80, 80),
    ]
