"""A password changed at the cloud: one sign-in with the old one, one reauth flow, then quiet."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.homely.api import push as push_module
from simulators.core import SimulatorServer
from simulators.homely import HomelySimulator
from tests.simulated_time import SimulatedTime

from .helpers import run_clients_on_loop_clock, state_of

SIGN_IN = "/homely/oauth/token"
USERNAME = "kari@homely.example"


async def test_a_rejected_password_is_tried_once_and_asks_for_reauth_once(
    hass: HomeAssistant,
    ready: MockConfigEntry,
    cloud: SimulatorServer,
    sim: HomelySimulator,
    simulated_time: SimulatedTime,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(push_module, "RETRY_MIN", 5.0)  # the real reconnect pacing
    time = simulated_time
    run_clients_on_loop_clock(hass, ready)
    old_password = sim.cloud.users[USERNAME].password

    # The password is changed in the app, which ends every session of the account.
    cloud.ctx.log.clear()
    sim.cloud.users[USERNAME].password = "changed-in-the-app"
    cloud.ctx.tokens.revoke_subject(USERNAME)
    await cloud.ctx.push.drop_all()
    await time.advance(3600, step=10)

    sign_ins = [e for e in cloud.ctx.log.entries() if e.path == SIGN_IN]
    assert len(sign_ins) == 1, sign_ins  # the old password, once
    assert sign_ins[0].status == 401
    flows = hass.config_entries.flow.async_progress()
    assert [f["context"]["source"] for f in flows] == ["reauth"]
    assert old_password != sim.cloud.users[USERNAME].password
    assert state_of(hass, "alarm_control_panel.solbakken_12") == "unavailable"
