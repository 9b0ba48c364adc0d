"""HarviaClient against the simulator: tokens, reads, commands and how errors are classified."""

from __future__ import annotations

from contextlib import suppress
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from custom_components.harvia.api import (
    HarviaAuthError,
    HarviaClient,
    HarviaConnectionError,
    HarviaDeviceUnavailableError,
    HarviaInvalidValueError,
    HarviaNoPasswordError,
    HarviaRateLimitError,
    HarviaRemoteNotAllowedError,
    HarviaResponseError,
    HarviaUnsupportedError,
)
from custom_components.harvia.api.client import retry_after
from simulators.core import MalformedFault
from simulators.harvia import HarviaSimulator
from simulators.harvia.malformed import REST_SHAPES

from .conftest import MakeClient


async def test_login_keeps_the_refresh_token(make_client: MakeClient) -> None:
    server, client = await make_client()
    await client.async_login()
    refresh = client.refresh_token
    assert refresh
    assert client.username
    server.ctx.clock.advance(3500)  # inside the refresh margin
    client._clock = lambda: 0
    await client.async_login()  # nothing due yet by the client's own clock
    assert server.ctx.log.count("POST /rest/generics/auth/refresh") == 0
    client._expires_at = 0
    await client.async_login()
    assert server.ctx.log.count("POST /rest/generics/auth/refresh") == 1
    assert client.refresh_token == refresh  # refresh returns none; the old one is kept


async def test_rejected_refresh_token_signs_in_again(make_client: MakeClient) -> None:
    server, client = await make_client()
    await client.async_login()
    server.ctx.tokens.revoke_subject("xenio@harvia.example")
    devices = await client.async_get_devices()  # 401 -> refresh refused -> password sign-in
    assert [d.device_id for d in devices] == ["xenio-1"]
    assert server.ctx.log.count("POST /rest/generics/auth/token") == 2


async def test_wrong_password_and_federated_account(
    make_client: MakeClient, tmp_path: Path
) -> None:
    _, client = await make_client(password="wrong")
    with pytest.raises(HarviaAuthError, match="Incorrect username or password"):
        await client.async_login()
    scenario = tmp_path / "apple.yaml"
    scenario.write_text(
        "vendor: harvia\naccounts:\n  - {email: a@x.example, password: null, devices: [s]}\n"
        "devices:\n  - {id: s, type: Xenio}\n"
    )
    _, apple = await make_client(str(scenario), "a@x.example", "guess")
    with pytest.raises(HarviaNoPasswordError):
        await apple.async_login()


async def test_transient_failures_are_never_auth_errors(make_client: MakeClient) -> None:
    server, client = await make_client()
    await client.async_login()
    client._expires_at = 0
    server.ctx.faults.add_from_json(
        "http", {"status": 503, "path": "/rest/generics/auth/*", "count": 1}
    )
    with pytest.raises(HarviaConnectionError):
        await client.async_login()
    server.ctx.faults.add_from_json(
        "http", {"status": 429, "path": "/rest/device/devices", "count": 1}
    )
    with pytest.raises(HarviaConnectionError, match="429"):
        await client.async_get_devices()
    server.ctx.faults.add_from_json(
        "http", {"status": 401, "path": "/rest/device/devices", "count": 2}
    )
    with pytest.raises(HarviaConnectionError, match="freshly issued token"):
        await client.async_get_devices()
    assert [d.device_id for d in await client.async_get_devices()] == ["xenio-1"]


async def test_unreachable_cloud(make_client: MakeClient) -> None:
    server, client = await make_client()
    client.discovery_url = server.url.rsplit(":", 1)[0] + ":9/endpoints"
    with pytest.raises(HarviaConnectionError):
        await client.async_login()
    client.discovery_url = f"{server.url}/nowhere"
    with pytest.raises(HarviaConnectionError, match="HTTP 404"):
        await client.async_login()


