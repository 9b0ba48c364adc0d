"""Run the registered benchmarks, print a table, write JSON."""

from __future__ import annotations

import argparse
import asyncio
from dataclasses import asdict
from datetime import UTC, datetime
from importlib import import_module
import json
import logging
from pathlib import Path
import platform
import subprocess
import sys

from .metrics import BENCHMARKS, Benchmark, Metric

# Modules whose @benchmark functions run; vendor issues add theirs here.
MODULES = [
    "benchmarks.framework",
    "benchmarks.harvia",
    "benchmarks.homely",
    "benchmarks.cayenne",
    "benchmarks.telenor_mic",
]
ROOT = Path(__file__).resolve().parents[1]


def _commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607
            cwd=ROOT, capture_output=True, text=True, check=True,
        ).stdout.strip()  # fmt: skip
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def load_benchmarks() -> dict[str, Benchmark]:
    """Import the benchmark modules so their @benchmark functions register."""
    for module in MODULES:
        import_module(module)
    return BENCHMARKS


def table(results: dict[str, list[Metric]]) -> str:
    rows = [("benchmark", "metric", "value", "unit", "target")]
    rows += [
        (name, m.name, f"{m.value:,.3f}".rstrip("0").rstrip("."), m.unit, m.target)
        for name, metrics in results.items()
        for m in metrics
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(line.rstrip() for line in lines)


async def run(names: list[str]) -> dict[str, list[Metric]]:
    return {name: await BENCHMARKS[name]() for name in names}


def main(argv: list[str] | None = None) -> int:
    load_benchmarks()
    parser = argparse.ArgumentParser(prog="scripts/bench", description=__doc__)
    parser.add_argument(
        "names", nargs="*", help=f"which to run (default all: {', '.join(BENCHMARKS)})"
    )
    parser.add_argument("--json", type=Path, default=ROOT / ".bench" / "results.json")
    args = parser.parse_args(argv)
    names = args.names or list(BENCHMARKS)
    if unknown := [n for n in names if n not in BENCHMARKS]:
        print(f"unknown benchmark(s): {', '.join(unknown)}", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.WARNING)
    results = asyncio.run(run(names))
    print(table(results))
    report = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": _commit(),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "results": {name: [asdict(m) for m in metrics] for name, metrics in results.items()},
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nwritten to {args.json}")
    return 0
