"""After a long outage the data comes back promptly, and the outage was not hammered."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.homely.api import push as push_module
from simulators.core import HttpFault, SimulatorServer
from tests.simulated_time import SimulatedTime

from .helpers import run_clients_on_loop_clock, state_of

PANEL = "alarm_control_panel.solbakken_12"
HOME_POLL = "GET /homely/home/{location_id}"
OUTAGE = 30 * 60.0
RETRY_AFTER = 60


def rate_limited_everywhere() -> HttpFault:
    body = {
        "statusCode": 429,
        "message": "ThrottlerException: Too Many Requests",
        "retryAfter": RETRY_AFTER,
    }
    return HttpFault(429, path="/homely/*", body=body, headers={"Retry-After": str(RETRY_AFTER)})


async def test_data_flows_within_a_minute_of_the_retry_after_a_long_429_outage(
    hass: HomeAssistant,
    ready: MockConfigEntry,
    cloud: SimulatorServer,
    simulated_time: SimulatedTime,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The real reconnect pacing of the socket: this test counts every request of the outage.
    monkeypatch.setattr(push_module, "RETRY_MIN", 5.0)
    time = simulated_time
    run_clients_on_loop_clock(hass, ready)
    assert state_of(hass, PANEL) == "disarmed"

    # Every request is refused with a 429 and the live feed is down, for half an hour.
    outage_began = time.now
    cloud.ctx.faults.add_http(rate_limited_everywhere())
    cloud.ctx.push.refuse_for(OUTAGE)
    await cloud.ctx.push.drop_all()
    await time.advance(OUTAGE)
    assert state_of(hass, PANEL) == "unavailable"
    asked = cloud.ctx.log.entries(since=outage_began)
    assert len(asked) <= 2 * OUTAGE / 60, cloud.ctx.log.counters()

    # The cloud answers again: data within a minute of the retry-after.
    cloud.ctx.faults.clear()
    recovered = time.now
    await time.advance(RETRY_AFTER + 60)
    polls = [
        e
        for e in cloud.ctx.log.entries(since=recovered)
        if e.endpoint == HOME_POLL and e.status == 200
    ]
    assert polls, cloud.ctx.log.entries(since=recovered)
    assert polls[0].at - recovered <= RETRY_AFTER + 60
    assert state_of(hass, PANEL) == "disarmed"
