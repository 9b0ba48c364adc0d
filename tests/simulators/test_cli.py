"""`python -m simulators` as a real process: list, check and serve until interrupted."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
import signal
import sys

import aiohttp

from simulators import registry
from simulators.__main__ import main

ROOT = Path(__file__).parents[2]
SAMPLE = "tests.simulators.sample_cloud:SampleCloud"
# Runs the real CLI with the test-only sample cloud registered.
LAUNCHER = (
    "import sys; from simulators import registry; "
    f"registry.VENDORS['sample'] = {SAMPLE!r}; "
    "from simulators.__main__ import main; sys.exit(main())"
)


async def _run(*args: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-c", LAUNCHER, *args,
        cwd=ROOT, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip


async def test_serve_prints_urls_and_stops_on_sigint(tmp_path: Path) -> None:
    urls_file = tmp_path / "urls.json"
    scenario = ROOT / "tests/simulators/scenarios/sample.yaml"
    proc = await _run("serve", "all", "--scenario", str(scenario), "--urls-file", str(urls_file))
    assert proc.stdout is not None
    lines = []
    while (
        line := (await asyncio.wait_for(proc.stdout.readline(), 20)).decode().strip()
    ) != "ready":
        assert line, (await proc.stderr.read()).decode() if proc.stderr else "no output"
        lines.append(line)
    served = {line.split()[0]: line.split()[1] for line in lines}
    assert set(served) == {"sample", *registry.vendors()}
    url = served["sample"]
    urls = json.loads(urls_file.read_text())
    assert urls["sample"] == {"base": url}
    assert urls["harvia"]["endpoints"] == f"{served['harvia']}/endpoints"
    async with aiohttp.ClientSession() as http, http.get(f"{url}/_sim/health") as response:
        assert (await response.json())["scenario"] == "sample home"
    proc.send_signal(signal.SIGINT)
    out, _ = await asyncio.wait_for(proc.communicate(), 20)
    assert out.decode().strip() == "stopped"
    assert proc.returncode == 0


async def test_check_and_list_commands(tmp_path: Path) -> None:
    good = ROOT / "tests/simulators/scenarios/sample.yaml"
    bad = tmp_path / "bad.yaml"
    bad.write_text("vendor: sample\naccounts: [{username: u}]\n")
    proc = await _run("check", str(good))
    out, _ = await proc.communicate()
    assert proc.returncode == 0
    assert "valid sample scenario 'sample home'" in out.decode()
    proc = await _run("check", str(bad))
    _, err = await proc.communicate()
    assert proc.returncode == 2
    assert "accounts[0].password: required key not provided" in err.decode()
    proc = await _run("list")
    out, _ = await proc.communicate()
    assert "sample" in out.decode().split()


def test_errors_without_a_vendor(tmp_path: Path, capsys: object) -> None:
    nameless = tmp_path / "nameless.yaml"
    nameless.write_text("accounts: []\n")
    assert main(["check", str(nameless)]) == 2
    assert main(["check", str(tmp_path / "missing.yaml")]) == 2
    assert main(["serve", "no-such-cloud"]) == 2
    assert main(["list"]) == 0
    assert "no-such-cloud" not in registry.vendors()
