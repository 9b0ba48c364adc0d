"""The MQTT feed over the SigV4-presigned websocket: reports to state, only the entities
concerned; drops, refusals, expiring credentials and bad signatures with polling covering the
gap and no reauth; malformed shadows skipped with one log line."""

from __future__ import annotations

import logging

import aiohttp
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.telenor_mic.api import sigv4
from custom_components.telenor_mic.const import DOMAIN, FALLBACK_INTERVAL, WATCHDOG_INTERVAL
from simulators.core import SimulatorServer
from tests.simulated_time import SimulatedTime

from .conftest import SetUp
from .helpers import admin, entity_id, eventually, run_client_on_loop_clock, state_of


async def test_a_report_reaches_state_without_polls_and_only_its_things_entities(
    hass: HomeAssistant, ready: MockConfigEntry, cloud: SimulatorServer, http: aiohttp.ClientSession
) -> None:
    temperature = entity_id(hass, "office-climate", "temperature")
    other = entity_id(hass, "meeting-room-climate", "temperature")
    other_written = hass.states.get(other).last_reported  # type: ignore[union-attr]
    polls = cloud.ctx.log.count("POST /prod/graphql")
    await admin(
        http, cloud, "POST", "things/office-climate/reported", {"values": {"temperature": 27.25}}
    )
    await eventually(hass, lambda: state_of(hass, temperature) == "27.25")
    assert cloud.ctx.log.count("POST /prod/graphql") == polls  # push alone
    assert hass.states.get(other).last_reported == other_written  # type: ignore[union-attr]
    coordinator = ready.runtime_data.coordinator
    assert coordinator.push.malformed == 0


async def test_position_updates_move_the_tracker(
    hass: HomeAssistant, ready: MockConfigEntry, cloud: SimulatorServer, http: aiohttp.ClientSession
) -> None:
    tracker = entity_id(hass, "van-tracker", "position")
    await admin(
        http,
        cloud,
        "POST",
        "things/van-tracker/reported",
        {"values": {"position": {"lat": 60.39, "lon": 5.32}}},
    )
    await eventually(hass, lambda: hass.states.get(tracker).attributes["latitude"] == 60.39)  # type: ignore[union-attr]


async def test_a_drop_polling_covers_the_gap_and_push_returns_without_reauth(
    hass: HomeAssistant,
    ready: MockConfigEntry,
    cloud: SimulatorServer,
    http: aiohttp.ClientSession,
    simulated_time: SimulatedTime,
) -> None:
    coordinator = ready.runtime_data.coordinator
    run_client_on_loop_clock(hass, ready)
    assert coordinator.update_interval == WATCHDOG_INTERVAL
    cloud.ctx.push.refuse_for(600)
    await cloud.ctx.push.drop_all()
    await eventually(hass, lambda: not coordinator.push_connected)
    assert coordinator.update_interval == FALLBACK_INTERVAL
    await admin(http, cloud, "POST", "things/field-pump/reported", {"values": {"flow": 12.5}})
    polls = cloud.ctx.log.count("POST /prod/graphql")
    await simulated_time.advance(300)
    assert cloud.ctx.log.count("POST /prod/graphql") >= polls + 4  # polling every minute
    assert state_of(hass, entity_id(hass, "field-pump", "flow")) == "12.5"
    await simulated_time.advance(600)  # the websocket accepts again
    await eventually(hass, lambda: coordinator.push_connected, within=10)
    assert coordinator.update_interval == WATCHDOG_INTERVAL
    assert not hass.config_entries.flow.async_progress_by_handler(DOMAIN)


async def test_expired_credentials_are_fetched_again_and_signed_anew(
    hass: HomeAssistant, ready: MockConfigEntry, cloud: SimulatorServer, http: aiohttp.ClientSession
) -> None:
    coordinator = ready.runtime_data.coordinator
    fetched = cloud.ctx.log.count("POST /")
    connects = coordinator.push.connects
    await admin(http, cloud, "POST", "credentials/expire", {})
    await eventually(hass, lambda: coordinator.push.connects > connects, within=10)
    await eventually(hass, lambda: coordinator.push_connected, within=10)
    assert cloud.ctx.log.count("POST /") > fetched
    assert not hass.config_entries.flow.async_progress_by_handler(DOMAIN)


async def test_credentials_are_renewed_before_they_expire(
    hass: HomeAssistant,
    ready: MockConfigEntry,
    cloud: SimulatorServer,
    simulated_time: SimulatedTime,
) -> None:
    """An hour of running: tokens refreshed, credentials re-fetched and the URL re-signed,
    without the feed ever counting as lost (which would poll and log)."""
    coordinator = ready.runtime_data.coordinator
    run_client_on_loop_clock(hass, ready)
    fetched = cloud.ctx.log.count("POST /")
    connects = coordinator.push_connects
    await simulated_time.advance(2 * 3600, step=10)
    await eventually(hass, lambda: coordinator.push_connected, within=10)
    assert cloud.ctx.log.count("POST /") > fetched
    assert coordinator.push.resigns >= 1
    assert coordinator.last_update_success
    assert ready.runtime_data.client.refreshes > 0
    assert not hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert coordinator.push_connects == connects


async def test_a_wrong_signature_is_refused_and_polling_carries_on(
    hass: HomeAssistant,
    setup_integration: SetUp,
    cloud: SimulatorServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    genuine = sigv4.presign_url

    def tampered(*args: object, **kwargs: object) -> str:
        url = genuine(*args, **kwargs)  # type: ignore[arg-type]
        return url.replace("X-Amz-Signature=", "X-Amz-Signature=0")

    monkeypatch.setattr("custom_components.telenor_mic.api.client.presign_url", tampered)
    entry = await setup_integration()
    coordinator = entry.runtime_data.coordinator
    await eventually(
        hass,
        lambda: coordinator.push.connects == 0 and coordinator.push.last_error is not None,
        within=10,
    )
    assert not coordinator.push_connected
    assert coordinator.update_interval == FALLBACK_INTERVAL
    assert coordinator.last_update_success
    assert not hass.config_entries.flow.async_progress_by_handler(DOMAIN)


async def test_malformed_shadows_are_skipped_and_logged_once(
    hass: HomeAssistant,
    ready: MockConfigEntry,
    cloud: SimulatorServer,
    http: aiohttp.ClientSession,
    caplog: pytest.LogCaptureFixture,
) -> None:
    coordinator = ready.runtime_data.coordinator
    temperature = entity_id(hass, "office-climate", "temperature")
    for shape in ("garbage", "truncated", "types", "deep"):
        await admin(http, cloud, "POST", "mqtt/malformed", {"frames": 1, "shape": shape})
        await admin(
            http, cloud, "POST", "things/office-climate/reported", {"values": {"temperature": 30}}
        )
    await eventually(hass, lambda: coordinator.push.malformed >= 3, within=10)
    await admin(
        http, cloud, "POST", "things/office-climate/reported", {"values": {"temperature": 18.5}}
    )
    await eventually(hass, lambda: state_of(hass, temperature) == "18.5")
    assert coordinator.push_connected
    warnings = [
        r
        for r in caplog.records
        if r.levelno >= logging.WARNING and "malformed" in r.getMessage().lower()
    ]
    assert len(warnings) == 1, [r.getMessage() for r in warnings]
