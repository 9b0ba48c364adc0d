"""The demo: the cloud simulators plus a real Home Assistant configured against them.

Creates a fresh config directory in .demo/ (git-ignored), starts `python -m simulators serve all`
and `hass`, completes onboarding through Home Assistant's own HTTP API (with Advanced mode on for
the demo user), adds a config entry for every integration whose simulator offers one, prints where
to log in and what to enter to add each integration by hand, and stops everything on Ctrl-C.
Run it through `scripts/demo`, which prepares the virtual environment first.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import AsyncIterator
from contextlib import suppress
import json
import os
from pathlib import Path
import shutil
import signal
import sys
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
USERNAME = "demo"
PASSWORD = "demo-sauna"  # noqa: S105  (a local demo on 127.0.0.1, printed for the user)

CONFIGURATION = """\
homeassistant:
  name: Cloud bundle demo
  unit_system: metric
  time_zone: Europe/Oslo
  latitude: 59.91
  longitude: 10.75
  elevation: 20
  country: "NO"
  currency: NOK
http:
  server_host: 127.0.0.1
  server_port: {port}
# default_config's integrations except those that log errors offline, without the go2rtc and
# ffmpeg binaries or without packet capture: go2rtc (in containers), homeassistant_alerts, dhcp,
# and cloud and assist_pipeline (they set up tts, which needs ffmpeg). scripts/setup installs
# default_config's packages all the same (scripts/demo_requirements.py).
frontend:
bluetooth:
conversation:
energy:
file:
history:
logbook:
media_source:
mobile_app:
my:
ssdp:
stream:
sun:
usage_prediction:
usb:
webhook:
zeroconf:
automation: !include automations.yaml
script: !include scripts.yaml
scene: !include scenes.yaml
logger:
  default: warning
  logs:
    custom_components: debug
    homeassistant.setup: info
