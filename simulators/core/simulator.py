"""What a vendor's simulator provides to the shared server."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path
import random
from typing import Any, ClassVar

from aiohttp import web
import voluptuous as vol

from .clock import SimClock
from .faults import FaultInjector
from .http import json_error
from .push import PushHub
from .request_log import RequestLog
from .scenario import Scenario
from .tokens import TokenStore


@dataclass(slots=True)
class SimContext:
    """The framework services a vendor simulator uses."""

    clock: SimClock
    faults: FaultInjector
    log: RequestLog
    push: PushHub
    tokens: TokenStore
    rng: random.Random
    base_url: str = ""  # set once the server listens


class CloudSimulator(ABC):
    """One vendor's cloud: its routes, its devices and how they evolve over time."""

    vendor: ClassVar[str]
    scenario_schema: ClassVar[vol.Schema]
    default_scenario: ClassVar[Path]

    def __init__(self, ctx: SimContext, scenario: Scenario) -> None:
        self.ctx = ctx
        self.scenario = scenario

    @abstractmethod
    def add_routes(self, app: web.Application) -> None:
        """Register the cloud's endpoints (and push endpoints) on `app`."""

    def step(self, now: float) -> None:  # noqa: B027  (optional hook)
        """Advance devices to simulated time `now`; called periodically and after clock jumps."""

    async def async_start(self) -> None:  # noqa: B027  (optional hook)
        """Start what needs the event loop (push servers, brokers)."""

    async def async_stop(self) -> None:  # noqa: B027  (optional hook)
        """Stop what `async_start` started; close push connections."""

    def clear_faults(self) -> None:  # noqa: B027  (optional hook)
        """Clear the vendor's own faults (`DELETE /_sim/faults` clears every fault)."""

    def error_response(self, status: int, body: Any = None) -> web.Response:
        """The cloud's own error shape for an injected fault of `status`."""
        try:
            reason = HTTPStatus(status).phrase
        except ValueError:
            reason = "Error"
        return json_error(status, body if body is not None else {"message": reason})

    def state_json(self) -> dict[str, Any]:
        """The devices' current state, for the admin endpoint and tests."""
        return {}

    def demo_entries(self) -> list[dict[str, Any]]:
        """Config entries the demo creates against this simulator.

        Each is `{"domain": ..., "title": ..., "steps": [user_input, ...]}`: the answers to the
        integration's config-flow steps, in order (credentials from the scenario, URLs of this
        server).
        """
        return []

    def try_it_entries(self) -> list[dict[str, Any]]:
        """Config entries the demo leaves for its user to add by hand, shaped as `demo_entries`.

        The demo prints the first step's answers (the account and the URL fields of the form);
        scenarios mark these accounts with `demo_entry: false`.
        """
        return []

    def urls(self) -> dict[str, str]:
        """Named URLs a client needs (printed by the CLI, used by the demo)."""
        return {"base": self.ctx.base_url}