async def test_device_list_pages_and_skips_bad_entries(
    make_client: MakeClient, caplog: pytest.LogCaptureFixture
) -> None:
    server, client = await make_client("fifty_saunas.yaml", "spa@harvia.example")
    devices = await client.async_get_devices()
    assert len(devices) == 50
    assert server.ctx.log.count("GET /rest/device/devices") == 1  # 50 per page
    spa = devices[0]
    assert (spa.device_id, spa.device_type, spa.name) == ("spa-01", "Xenio", "Spa sauna 1")
    assert spa.serial_number
    assert spa.stat("totalSessions", "C1") == 0
    assert spa.cabin_ids_from_stats() == ["C1"]
    body = {
        "devices": [
            {"type": "Xenio"},
            {
                "deviceId": "doc-shape",
                "type": "Fenix",
                "attr": [{"key": "panelType", "value": "Fenix"}],
            },
        ]
    }
    server.ctx.faults.add_from_json(
        "http", {"status": 200, "path": "/rest/device/devices", "count": 1, "body": body}
    )
    devices = await client.async_get_devices()
    assert [(d.device_id, d.declared_fenix, d.panel_type) for d in devices] == [
        ("doc-shape", True, "Fenix")
    ]
    assert "Skipping a device entry without an id" in caplog.text
    server.ctx.faults.add_from_json(
        "http", {"status": 200, "path": "/rest/device/devices", "count": 1, "body": {"devices": 7}}
    )
    with pytest.raises(HarviaResponseError):
        await client.async_get_devices()


async def test_reads_state_latest_and_history(make_client: MakeClient) -> None:
    server, client = await make_client("fenix_two_cabins.yaml", "fenix@harvia.example")
    state = await client.async_get_state("fenix-1", "C2")
    assert state.cabin_id == "C2"
    assert state.active_profile == 1
    assert state.active is not None
    assert state.active.name == "Soft steam"
    assert state.heater_on is False
    assert (state.min_temp, state.max_temp) == (40, 110)
    assert state.remote_allowed is True
    assert state.connected is True
    assert state.has_steamer
    latest = await client.async_get_latest("fenix-1", "C1")
    assert latest is not None
    assert latest.temperature == 21
    assert latest.heater_power == 0
    now = datetime.fromtimestamp(server.ctx.clock.now(), UTC)
    history = await client.async_get_history("fenix-1", "C1", now - timedelta(hours=2), now)
    assert len(history) == 24
    assert all(s.timestamp is not None and s.cabin_id == "C1" for s in history)
    server.ctx.faults.add_from_json(
        "http", {"status": 404, "path": "/rest/device/devices/state", "count": 1}
    )
    with pytest.raises(HarviaResponseError):
        await client.async_get_state("fenix-1")


async def test_commands_and_their_errors(make_client: MakeClient) -> None:
    server, client = await make_client("fenix_two_cabins.yaml", "fenix@harvia.example")
    sim = server.simulator
    assert isinstance(sim, HarviaSimulator)
    await client.async_command("fenix-1", "C2", "SAUNA", True)
    await client.async_command("fenix-1", "C2", "ADJUST_DURATION", 45)
    cabin = sim.cloud.saunas["fenix-1"].cabin("C2")
    assert (cabin.on, cabin.duration_min) == (True, 45)
    with pytest.raises(HarviaUnsupportedError, match="not supported for device type 'Fenix'"):
        await client.async_command("fenix-1", "C1", "STEAMER", True)
    sim.cloud.set_door("fenix-1", "C1", closed=False)
    with pytest.raises(HarviaRemoteNotAllowedError):
        await client.async_command("fenix-1", "C1", "SAUNA", True)
    with pytest.raises(HarviaInvalidValueError, match="between 40 and 110"):
        await client.async_set_target("fenix-1", "C1", temperature=120)
    await client.async_set_target("fenix-1", "C1", temperature=90, humidity=20)
    assert sim.cloud.saunas["fenix-1"].cabin("C1").target_temp == 90
    sim.cloud.set_connected("fenix-1", connected=False)
    with pytest.raises(HarviaDeviceUnavailableError):
        await client.async_command("fenix-1", "C1", "LIGHTS", True)
    assert server.ctx.log.count("POST /rest/device/devices/command") == 7  # 3 tries for the last
    sim.cloud.set_connected("fenix-1", connected=True)
    server.ctx.faults.add_from_json("http", {"status": 504, "path": "/rest/device/devices/command", "count": 1,
                                             "body": {"message": "Device unavailable"}})  # fmt: skip
    await client.async_command("fenix-1", "C1", "LIGHTS", True)  # succeeds on the retry
    server.ctx.faults.add_from_json(
        "http", {"status": 409, "path": "/rest/device/devices/command", "count": 1}
    )
    with pytest.raises(Exception, match="HTTP 409"):
        await client.async_command("fenix-1", "C1", "LIGHTS", True)


