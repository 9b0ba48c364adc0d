"""The benchmark runner: registry, percentiles, table and JSON report."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
import sys

import pytest

from benchmarks import runner
from benchmarks.metrics import Metric, percentile


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
