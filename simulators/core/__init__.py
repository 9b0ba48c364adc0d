"""The framework every vendor simulator builds on."""

from .clock import SimClock
from .faults import FaultInjector, HttpFault, LatencyFault, MalformedFault, MalformedItems
from .http import InvalidBodyError, admin_body, json_body, json_error, json_http_error
from .push import PushConnection, PushHub
from .request_log import LoggedRequest, RequestLog
from .scenario import Scenario, ScenarioError, load_scenario, parse_scenario
from .server import ADMIN_PREFIX, SimulatorServer
from .simulator import CloudSimulator, SimContext
from .tokens import IssuedToken, TokenCheck, TokenStatus, TokenStore

__all__ = [
    "ADMIN_PREFIX",
    "CloudSimulator",
    "FaultInjector",
    "HttpFault",
    "InvalidBodyError",
    "IssuedToken",
    "LatencyFault",
    "LoggedRequest",
    "MalformedFault",
    "MalformedItems",
    "PushConnection",
    "PushHub",
    "RequestLog",
    "Scenario",
    "ScenarioError",
    "SimClock",
    "SimContext",
    "SimulatorServer",
    "TokenCheck",
    "TokenStatus",
    "TokenStore",
    "admin_body",
    "json_body",
    "json_error",
    "json_http_error",
    "load_scenario",
    "parse_scenario",
]
