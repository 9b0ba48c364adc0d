"""The demo from the README: a real Home Assistant against the simulators, as a browser uses it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aiohttp
import pytest

from scripts.demo import add_entry
from tests.demo_process import RunningDemo, running_demo


async def _log_in(http: aiohttp.ClientSession, url: str, username: str, password: str) -> str:
    """Sign in through the login flow the frontend uses; returns an access token."""
    client_id = f"{url}/"
    async with http.post(
        f"{url}/auth/login_flow",
        json={
            "client_id": client_id,
            "handler": ["homeassistant", None],
            "redirect_uri": client_id,
        },
    ) as response:
        flow = await response.json()
    async with http.post(
        f"{url}/auth/login_flow/{flow['flow_id']}",
        json={"client_id": client_id, "username": username, "password": password},
    ) as response:
        result = await response.json()
    assert result["type"] == "create_entry", result
    async with http.post(
        f"{url}/auth/token",
        data={"grant_type": "authorization_code", "code": result["result"], "client_id": client_id},
    ) as response:
        token: str = (await response.json())["access_token"]
    return token


async def _websocket_calls(
    http: aiohttp.ClientSession, url: str, token: str, *calls: dict[str, Any]
) -> list[dict[str, Any]]:
    """Results of websocket API calls, made as the frontend makes them after it loads."""
    async with http.ws_connect(f"{url}/api/websocket") as ws:
        assert (await ws.receive_json())["type"] == "auth_required"
        await ws.send_json({"type": "auth", "access_token": token})
        assert (await ws.receive_json())["type"] == "auth_ok"
        results = []
        for number, call in enumerate(calls, start=1):
            await ws.send_json({"id": number, **call})
            result = await ws.receive_json(timeout=60)
            assert result["success"], result
            results.append(result["result"])
    return results


async def _try_it_entries(demo: RunningDemo, http: aiohttp.ClientSession) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = []
    for urls in demo.simulators.values():
        async with http.get(f"{urls['base']}/_sim/demo/try") as response:
            entries += await response.json()
    return entries


@pytest.mark.slow
async def test_demo_serves_a_home_assistant_whose_ui_loads_without_errors(tmp_path: Path) -> None:
    async with running_demo(tmp_path) as demo:
        url, printed = demo.url, demo.output
        assert f"Home Assistant is ready: {url}" in printed

        async with aiohttp.ClientSession() as http:
            async with http.get(f"{url}/api/onboarding") as response:
                assert all(step["done"] for step in await response.json())
            token = await _log_in(http, url, demo.username, demo.password)
            services, states, user_data = await _websocket_calls(
                http, url, token,
                {"type": "get_services"},
                {"type": "get_states"},
                {"type": "frontend/get_user_data", "key": "core"},
            )  # fmt: skip
            assert {"conversation", "harvia", "homeassistant"} <= set(services)
            domains = {state["entity_id"].split(".")[0] for state in states}
            assert {"climate", "alarm_control_panel"} <= domains
            assert user_data["value"]["showAdvanced"] is True  # forms show the URL fields

            # What the demo prints for adding an integration by hand works in its config flow.
            try_it = await _try_it_entries(demo, http)
            assert {entry["domain"] for entry in try_it} == {
                "cayenne",
                "harvia",
                "homely",
                "telenor_mic",
            }
            assert "Endpoint discovery URL: http://127.0.0.1:" in printed
            for entry in try_it:
                assert all(f": {value}\n" in printed for value in entry["steps"][0].values())
                assert await add_entry(http, url, token, entry) == entry["title"]

            async with http.get(f"{url}/") as response:
                assert response.status == 200
                assert "<title>Home Assistant" in await response.text()
    assert demo.process.returncode == 0
    assert demo.output.rstrip().endswith("[demo] stopped")
    log = demo.log.read_text()
    assert "Setting up harvia" in log  # the log is the one of this run
    problems = [line for line in log.splitlines() if "ERROR" in line or "Traceback" in line]
    assert problems == [], log[-5000:]
