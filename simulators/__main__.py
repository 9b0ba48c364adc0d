"""Command line: `python -m simulators serve <vendor|all> [--scenario FILE ...]`."""

from __future__ import annotations

import argparse
import asyncio
from contextlib import AsyncExitStack
import json
import logging
from pathlib import Path
import signal
import sys

from . import registry
from .core import ScenarioError, SimClock, SimulatorServer, load_scenario


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m simulators", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run simulators until interrupted")
    serve.add_argument("vendor", help="a vendor name, or 'all'")
    serve.add_argument(
        "--scenario",
        action="append",
        type=Path,
        default=[],
        help="scenario file (its 'vendor' key says which simulator it is for); repeatable",
    )
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=0, help="0 picks free ports (default)")
    serve.add_argument("--speed", type=float, default=1.0, help="simulated seconds per real second")
    serve.add_argument("--urls-file", type=Path, help="also write the served URLs as JSON here")
    sub.add_parser("list", help="list the vendor simulators")
    check = sub.add_parser("check", help="validate scenario files")
    check.add_argument("scenario", nargs="+", type=Path)
    return parser


def _scenario_vendor(path: Path) -> str:
    import yaml  # noqa: PLC0415  (only this command needs it)

    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as err:
        raise ScenarioError(f"{path}: {err}") from err
    vendor = raw.get("vendor") if isinstance(raw, dict) else None
    if not isinstance(vendor, str):
        raise ScenarioError(f"{path}: a scenario names its simulator with a top-level 'vendor' key")
    return vendor


def _build_servers(args: argparse.Namespace) -> list[SimulatorServer]:
    """Resolve vendors and scenarios before any event loop runs, so errors come early."""
    wanted = registry.vendors() if args.vendor == "all" else [args.vendor]
    scenarios = {_scenario_vendor(path): path for path in args.scenario}
    servers: list[SimulatorServer] = []
    for vendor in wanted:
        cls = registry.simulator_class(vendor)
        scenario = scenarios.get(vendor, cls.default_scenario)
        servers.append(
            SimulatorServer(
                cls,
                load_scenario(scenario, cls.scenario_schema, vendor),
                host=args.host,
                port=args.port,
                clock=SimClock(speed=args.speed),
            )
        )
    return servers


async def _serve(servers: list[SimulatorServer], urls_file: Path | None) -> int:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with AsyncExitStack() as stack:
        urls: dict[str, dict[str, str]] = {}
        for server in servers:
            await stack.enter_async_context(server)
            urls[server.vendor] = server.simulator.urls()
            scenario_name = server.simulator.scenario.name
            print(f"{server.vendor:12} {server.url}  (scenario {scenario_name})", flush=True)
        if not servers:
            print("no vendor simulators are registered yet", flush=True)
        if urls_file:
            urls_file.write_text(json.dumps(urls, indent=2), encoding="utf-8")
        print("ready", flush=True)
        await stop.wait()
    print("stopped", flush=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "list":
            for vendor in registry.vendors():
                print(vendor)
            return 0
        if args.command == "check":
            for path in args.scenario:
                vendor = _scenario_vendor(path)
                cls = registry.simulator_class(vendor)
                scenario = load_scenario(path, cls.scenario_schema, vendor)
                print(f"{path}: valid {vendor} scenario {scenario.name!r}")
            return 0
        servers = _build_servers(args)
        # Only a serving process logs to the console (not a test that calls main()).
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
        return asyncio.run(_serve(servers, args.urls_file))
    except (ScenarioError, KeyError) as err:
        print(f"error: {err.args[0] if isinstance(err, KeyError) else err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
