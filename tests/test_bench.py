"""The benchmark runner: registry, percentiles, table and JSON report."""

from __future__ import annotations

import asyncio
from datetime import UTC
import json
from pathlib import Path
import sys

from homeassistant.util import dt as dt_util
import pytest

from benchmarks import runner
from benchmarks.cayenne import SimulatedTime
from benchmarks.metrics import Metric, percentile
from benchmarks.telenor_mic import MicTime
from custom_components.telenor_mic.api import push as mic_push
from simulators.core import SimClock


def test_percentile_nearest_rank() -> None:
    samples = [float(n) for n in range(1, 101)]
    assert percentile(samples, 50) == 50
    assert percentile(samples, 99) == 99
    assert percentile([3.0], 99) == 3.0
    with pytest.raises(ValueError, match="no samples"):
        percentile([], 50)


def test_table_aligns_columns() -> None:
    text = runner.table(
        {"x": [Metric("latency p99", 12.5, "ms", "< 25"), Metric("rate", 1000.0, "req/s")]}
    )
    lines = text.splitlines()
    assert lines[0].split() == ["benchmark", "metric", "value", "unit", "target"]
    assert lines[2].split() == ["x", "latency", "p99", "12.5", "ms", "<", "25"]
    assert lines[3].split() == ["x", "rate", "1,000", "req/s"]


async def test_framework_benchmark_counts_every_request() -> None:
    assert "framework" in runner.load_benchmarks()
    results = await runner.run(["framework"])
    metrics = {m.name: m for m in results["framework"]}
    assert metrics["requests in the simulator's log"].value == 4000
    assert (
        0
        < metrics["simulator HTTP round trip p50"].value
        <= metrics["simulator HTTP round trip p99"].value
    )


@pytest.mark.parametrize("module", runner.MODULES)
def test_every_module_registers_its_benchmark(module: str) -> None:
    """Each module of MODULES imports and registers the benchmark named after it."""
    assert module.removeprefix("benchmarks.") in runner.load_benchmarks()


async def test_cayenne_simulated_time_moves_the_clocks_together() -> None:
    """The Cayenne benchmark's hours: Home Assistant's loop and wall clocks and the simulator's
    move on together, a timer fires in the step it falls due, and all is real again after."""
    loop = asyncio.get_running_loop()
    real_time, real_utcnow = loop.time, dt_util.utcnow
    clocks = SimulatedTime(SimClock(speed=0))
    fired: list[float] = []
    with clocks.patched():
        loop_start, sim_start = loop.time(), clocks.clock.now()
        wall_start = dt_util.utcnow().timestamp()
        loop.call_at(loop_start + 900.5, lambda: fired.append(clocks.clock.now() - sim_start))
        await clocks.advance(899)
        assert not fired
        await clocks.advance(3)
        assert fired
        assert 900.5 <= fired[0] <= 902
        sim_passed = clocks.clock.now() - sim_start
        assert sim_passed >= 902
        assert loop.time() - loop_start == pytest.approx(sim_passed, abs=0.5)
        assert dt_util.utcnow().timestamp() - wall_start == pytest.approx(sim_passed, abs=0.5)
    assert loop.time == real_time
    assert dt_util.utcnow is real_utcnow
    assert abs(loop.time() - real_time()) < 0.1


async def test_telenor_mic_simulated_time_is_the_mqtt_feeds_wall_clock_too() -> None:
    """The MIC benchmark's hours: the MQTT feed dates its AWS credentials by the wall clock,
    which moves on with Home Assistant's and the simulator's; all is real again after."""
    real_datetime = mic_push.datetime
    clocks = MicTime(SimClock(speed=0))
    with clocks.patched():
        start = mic_push.datetime.now(UTC).timestamp()
        assert start == pytest.approx(dt_util.utcnow().timestamp(), abs=0.5)
        await clocks.advance(3600)
        assert mic_push.datetime.now(UTC).timestamp() - start == pytest.approx(3600, abs=1.5)
        assert mic_push.datetime.now(UTC).timestamp() == pytest.approx(clocks.clock.now(), abs=0.5)
    assert mic_push.datetime is real_datetime


def test_unknown_benchmark(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert runner.main(["nope", "--json", str(tmp_path / "r.json")]) == 2
    assert "unknown benchmark(s): nope" in capsys.readouterr().err
    assert not (tmp_path / "r.json").exists()


async def test_command_prints_table_and_writes_json(tmp_path: Path) -> None:
    report = tmp_path / "results.json"
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "benchmarks", "framework", "--json", str(report),
        cwd=Path(__file__).parents[1], stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, _ = await proc.communicate()
    assert proc.returncode == 0
    assert "simulator HTTP round trip p99" in out.decode()
    data = json.loads(report.read_text())
    assert set(data) == {"when", "commit", "python", "machine", "results"}
    assert data["python"].startswith("3.13")
    assert {m["unit"] for m in data["results"]["framework"]} == {"ms", "req/s", "requests"}