"""


class DemoError(RuntimeError):
    """The demo could not start; the message says why."""


def say(message: str) -> None:
    print(f"[demo] {message}", flush=True)


def write_config(config_dir: Path, port: int) -> None:
    """A fresh config directory that loads our custom_components from the repository."""
    shutil.rmtree(config_dir, ignore_errors=True)
    config_dir.mkdir(parents=True)
    (config_dir / "configuration.yaml").write_text(CONFIGURATION.format(port=port))
    (config_dir / "automations.yaml").write_text("[]\n")
    (config_dir / "scripts.yaml").write_text("{}\n")
    (config_dir / "scenes.yaml").write_text("[]\n")
    (config_dir / "custom_components").symlink_to(ROOT / "custom_components")
    # Onboarding's core_config step adds weather, radio and TTS integrations that need the
    # internet; mark it (and analytics) done so the demo shows only what it runs locally.
    # The user and integration steps still go through Home Assistant's onboarding API.
    storage = config_dir / ".storage"
    storage.mkdir()
    (storage / "onboarding").write_text(
        json.dumps(
            {"version": 4, "minor_version": 1, "key": "onboarding",
             "data": {"done": ["core_config", "analytics"]}}
        )
    )  # fmt: skip


async def start_process(*args: str, log: Path) -> asyncio.subprocess.Process:
    handle = log.open("wb")
    try:
        return await asyncio.create_subprocess_exec(
            *args, cwd=ROOT, stdout=handle, stderr=asyncio.subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C reaches us only; we stop the children in order
        )  # fmt: skip
    finally:
        handle.close()


async def start_simulators(demo_dir: Path) -> asyncio.subprocess.Process:
    urls_file = demo_dir / "simulators.json"
    process = await start_process(
        sys.executable, "-m", "simulators", "serve", "all", "--urls-file", str(urls_file),
        log=demo_dir / "simulators.log",
    )  # fmt: skip
    for _ in range(300):
        if urls_file.exists():
            return process
        if process.returncode is not None:
            break
        await asyncio.sleep(0.1)
    raise DemoError(f"the simulators did not start; see {demo_dir / 'simulators.log'}")


async def wait_for_http(
    session: aiohttp.ClientSession, url: str, hass: asyncio.subprocess.Process, log: Path
) -> None:
    for _ in range(1800):
        if hass.returncode is not None:
            break
        with suppress(aiohttp.ClientError):
            async with session.get(f"{url}/api/onboarding") as response:
                if response.status == 200:
                    return
        await asyncio.sleep(0.1)
    raise DemoError(f"Home Assistant did not come up; see {log}")


async def onboard(session: aiohttp.ClientSession, url: str) -> str:
    """Create the demo user and finish onboarding; returns an access token."""
    client_id = f"{url}/"
    async with session.post(
        f"{url}/api/onboarding/users",
        json={"client_id": client_id, "name": "Demo", "username": USERNAME,
              "password": PASSWORD, "language": "en"},
    ) as response:  # fmt: skip
        if response.status != 200:
            raise DemoError(f"onboarding refused the demo user: {await response.text()}")
        auth_code = (await response.json())["auth_code"]
    async with session.post(
        f"{url}/auth/token",
        data={"grant_type": "authorization_code", "code": auth_code, "client_id": client_id},
    ) as response:
        response.raise_for_status()
        token: str = (await response.json())["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    async with session.post(
        f"{url}/api/onboarding/integration",
        json={"client_id": client_id, "redirect_uri": f"{url}/?auth_callback=1"},
        headers=headers,
    ) as response:
        if response.status != 200:
            raise DemoError(f"finishing onboarding failed: {await response.text()}")
    await turn_on_advanced_mode(session, url, token)
    return token


async def turn_on_advanced_mode(session: aiohttp.ClientSession, url: str, token: str) -> None:
    """The user profile's Advanced mode: config-flow forms then show their URL fields."""
    async with session.ws_connect(f"{url}/api/websocket") as socket:
        await socket.receive_json()  # auth_required
        await socket.send_json({"type": "auth", "access_token": token})
        if (await socket.receive_json())["type"] != "auth_ok":
            raise DemoError("the websocket API refused the demo user's token")
        await socket.send_json(
            {"id": 1, "type": "frontend/set_user_data", "key": "core",
             "value": {"showAdvanced": True}}
        )  # fmt: skip
        result = await socket.receive_json()
        if not result.get("success"):
            raise DemoError(f"turning on advanced mode failed: {json.dumps(result)}")


async def add_entry(
    session: aiohttp.ClientSession, url: str, token: str, entry: dict[str, Any]
) -> str:
    """Walk one integration's config flow with the answers the simulator gave."""
    headers = {"Authorization": f"Bearer {token}"}
    flows = f"{url}/api/config/config_entries/flow"
    body = {"handler": entry["domain"], "show_advanced_options": True}
    async with session.post(flows, json=body, headers=headers) as response:
        result = await response.json()
    for answers in entry["steps"]:
        if result.get("type") != "form":
            break
        async with session.post(
            f"{flows}/{result['flow_id']}", json=answers, headers=headers
        ) as response:
            result = await response.json()
    if result.get("type") != "create_entry":
        raise DemoError(f"configuring {entry['domain']} ended with {json.dumps(result)}")
    return str(result.get("title", entry["domain"]))


def _available(domain: str) -> bool:
    """Whether the integration is in the repository (a folder may hold only its client yet)."""
    return (ROOT / "custom_components" / domain / "manifest.json").is_file()


async def available_entries(
    session: aiohttp.ClientSession, simulator_urls: dict[str, dict[str, str]], path: str
) -> AsyncIterator[tuple[str, dict[str, Any]]]:
    """(vendor, entry) for each config-flow entry a simulator offers at `path` for an
    integration that is in the repository."""
    for vendor, urls in sorted(simulator_urls.items()):
        async with session.get(f"{urls['base']}{path}") as response:
            entries: list[dict[str, Any]] = await response.json()
        for entry in entries:
            if _available(entry["domain"]):
                yield vendor, entry


async def configure_integrations(
    session: aiohttp.ClientSession, url: str, token: str, simulator_urls: dict[str, dict[str, str]]
) -> None:
    async for vendor, entry in available_entries(session, simulator_urls, "/_sim/demo"):
        title = await add_entry(session, url, token, entry)
        say(f"configured {entry['domain']}: {title} (simulated {vendor} cloud)")


