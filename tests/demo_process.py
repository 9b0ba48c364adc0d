"""The README's demo as tests start it: scripts/demo.py on a free port, in the test's directory."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
import json
from pathlib import Path
import re
import signal
import socket
import sys

ROOT = Path(__file__).parents[1]
START_TIMEOUT_S = 240  # Home Assistant's first start on two busy cores
STOP_TIMEOUT_S = 120
# The demo's last line once everything runs (after the login and try-it-yourself lines).
READY_LINE = "Ctrl-C stops"
LOGIN = re.compile(r"log in as '([^']+)' with password '([^']+)'")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@dataclass
class RunningDemo:
    process: asyncio.subprocess.Process
    url: str
    directory: Path
    username: str = ""
    password: str = ""

    @property
    def output(self) -> str:
        """What the demo printed so far."""
        return (self.directory / "demo-output.txt").read_text(errors="replace")

    @property
    def log(self) -> Path:
        return self.directory / "home-assistant.log"

    @property
    def simulators(self) -> dict[str, dict[str, str]]:
        urls: dict[str, dict[str, str]] = json.loads(
            (self.directory / "simulators.json").read_text()
        )
        return urls

    def simulator(self, vendor: str) -> str:
        return self.simulators[vendor]["base"]

    async def wait_until_ready(self) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + START_TIMEOUT_S
        while READY_LINE not in (printed := self.output):
            if self.process.returncode is not None or loop.time() > deadline:
                log = self.log.read_text(errors="replace")[-3000:] if self.log.exists() else ""
                raise RuntimeError(f"the demo did not come up:\n{printed}\n{log}")
            await asyncio.sleep(0.5)
        login = LOGIN.search(printed)
        assert login, printed
        self.username, self.password = login[1], login[2]

    async def stop(self) -> None:
        """Ctrl-C, as a user stops it: the demo stops Home Assistant and the simulators."""
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGINT)
        try:
            await asyncio.wait_for(self.process.wait(), STOP_TIMEOUT_S)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()


@asynccontextmanager
async def running_demo(directory: Path) -> AsyncIterator[RunningDemo]:
    """Start the demo and wait until it is ready; it stops when the block ends."""
    port = free_port()
    # A file rather than a pipe: nobody has to keep reading it while the tests run.
    with (directory / "demo-output.txt").open("wb") as output:
        process = await asyncio.create_subprocess_exec(
            sys.executable, str(ROOT / "scripts/demo.py"), "--port", str(port),
            "--dir", str(directory), stdout=output, stderr=asyncio.subprocess.STDOUT,
        )  # fmt: skip
    demo = RunningDemo(process, f"http://127.0.0.1:{port}", directory)
    try:
        await demo.wait_until_ready()
        yield demo
    finally:
        await demo.stop()
