"""The demo from the README: a real Home Assistant against the simulators, one can log in."""

from __future__ import annotations

import asyncio
from pathlib import Path
import signal
import socket
import sys

import aiohttp
import pytest

ROOT = Path(__file__).parents[1]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@pytest.mark.slow
async def test_demo_serves_home_assistant_one_can_log_in_to(tmp_path: Path) -> None:
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    demo = await asyncio.create_subprocess_exec(
        sys.executable, str(ROOT / "scripts/demo.py"), "--port", str(port), "--dir", str(tmp_path),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    assert demo.stdout is not None
    output: list[str] = []
    try:
        while not any("log in as" in line for line in output):
            line = (await asyncio.wait_for(demo.stdout.readline(), 240)).decode()
            assert line, "".join(output) + (tmp_path / "home-assistant.log").read_text()[-3000:]
            output.append(line)
        assert f"Home Assistant is ready: {url}" in "".join(output)
        username, password = output[-1].split("'")[1::2]

        async with aiohttp.ClientSession() as http:
            async with http.get(f"{url}/api/onboarding") as response:
                assert all(step["done"] for step in await response.json())
            async with http.post(
                f"{url}/auth/login_flow",
                json={"client_id": f"{url}/", "handler": ["homeassistant", None],
                      "redirect_uri": f"{url}/"},
            ) as response:  # fmt: skip
                flow = await response.json()
            async with http.post(
                f"{url}/auth/login_flow/{flow['flow_id']}",
                json={"client_id": f"{url}/", "username": username, "password": password},
            ) as response:
                assert (await response.json())["type"] == "create_entry"
            async with http.get(f"{url}/") as response:
                assert response.status == 200
                assert "<title>Home Assistant" in await response.text()
        assert "ERROR" not in (tmp_path / "home-assistant.log").read_text()
    finally:
        if demo.returncode is None:
            demo.send_signal(signal.SIGINT)
        rest, _ = await asyncio.wait_for(demo.communicate(), 120)
    assert demo.returncode == 0
    assert rest.decode().rstrip().endswith("[demo] stopped")