async def test_profile_falls_back_to_active_profile_index(make_client: MakeClient) -> None:
    server, client = await make_client()
    await client.async_set_profile("xenio-1", "C1", 2, "Hot")
    server.ctx.faults.add_from_json(
        "http",
        {"status": 400, "path": "/rest/device/devices/profile", "count": 1,
         "body": {"error": "Bad Request", "message": "Unknown profile 'Eco'."}},
    )  # fmt: skip
    await client.async_set_profile("xenio-1", "C1", 3, "Eco")
    sim = server.simulator
    assert isinstance(sim, HarviaSimulator)
    assert sim.cloud.saunas["xenio-1"].cabin("C1").active_profile == 3
    assert server.ctx.log.count("PATCH /rest/device/devices/profile") == 3


async def test_revoke(make_client: MakeClient) -> None:
    server, client = await make_client()
    await client.async_revoke()  # nothing to revoke yet
    await client.async_login()
    token = client.refresh_token
    assert token
    await client.async_revoke()
    assert client.refresh_token is None
    assert not server.ctx.tokens.check(token).valid
    client._refresh_token = "x"
    server.ctx.faults.add_from_json(
        "http", {"status": 500, "path": "/rest/generics/auth/revoke", "count": 1}
    )
    with pytest.raises(HarviaConnectionError):
        await client.async_revoke()


def test_client_is_independent_of_home_assistant() -> None:
    source = Path(HarviaClient.__module__.replace(".", "/")).parent
    for path in (Path(__file__).parents[3] / source).glob("*.py"):
        assert "homeassistant" not in path.read_text(), path


async def test_a_rejected_password_is_sent_once(make_client: MakeClient) -> None:
    server, client = await make_client()
    await client.async_login()
    assert isinstance(server.simulator, HarviaSimulator)
    server.simulator.cloud.change_password("xenio@harvia.example", "changed-in-the-app")
    for _ in range(3):
        with pytest.raises(HarviaAuthError):
            await client.async_get_devices()  # 401 -> refresh refused -> password refused
        with pytest.raises(HarviaAuthError):
            await client.async_id_token(force_refresh=True)
    assert client.password_rejected
    assert server.ctx.log.count("POST /rest/generics/auth/token") == 2  # login, then once
    assert server.ctx.log.count("POST /rest/generics/auth/refresh") == 1


@pytest.mark.parametrize("shape", REST_SHAPES)
async def test_malformed_answers_raise_only_the_clients_error(
    make_client: MakeClient, shape: str
) -> None:
    """Plain aiohttp reads NaN and stops at deep nesting with RecursionError; the client
    turns every unreadable answer into HarviaResponseError or unknown values."""
    server, client = await make_client()
    assert isinstance(server.simulator, HarviaSimulator)
    server.simulator.rest.malformed.by_item["xenio-1"] = MalformedFault(shape)
    devices = await client.async_get_devices()
    assert [d.device_id for d in devices] == ["xenio-1"]
    for read in (client.async_get_state, client.async_get_latest):
        with suppress(HarviaResponseError):  # anything else fails the test
            await read("xenio-1", "C1")


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("120", 120.0),
        ("Wed, 21 Oct 2026 07:30:00 GMT", 1800.0),  # an HTTP date, half an hour on
        ("0", 1.0),
        ("-5", 1.0),
        ("99999999", 3600.0),  # at most an hour
        ("nan", None),
        ("soon", None),
        (None, None),
    ],
)
def test_retry_after_headers(header: str | None, seconds: float | None) -> None:
    now = datetime(2026, 10, 21, 7, 0, tzinfo=UTC)
    assert retry_after(header, now) == seconds


async def test_rate_limits_carry_the_clouds_retry_after(make_client: MakeClient) -> None:
    server, client = await make_client()
    await client.async_login()
    for status in (429, 503):
        server.ctx.faults.add_from_json(
            "http",
            {"status": status, "path": "/rest/device/devices", "count": 1,
             "headers": {"Retry-After": "90"}},
        )  # fmt: skip
        with pytest.raises(HarviaRateLimitError) as caught:
            await client.async_get_devices()
        assert caught.value.retry_after == 90
    server.ctx.faults.add_from_json(
        "http", {"status": 503, "path": "/rest/device/devices", "count": 1}
    )
    with pytest.raises(HarviaConnectionError) as plain:
        await client.async_get_devices()
    assert not isinstance(plain.value, HarviaRateLimitError)  # no hint: the usual interval
