"""Observations fill the long-term statistics Home Assistant missed."""

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

from custom_components.telenor_mic.longterm import hourly
from simulators.core import HttpFault, SimClock, SimulatorServer
from tests.helpers import statistic_hours, until

from .conftest import SetUp
from .helpers import entity_id, eventually

OBSERVATIONS = "POST /prod/observations/find"


@pytest.fixture
def sim_clock() -> SimClock:
    return SimClock(start=time.time(), speed=0)  # the cloud's history ends now


async def test_observations_are_imported_once(
    hass: HomeAssistant, setup_integration: SetUp, cloud: SimulatorServer
) -> None:
    await setup_integration()
    statistic = entity_id(hass, "office-climate", "temperature")

    async def imported() -> bool:
        await async_wait_recording_done(hass)
        return len(await statistic_hours(hass, statistic)) > 0

    await until(imported, what="the import")  # a background task: not awaited by block_till_done
    await async_wait_recording_done(hass)
    temperature = await statistic_hours(hass, statistic)
    co2 = await statistic_hours(hass, entity_id(hass, "office-climate", "co2"))
    flow = await statistic_hours(hass, entity_id(hass, "field-pump", "flow"))
    assert 5 <= len(temperature) <= 6  # a first import: six hours, complete hours only
    assert len(co2) == len(flow) == len(temperature)
    assert all(row["min"] <= row["mean"] <= row["max"] for row in temperature)
    assert all(15 < row["mean"] < 30 for row in temperature)
    # settable numbers, text and positions have no statistics of their own
    assert not await statistic_hours(hass, entity_id(hass, "field-pump", "speed"))
    requests = cloud.ctx.log.count(OBSERVATIONS)
    # A restart finds the hours already there and asks for nothing it has.
    entry = hass.config_entries.async_entries("telenor_mic")[0]
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    await async_wait_recording_done(hass)
    assert cloud.ctx.log.count(OBSERVATIONS) == requests
    assert len(
        await statistic_hours(hass, entity_id(hass, "office-climate", "temperature"))
    ) == len(temperature)


async def test_observations_unavailable_are_not_an_error(
    hass: HomeAssistant,
    setup_integration: SetUp,
    cloud: SimulatorServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, "custom_components.telenor_mic")
    cloud.ctx.faults.add_http(HttpFault(500, path="/prod/observations/find"))
    entry = await setup_integration()
    await eventually(hass, lambda: "No observations for" in caplog.text)
    assert entry.runtime_data.coordinator.last_update_success
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_hourly_means() -> None:
    start = dt_util.utcnow().replace(minute=0, second=0, microsecond=0)
    rows = hourly(
        [(start, 1.0), (start + timedelta(minutes=30), 3.0), (start + timedelta(hours=1), 5.0)]
    )
    assert [(row["mean"], row["min"], row["max"]) for row in rows] == [
        (2.0, 1.0, 3.0),
        (5.0, 5.0, 5.0),
    ]