async def try_it_yourself(
    session: aiohttp.ClientSession, simulator_urls: dict[str, dict[str, str]]
) -> list[str]:
    """What to enter to add each integration by hand, from the simulators' try-it accounts."""
    lines: list[str] = []
    async for _vendor, entry in available_entries(session, simulator_urls, "/_sim/demo/try"):
        integration = ROOT / "custom_components" / entry["domain"]
        name = json.loads((integration / "manifest.json").read_text())["name"]
        strings = json.loads((integration / "translations" / "en.json").read_text())
        labels: dict[str, str] = strings["config"]["step"]["user"]["data"]
        for number, (key, value) in enumerate(entry["steps"][0].items()):
            lines.append(f"  {name if number == 0 else '':<8} {labels.get(key, key)}: {value}")
    if not lines:
        return []
    return [
        "to add an integration yourself: Settings > Devices & services > Add integration;",
        "the demo user has advanced mode on, so the forms show the simulator's URL field:",
        *lines,
    ]


async def stop(process: asyncio.subprocess.Process | None, name: str, grace: float = 60) -> None:
    if process is None or process.returncode is not None:
        return
    say(f"stopping {name} ...")
    process.send_signal(signal.SIGTERM)
    try:
        await asyncio.wait_for(process.wait(), grace)
    except TimeoutError:
        process.kill()
        await process.wait()


async def run(port: int, demo_dir: Path) -> int:
    url = f"http://127.0.0.1:{port}"
    config_dir = demo_dir / "config"
    urls_file = demo_dir / "simulators.json"
    hass_log = demo_dir / "home-assistant.log"
    demo_dir.mkdir(parents=True, exist_ok=True)
    urls_file.unlink(missing_ok=True)
    write_config(config_dir, port)
    interrupted = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, interrupted.set)

    simulators = hass = None
    try:
        simulators = await start_simulators(demo_dir)
        simulator_urls: dict[str, dict[str, str]] = json.loads(urls_file.read_text())
        for vendor, urls in sorted(simulator_urls.items()):
            say(f"simulated {vendor} cloud at {urls['base']}")
        say("starting Home Assistant (the first start takes a minute) ...")
        hass = await start_process(
            sys.executable, "-m", "homeassistant", "--config", str(config_dir), "--skip-pip",
            log=hass_log,
        )  # fmt: skip
        async with aiohttp.ClientSession() as session:
            await wait_for_http(session, url, hass, hass_log)
            token = await onboard(session, url)
            await configure_integrations(session, url, token, simulator_urls)
            try_it = await try_it_yourself(session, simulator_urls)
        say(f"Home Assistant is ready: {url}")
        say(f"log in as {USERNAME!r} with password {PASSWORD!r}")
        for line in try_it:
            say(line)
        say(f"logs: {hass_log}, {demo_dir / 'simulators.log'}; Ctrl-C stops")
        await run_until_interrupted(hass, interrupted)
    except DemoError as err:
        say(f"ERROR: {err}")
        return 1
    finally:
        await stop(hass, "Home Assistant")
        await stop(simulators, "simulators")
        say("stopped")
    return 0


async def run_until_interrupted(
    hass: asyncio.subprocess.Process, interrupted: asyncio.Event
) -> None:
    stopped = asyncio.ensure_future(hass.wait())
    waiter = asyncio.ensure_future(interrupted.wait())
    await asyncio.wait({stopped, waiter}, return_when=asyncio.FIRST_COMPLETED)
    waiter.cancel()
    if hass.returncode is not None:
        raise DemoError(f"Home Assistant exited ({hass.returncode}); see the log")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=int(os.environ.get("DEMO_PORT", "8123")))
    parser.add_argument(
        "--dir", type=Path, default=ROOT / ".demo", help="where the fresh config and logs go"
    )
    args = parser.parse_args()
    return asyncio.run(run(args.port, args.dir.resolve()))


if __name__ == "__main__":
    sys.exit(main())
