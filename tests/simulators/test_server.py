"""The simulator server over real sockets: request log, admin endpoints and faults."""

from __future__ import annotations

import time

import aiohttp
import pytest

from simulators.core import SimClock, SimulatorServer
from simulators.testing import SimulatorAdmin, running_simulator
from tests.helpers import until

from .conftest import login
from .sample_cloud import SampleCloud


async def test_serves_on_an_ephemeral_local_port(
    sample: SimulatorServer, admin: SimulatorAdmin
) -> None:
    assert sample.url.startswith("http://127.0.0.1:")
    health = await admin.health()
    assert health["vendor"] == "sample"
    assert health["scenario"] == "sample home"
    assert health["urls"] == {"base": sample.url}


async def test_request_log_counts_per_endpoint_template(
    http: aiohttp.ClientSession, sample: SimulatorServer, admin: SimulatorAdmin
) -> None:
    headers = await login(http, sample.url)
    for device in ("dev-1", "dev-2", "dev-3"):
        async with http.get(f"{sample.url}/devices/{device}", headers=headers) as response:
            assert response.status == 200
    async with http.get(f"{sample.url}/devices/dev-9", headers=headers) as response:
        assert response.status == 404  # bob's device
    log = await admin.requests()
    assert log["by_endpoint"] == {"GET /devices/{device_id}": 4, "POST /login": 1}
    assert log["total"] == 5
    assert [e["status"] for e in log["recent"]] == [200, 200, 200, 200, 404]
    assert sample.ctx.log.count("GET /devices/{device_id}") == 4
    assert len(sample.ctx.log.entries(since=sample.ctx.clock.now() + 1)) == 0
    await admin.clear_requests()
    assert await admin.count() == 0  # admin calls are not logged


async def test_pagination_and_auth(http: aiohttp.ClientSession, sample: SimulatorServer) -> None:
    headers = await login(http, sample.url)
    async with http.get(f"{sample.url}/devices", headers=headers) as response:
        first = await response.json()
    async with http.get(f"{sample.url}/devices?next={first['next']}", headers=headers) as response:
        second = await response.json()
    assert first["devices"] + second["devices"] == ["dev-1", "dev-2", "dev-3"]
    assert second["next"] is None
    async with http.post(f"{sample.url}/login", json={"username": "alice@example.com"}) as response:
        assert response.status == 401


async def test_tokens_expire_on_the_simulated_clock(
    http: aiohttp.ClientSession, sample: SimulatorServer, admin: SimulatorAdmin
) -> None:
    headers = await login(http, sample.url)
    await admin.advance(599)
    async with http.get(f"{sample.url}/devices", headers=headers) as response:
        assert response.status == 200
    await admin.advance(1)
    async with http.get(f"{sample.url}/devices", headers=headers) as response:
        assert response.status == 401
        assert (await response.json())["message"] == "token expired"


async def test_token_revocation_over_admin(
    http: aiohttp.ClientSession, sample: SimulatorServer, admin: SimulatorAdmin
) -> None:
    alice = await login(http, sample.url)
    bob = await login(http, sample.url, "bob@example.com", "hunter2")
    assert await admin.revoke_tokens("alice@example.com") == 1
    async with http.get(f"{sample.url}/devices", headers=alice) as response:
        assert (await response.json())["message"] == "token revoked"
    async with http.get(f"{sample.url}/devices", headers=bob) as response:
        assert response.status == 200
    assert await admin.revoke_tokens() == 1


async def test_http_faults_for_next_n_requests(
    http: aiohttp.ClientSession, sample: SimulatorServer, admin: SimulatorAdmin
) -> None:
    await admin.http_fault(503, path="/devices*", count=2, headers={"Retry-After": "3"})
    headers = await login(http, sample.url)
    statuses = []
    for _ in range(3):
        async with http.get(f"{sample.url}/devices", headers=headers) as response:
            statuses.append(response.status)
            if response.status == 503:
                assert response.headers["Retry-After"] == "3"
                assert await response.json() == {"message": "Service Unavailable"}
    assert statuses == [503, 503, 200]
    faults = [e["fault"] for e in (await admin.requests())["recent"]]
    assert faults == [None, "http 503", "http 503", None]


async def test_http_fault_with_body_and_probability(
    http: aiohttp.ClientSession, sample: SimulatorServer, admin: SimulatorAdmin
) -> None:
    await admin.http_fault(429, probability=0.5, body={"retryAfter": 30})
    statuses = []
    for _ in range(40):
        async with http.post(f"{sample.url}/login", json={}) as response:
            statuses.append(response.status)
            if response.status == 429:
                assert await response.json() == {"retryAfter": 30}
    assert 5 < statuses.count(429) < 35
    await admin.clear_faults()
    assert (await http.get(f"{sample.url}/_sim/faults")).status == 200
    async with http.post(f"{sample.url}/login", json={}) as response:
        assert response.status == 401


