"""Push and polling together: updates, fallback, watchdog, tokens, failures, devices."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from homeassistant.const import EVENT_STATE_CHANGED, EVENT_STATE_REPORTED
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from custom_components.harvia.api import push as push_module
from custom_components.harvia.const import DOMAIN, FALLBACK_INTERVAL, WATCHDOG_INTERVAL
from simulators.core import SimClock, SimulatorServer
from simulators.harvia import HarviaSimulator

from .conftest import SetUp
from .helpers import eventually, push_ready, state_of, subscribed


async def test_push_updates_reach_states(
    hass: HomeAssistant,
    setup_integration: SetUp,
    sim: HarviaSimulator,
    sim_clock: SimClock,
    cloud: SimulatorServer,
) -> None:
    entry = await setup_integration()
    await push_ready(hass, entry, sim, "xenio-1")
    polls = cloud.ctx.log.count("GET /rest/device/devices")
    sauna = sim.cloud.saunas["xenio-1"]
    sim.cloud.command(sauna, sauna.cabin("C1"), "SAUNA", "on")  # started on the panel
    await eventually(hass, lambda: state_of(hass, "climate.cabin_sauna") == "heat")
    sim.cloud.command(sauna, sauna.cabin("C1"), "LIGHTS", "on")
    await eventually(hass, lambda: state_of(hass, "light.cabin_sauna_light") == "on")
    sim_clock.advance(30 * 60)  # half an hour of heating; measurements are pushed every minute
    await eventually(
        hass, lambda: float(state_of(hass, "sensor.cabin_sauna_temperature") or 0) > 40
    )
    assert state_of(hass, "sensor.cabin_sauna_status") == "heating"
    assert float(state_of(hass, "sensor.cabin_sauna_heater_power") or 0) == 9000
    assert cloud.ctx.log.count("GET /rest/device/devices") == polls  # all of it without polling


async def test_a_fresh_push_wins_over_an_older_poll(
    hass: HomeAssistant, setup_integration: SetUp, sim: HarviaSimulator, cloud: SimulatorServer
) -> None:
    entry = await setup_integration()
    await subscribed(hass, sim, "xenio-1")
    coordinator = entry.runtime_data.coordinator
    stale = await coordinator.client.async_get_state("xenio-1", "C1")
    body = {
        "deviceId": "xenio-1",
        "shadowName": "C1",
        "state": stale.raw,
        "connectionState": {"connected": True},
    }
    # The poll's answer is slow and was taken before the door opened.
    cloud.ctx.faults.add_from_json(
        "latency", {"seconds": 0.5, "path": "/rest/device/devices/state", "count": 1}
    )
    cloud.ctx.faults.add_from_json(
        "http", {"status": 200, "path": "/rest/device/devices/state", "count": 1, "body": body}
    )
    refresh = hass.async_create_task(coordinator.async_refresh())
    await eventually(hass, lambda: cloud.ctx.log.count("GET /rest/device/devices") >= 2)
    sim.cloud.set_door("xenio-1", "C1", closed=False)
    await eventually(
        hass, lambda: state_of(hass, "binary_sensor.cabin_sauna_remote_control_allowed") == "off"
    )
    await refresh
    assert state_of(hass, "binary_sensor.cabin_sauna_remote_control_allowed") == "off"


async def test_polling_takes_over_while_push_is_down(
    hass: HomeAssistant,
    setup_integration: SetUp,
    cloud: SimulatorServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Reconnect attempts back off exponentially while refused; keep them within the test's
    # patience once the outage ends.
    monkeypatch.setattr(push_module, "BACKOFF_MIN_S", 0.05)
    entry = await setup_integration()
    coordinator = entry.runtime_data.coordinator
    await eventually(hass, lambda: coordinator.update_interval == WATCHDOG_INTERVAL)
    cloud.ctx.push.refuse_for(3600)
    await cloud.ctx.push.drop_all()
    await eventually(hass, lambda: coordinator.update_interval == FALLBACK_INTERVAL)
    await hass.async_block_till_done()
    last_request = "GET /rest/data/data/latest-data"  # what a poll asks for last
    polling = coordinator._debounced_refresh._execute_lock  # held while a poll runs
    await eventually(hass, lambda: not polling.locked())
    polls = cloud.ctx.log.count(last_request)
    for n in (1, 2, 3):
        # Fire the timers due a minute on, without freezing the clock the sockets run on. The
        # scheduled poll runs as a background task: let it finish before time jumps again, or
        # the jump would fire its requests' timeouts.
        async_fire_time_changed(hass, dt_util.utcnow() + FALLBACK_INTERVAL + timedelta(seconds=1))
        await eventually(
            hass,
            lambda n=n: cloud.ctx.log.count(last_request) >= polls + n and not polling.locked(),
        )
    assert state_of(hass, "climate.cabin_sauna") == "off"  # available throughout
    cloud.ctx.clock.advance(3601)  # the outage ends
    await eventually(hass, lambda: coordinator.update_interval == WATCHDOG_INTERVAL, within=15)
    assert not hass.config_entries.flow.async_progress()  # no reauth for an outage


@pytest.mark.parametrize("scenario", ["demo.yaml"])
async def test_a_push_updates_its_cabin_only_and_leaves_the_poll_due(
    hass: HomeAssistant,
    setup_integration: SetUp,
    sim: HarviaSimulator,
    entity_registry: er.EntityRegistry,
) -> None:
    """A push writes the entities of its sauna, not another sauna's, and does not re-arm the
    poll timer: the watchdog poll stays due when it was (a busy feed cannot postpone it)."""
    entry = await setup_integration()
    await push_ready(hass, entry, sim, "xenio-cabin", "fenix-home")
    coordinator = entry.runtime_data.coordinator
    next_poll = coordinator._unsub_refresh  # the scheduled poll's TimerHandle.cancel
    assert next_poll is not None
    due_in = next_poll.__self__.when() - hass.loop.time()  # type: ignore[attr-defined]
    assert WATCHDOG_INTERVAL.total_seconds() - 5 < due_in <= WATCHDOG_INTERVAL.total_seconds() + 1
    entities = [
        e
        for e in er.async_entries_for_config_entry(entity_registry, entry.entry_id)
        if not e.disabled
    ]
    xenio = {e.entity_id for e in entities if e.unique_id.startswith("xenio-cabin_")}
    fenix = {e.entity_id for e in entities if e.unique_id.startswith("fenix-home_")}
    assert xenio
    assert fenix
    written: set[str] = set()
    for event in (EVENT_STATE_CHANGED, EVENT_STATE_REPORTED):  # changed, or written unchanged
        entry.async_on_unload(
            hass.bus.async_listen(
                event,
                lambda e: written.add(e.data["entity_id"]),
                event_filter=callback(lambda data: data["entity_id"] in xenio | fenix),
            )
        )
    sim.cloud.set_door("xenio-cabin", "C1", closed=False)
    await eventually(
        hass, lambda: state_of(hass, "binary_sensor.cabin_sauna_remote_control_allowed") == "off"
    )
    assert xenio <= written  # every entity of the Xenio, its connectivity included
    assert not fenix & written
    assert coordinator._unsub_refresh is next_poll


@pytest.mark.parametrize(
    "scenario", [str(Path(__file__).parent / "scenarios" / "short_tokens.yaml")]
)
async def test_token_expiry_in_the_middle_of_a_run(
    hass: HomeAssistant,
    setup_integration: SetUp,
    sim: HarviaSimulator,
    cloud: SimulatorServer,
    sim_clock: SimClock,
) -> None:
    entry = await setup_integration()
    coordinator = entry.runtime_data.coordinator
    push = coordinator.push
    assert push is not None
    await eventually(hass, lambda: push.connected)
    sim_clock.advance(400)  # the cloud's clock says the tokens have expired; ours does not yet
    await eventually(hass, lambda: push.connects >= 2 and push.connected, within=15)
    await coordinator.async_refresh()
    assert coordinator.last_update_success
    assert cloud.ctx.log.count("POST /rest/generics/auth/refresh") >= 1
    assert cloud.ctx.log.count("POST /rest/generics/auth/token") == 1
    sauna = sim.cloud.saunas["xenio-1"]
    sim.cloud.command(sauna, sauna.cabin("C1"), "FAN", "on")
    await eventually(hass, lambda: state_of(hass, "switch.cabin_sauna_fan") == "on")
    assert not hass.config_entries.flow.async_progress()


async def test_changed_password_starts_reauth(
    hass: HomeAssistant, setup_integration: SetUp, sim: HarviaSimulator
) -> None:
    entry = await setup_integration()
    sim.cloud.change_password("xenio@harvia.example", "changed-in-the-app")
    await entry.runtime_data.coordinator.async_refresh()
    await hass.async_block_till_done()
    flows = hass.config_entries.flow.async_progress()
    assert [f["context"]["source"] for f in flows] == ["reauth"]


async def test_transient_refresh_failures_do_not_start_reauth(
    hass: HomeAssistant, setup_integration: SetUp, sim: HarviaSimulator, cloud: SimulatorServer
) -> None:
    entry = await setup_integration()
    await push_ready(hass, entry, sim, "xenio-1")  # its resync poll must not take our faults
    coordinator = entry.runtime_data.coordinator
    coordinator.client._expires_at = 0  # the id token is due for a refresh
    for status in (500, 503, 429):
        cloud.ctx.faults.add_from_json(
            "http", {"status": status, "path": "/rest/generics/auth/refresh", "count": 1}
        )
        await coordinator.async_refresh()
        assert not coordinator.last_update_success
    assert not hass.config_entries.flow.async_progress()
    assert state_of(hass, "climate.cabin_sauna") == "unavailable"
    await coordinator.async_refresh()
    assert coordinator.last_update_success
    assert state_of(hass, "climate.cabin_sauna") == "off"


async def test_malformed_push_frames_are_skipped(
    hass: HomeAssistant,
    setup_integration: SetUp,
    sim: HarviaSimulator,
    cloud: SimulatorServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await setup_integration()
    await subscribed(hass, sim, "xenio-1")
    cloud.ctx.push.corrupt_next(1)
    sim.cloud.set_door("xenio-1", "C1", closed=False)
    sim.cloud.set_door("xenio-1", "C1", closed=True)
    sim.cloud.set_door("xenio-1", "C1", closed=False)
    await eventually(
        hass, lambda: state_of(hass, "binary_sensor.cabin_sauna_remote_control_allowed") == "off"
    )
    assert "Skipping a malformed Harvia" in caplog.text
    assert state_of(hass, "climate.cabin_sauna") == "off"


@pytest.mark.parametrize("scenario", ["demo.yaml"])
async def test_one_unreadable_sauna_does_not_break_the_others(
    hass: HomeAssistant,
    config_entry: object,
    setup_integration: SetUp,
    cloud: SimulatorServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    cloud.ctx.faults.add_from_json(
        "http", {"status": 200, "path": "/rest/data/data/latest-data", "count": 1, "body": ["junk"]}
    )
    entry = await setup_integration()
    assert entry.runtime_data.coordinator.last_update_success
    assert "Skipping unreadable data of sauna" in caplog.text
    assert state_of(hass, "climate.cabin_sauna") is not None  # the Xenio
    cloud.ctx.faults.add_from_json(
        "http",
        {"status": 200, "path": "/rest/device/devices", "count": 1, "body": {"devices": "junk"}},
    )
    await entry.runtime_data.coordinator.async_refresh()
    assert not entry.runtime_data.coordinator.last_update_success


async def test_saunas_come_and_go(
    hass: HomeAssistant,
    setup_integration: SetUp,
    sim: HarviaSimulator,
    device_registry: dr.DeviceRegistry,
) -> None:
    entry = await setup_integration()
    coordinator = entry.runtime_data.coordinator
    sim.cloud.add_device(
        {"id": "new-sauna", "type": "Fenix", "count": 1, "firmware": "4.0", "power_unit_variant": "PU",
         "heater_power_w": 6000, "min_temp": 40, "max_temp": 100, "max_on_time_min": 360, "steamer": False,
         "vaporizer": False, "fan": True, "connected": True, "history_hours": 0, "name": "Garden sauna",
         "cabins": [{"id": "C1", "name": "Garden sauna"}]},
        ["xenio@harvia.example"],
    )  # fmt: skip
    await coordinator.async_refresh()
    await hass.async_block_till_done()
    assert state_of(hass, "climate.garden_sauna") == "off"
    assert device_registry.async_get_device(identifiers={(DOMAIN, "new-sauna")}) is not None
    await subscribed(hass, sim, "new-sauna")
    sauna = sim.cloud.saunas["new-sauna"]
    sim.cloud.command(sauna, sauna.cabin("C1"), "SAUNA", "on")
    await eventually(
        hass, lambda: state_of(hass, "climate.garden_sauna") == "heat"
    )  # push covers it
    sim.cloud.remove_device("xenio-1")
    await coordinator.async_refresh()
    await hass.async_block_till_done()
    assert device_registry.async_get_device(identifiers={(DOMAIN, "xenio-1")}) is None
    assert state_of(hass, "climate.cabin_sauna") is None  # removed with its device


async def test_offline_sauna_is_unavailable_but_says_so(
    hass: HomeAssistant, setup_integration: SetUp, sim: HarviaSimulator
) -> None:
    await setup_integration()
    await subscribed(hass, sim, "xenio-1")
    sim.cloud.set_connected("xenio-1", connected=False)
    await eventually(hass, lambda: state_of(hass, "climate.cabin_sauna") == "unavailable")
    assert state_of(hass, "binary_sensor.cabin_sauna_connectivity") == "off"
    sim.cloud.set_connected("xenio-1", connected=True)
    await eventually(hass, lambda: state_of(hass, "climate.cabin_sauna") == "off")
