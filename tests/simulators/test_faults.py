"""Fault rules: matching, probability, counted expiry."""

from __future__ import annotations

import random

import pytest
import voluptuous as vol

from simulators.core import FaultInjector, HttpFault, LatencyFault


def test_http_fault_for_the_next_n_matching_requests() -> None:
    faults = FaultInjector()
    faults.add_http(HttpFault(503, path="/devices*", method="GET", remaining=2))
    assert faults.take_http("POST", "/devices") is None
    assert faults.take_http("GET", "/login") is None
    assert faults.take_http("GET", "/devices/1") is not None
    assert faults.take_http("get", "/devices") is not None
    assert faults.take_http("GET", "/devices") is None
    assert faults.http == []


def test_http_fault_probability_is_seeded() -> None:
    faults = FaultInjector(random.Random(7))
    faults.add_http(HttpFault(500, probability=0.25))
    hits = sum(faults.take_http("GET", "/x") is not None for _ in range(4000))
    assert 800 < hits < 1200
    assert len(faults.http) == 1  # no count: stays until cleared
    faults.clear()
    assert faults.take_http("GET", "/x") is None


def test_latency_adds_up_and_expires() -> None:
    faults = FaultInjector()
    faults.add_latency(LatencyFault(0.2, path="/a"))
    faults.add_latency(LatencyFault(0.1, remaining=1))
    assert faults.take_latency("GET", "/a") == pytest.approx(0.3)
    assert faults.take_latency("GET", "/a") == pytest.approx(0.2)
    assert faults.take_latency("GET", "/b") == 0.0


def test_faults_from_admin_json() -> None:
    faults = FaultInjector()
    fault = faults.add_from_json(
        "http", {"status": 429, "count": 1, "headers": {"Retry-After": "5"}}
    )
    assert isinstance(fault, HttpFault)
    assert fault.remaining == 1
    assert fault.headers == {"Retry-After": "5"}
    latency = faults.add_from_json("latency", {"seconds": "0.5"})
    assert isinstance(latency, LatencyFault)
    assert latency.seconds == 0.5
    assert faults.as_json()["http"][0]["status"] == 429
    with pytest.raises(vol.Invalid):
        faults.add_from_json("http", {"status": 42})
    with pytest.raises(vol.Invalid):
        faults.add_from_json("http", {"status": 500, "probability": 2})
    with pytest.raises(vol.Invalid, match="unknown fault kind"):
        faults.add_from_json("gremlins", {})