async def test_latency_fault(
    http: aiohttp.ClientSession, sample: SimulatorServer, admin: SimulatorAdmin
) -> None:
    await admin.latency(0.2, path="/login", count=1)
    started = time.perf_counter()
    async with http.post(f"{sample.url}/login", json={}) as response:
        assert response.status == 401
    assert time.perf_counter() - started >= 0.2
    entry = (await admin.requests())["recent"][-1]
    assert entry["duration_ms"] >= 200


async def test_admin_rejects_bad_requests(
    http: aiohttp.ClientSession, sample: SimulatorServer
) -> None:
    base = f"{sample.url}/_sim"
    for path, body in [
        ("/faults/http", {"status": "x"}),
        ("/faults/earthquake", {}),
        ("/push/refuse", {"seconds": -1}),
        ("/clock", {"advance": -5}),
    ]:
        async with http.post(base + path, json=body) as response:
            assert response.status == 400, path
    async with http.post(f"{base}/faults/http", data="not json") as response:
        assert response.status == 400
    async with http.post(f"{base}/push/malformed", data="{") as response:
        assert response.status == 400


async def test_devices_follow_the_clock(sample: SimulatorServer, admin: SimulatorAdmin) -> None:
    await admin.set_speed(0)  # the clock runs in real time: stopped, the values hold still
    # The few milliseconds before it stopped may have warmed the device a little.
    assert (await admin.state())["devices"]["dev-1"]["temperature"] == pytest.approx(20, abs=0.05)
    await admin.advance(100)
    assert (await admin.state())["devices"]["dev-1"]["temperature"] == pytest.approx(30, abs=0.5)
    await admin.set_speed(1000)  # the ticker now steps the devices on its own

    async def at_target() -> bool:
        return bool((await admin.state())["devices"]["dev-1"]["temperature"] == 80)

    await until(at_target, what="the device to reach 80 degrees")
    assert sample.ctx.clock.speed == 1000


async def test_a_failing_step_is_logged_and_the_clock_goes_on(
    clock: SimClock, caplog: pytest.LogCaptureFixture
) -> None:
    class Broken(SampleCloud):
        def step(self, now: float) -> None:
            raise RuntimeError("boom")

    async with running_simulator(Broken, clock=clock):
        clock.advance(1)
        await until(lambda: "sample simulator step failed" in caplog.text)
        clock.advance(1)  # the clock still works, and steps again
        await until(lambda: caplog.text.count("sample simulator step failed") == 2)


async def test_push_faults(
    http: aiohttp.ClientSession, sample: SimulatorServer, admin: SimulatorAdmin
) -> None:
    headers = await login(http, sample.url)
    async with http.ws_connect(f"{sample.url}/push", headers=headers) as ws:
        await admin.malformed_push(1)
        await ws.send_str("state")
        broken = await ws.receive_str()
        await ws.send_str("state")
        good = await ws.receive_json()
        assert "dev-1" in good["devices"]
        assert not broken.endswith("}")
        assert (await admin.state()) == {"devices": good["devices"]}
        assert await admin.drop_push() == 1
        closed = await ws.receive()
        assert closed.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
    await admin.refuse_push(30)
    with pytest.raises(aiohttp.WSServerHandshakeError):
        await http.ws_connect(f"{sample.url}/push", headers=headers)
    await admin.advance(31)
    async with http.ws_connect(f"{sample.url}/push", headers=headers) as ws:
        push = (await http.get(f"{sample.url}/_sim/push")).json
        stats = (await push())["stats"]
        assert stats == {
            "connects": 2,
            "refused": 1,
            "dropped": 1,
            "frames_sent": 2,
            "malformed_sent": 1,
        }
    await admin.refuse_push(60)
    await admin.clear_faults()
    assert sample.ctx.push.accepting()


async def test_stop_closes_push_connections(http: aiohttp.ClientSession, clock: SimClock) -> None:
    async with running_simulator(SampleCloud, clock=clock) as server:
        headers = await login(http, server.url)
        ws = await http.ws_connect(f"{server.url}/push", headers=headers)
        assert len(server.ctx.push.connections) == 1
    assert (await ws.receive()).type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
    await ws.close()
    with pytest.raises(RuntimeError, match="not running"):
        _ = server.url


async def test_scenario_path_or_default(clock: SimClock) -> None:
    server = SimulatorServer(SampleCloud, SampleCloud.default_scenario, clock=clock)
    assert server.simulator.scenario.name == "sample home"
    assert SimulatorServer(SampleCloud).simulator.scenario.name == "sample home"


async def test_default_hooks_of_a_simulator(
    http: aiohttp.ClientSession, sample: SimulatorServer, admin: SimulatorAdmin
) -> None:
    assert await admin.demo_entries() == []
    odd = sample.simulator.error_response(599)
    assert odd.status == 599
    assert odd.text == '{"message": "Error"}'
    await admin.http_fault(418, count=1)
    async with http.get(f"{sample.url}/devices") as response:
        assert response.status == 418
        assert await response.json() == {"message": "I'm a Teapot"}
