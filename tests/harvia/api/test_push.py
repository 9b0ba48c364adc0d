"""HarviaPush against the simulator's AppSync realtime endpoint."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest

from custom_components.harvia.api import HarviaPush, MeasurementUpdate, StateUpdate
from custom_components.harvia.api.push import parse_measurement_notice, parse_state_notice
from simulators.core import SimulatorServer
from simulators.harvia import HarviaSimulator
from tests.helpers import until

from .conftest import MakeClient


class Recorder:
    def __init__(self) -> None:
        self.states: list[StateUpdate] = []
        self.measurements: list[MeasurementUpdate] = []
        self.connection: list[bool] = []


def subscribed(server: SimulatorServer, devices: list[str]) -> bool:
    """The cloud has registered the state and measurement feeds of every device."""
    sim = server.simulator
    assert isinstance(sim, HarviaSimulator)
    states = sim.appsync.services["device"].subscribers
    measurements = sim.appsync.services["data"].subscribers
    return all(
        states.get(("devicesStatesUpdateFeed", d))
        and measurements.get(("devicesMeasurementsUpdateFeed", d))
        for d in devices
    )


async def start_push(
    server: SimulatorServer, client: object, recorder: Recorder, devices: list[str]
) -> tuple[HarviaPush, asyncio.Task[None]]:
    push = HarviaPush(
        client,  # type: ignore[arg-type]
        recorder.states.append,
        recorder.measurements.append,
        recorder.connection.append,
    )
    push.set_devices(devices)
    task = asyncio.create_task(push.run())
    await until(lambda: push.connected)
    await until(lambda: subscribed(server, devices), what="the feeds' subscriptions")
    return push, task


async def stop(task: asyncio.Task[None]) -> None:
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_state_and_measurement_updates(make_client: MakeClient) -> None:
    server, client = await make_client()
    recorder = Recorder()
    _, task = await start_push(server, client, recorder, ["xenio-1"])
    try:
        await client.async_command("xenio-1", "C1", "SAUNA", True)
        await until(lambda: any(s.cabin.heater_on for s in recorder.states))
        update = recorder.states[-1]
        assert (update.device_id, update.cabin.cabin_id) == ("xenio-1", "C1")
        server.ctx.clock.advance(61)
        await until(lambda: any(m.telemetry.heating for m in recorder.measurements))
        measurement = recorder.measurements[-1]
        assert measurement.telemetry.heating is True
        assert measurement.telemetry.cabin_id == "C1"
        sim = server.simulator
        assert isinstance(sim, HarviaSimulator)
        sim.cloud.set_connected("xenio-1", connected=False)
        await until(lambda: recorder.states[-1].cabin.connected is False)
        assert recorder.states[-1].cabin.raw  # `reported` is null: the desired state stands in
    finally:
        await stop(task)
    assert recorder.connection == [True, False]


async def test_malformed_notices_are_skipped_and_logged_once(
    make_client: MakeClient, caplog: pytest.LogCaptureFixture
) -> None:
    server, client = await make_client()
    recorder = Recorder()
    sim = server.simulator
    assert isinstance(sim, HarviaSimulator)
    push, task = await start_push(server, client, recorder, ["xenio-1"])
    try:
        # The sauna's first live sample is due at start; once it is in, the door changes send
        # the only frames (an idle sauna samples every ten simulated minutes).
        await until(lambda: len(recorder.measurements) == 1, what="the first live sample")
        server.ctx.push.corrupt_next(2)
        sim.cloud.set_door("xenio-1", "C1", closed=False)
        sim.cloud.set_door("xenio-1", "C1", closed=True)
        sim.cloud.set_door("xenio-1", "C1", closed=False)
        await until(lambda: push.malformed_notices == 2 and len(recorder.states) == 1)
        assert recorder.states[0].cabin.remote_allowed is False
        assert len(recorder.measurements) == 1
    finally:
        await stop(task)
    warnings = [r for r in caplog.records if r.levelname == "WARNING" and "malformed" in r.message]
    assert len(warnings) == 1  # then debug only


async def test_reconnects_after_a_drop_and_follows_the_device_set(make_client: MakeClient) -> None:
    server, client = await make_client("fenix_two_cabins.yaml", "fenix@harvia.example")
    recorder = Recorder()
    push, task = await start_push(server, client, recorder, ["fenix-1"])
    try:
        assert len(server.ctx.push.connections) == 2  # device and data services
        await server.ctx.push.drop_all()
        await until(lambda: recorder.connection[-2:] == [False, True])
        assert push.connects == 2
        push.set_devices(["fenix-1"])  # unchanged: no resubscription
        push.set_devices([])
        await until(lambda: not push.connected)
        await until(lambda: len(server.ctx.push.connections) == 0)
        push.set_devices(["fenix-1"])
        await until(lambda: push.connected)
        assert push.connects == 3
    finally:
        await stop(task)


async def test_renews_the_connection_before_the_token_expires(
    make_client: MakeClient, tmp_path: Path
) -> None:
    scenario = tmp_path / "short.yaml"
    scenario.write_text(
        "vendor: harvia\ntoken_lifetime: 301\naccounts:\n  - {email: a@x.example, password: pw, devices: [s]}\n"
        "devices:\n  - {id: s, type: Xenio}\n"
    )
    server, client = await make_client(str(scenario), "a@x.example", "pw")
    recorder = Recorder()
    push, task = await start_push(server, client, recorder, ["s"])
    try:
        await until(lambda: push.connects >= 2, within=6)
        assert recorder.connection == [True]  # renewal is seamless for the callbacks
    finally:
        await stop(task)


async def test_refused_reconnects_back_off(make_client: MakeClient) -> None:
    server, client = await make_client()
    recorder = Recorder()
    server.ctx.push.refuse_for(3600)
    push = HarviaPush(
        client, recorder.states.append, recorder.measurements.append, recorder.connection.append
    )
    push.set_devices(["xenio-1"])
    task = asyncio.create_task(push.run())
    await until(lambda: server.ctx.push.stats.refused >= 1)
    # The test is that nothing happens: no second attempt within half a second.
    await asyncio.sleep(0.5)
    assert server.ctx.push.stats.refused == 1  # waiting, not hammering
    assert not push.connected
    await stop(task)


def test_parsers_reject_malformed_notices() -> None:
    assert parse_state_notice({}) is None
    assert (
        parse_state_notice(
            {"devicesStatesUpdateFeed": {"item": {"deviceId": "d", "reported": "{"}}}
        )
        is None
    )
    offline = parse_state_notice(
        {
            "devicesStatesUpdateFeed": {
                "item": {
                    "deviceId": "d",
                    "reported": "null",
                    "desired": '{"targetTemp": 70}',
                    "connectionState": {"connected": False},
                }
            }
        }
    )
    assert offline is not None
    assert offline.cabin.target_temp == 70
    assert offline.cabin.connected is False
    assert (
        parse_measurement_notice(
            {"devicesMeasurementsUpdateFeed": {"item": {"deviceId": "d", "data": "{"}}}
        )
        is None
    )
    assert parse_measurement_notice(None) is None
    # An item without its envelope belongs to the receiver (the device id) and names no cabin.
    bare = parse_measurement_notice(
        {"devicesMeasurementsUpdateFeed": {"receiver": "d", "item": {"data": '{"temp": 70}'}}}
    )
    assert bare is not None
    assert (bare.device_id, bare.telemetry.cabin_id, bare.telemetry.temperature) == ("d", None, 70)


async def test_tokens_never_reach_the_log(
    make_client: MakeClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    server, client = await make_client()
    recorder = Recorder()
    _, task = await start_push(server, client, recorder, ["xenio-1"])
    try:
        await client.async_command("xenio-1", "C1", "SAUNA", True)
        await until(lambda: any(s.cabin.heater_on for s in recorder.states))
    finally:
        await stop(task)
    assert ">>> " in caplog.text  # gql logged its frames, the subscription's authorization too
    frames = [r for r in caplog.records if r.getMessage().startswith((">>> ", "<<< "))]
    assert {r.levelno for r in frames} == {logging.DEBUG}  # not at INFO, HA's default level
    for token in server.ctx.tokens.active():
        assert token.value not in caplog.text
