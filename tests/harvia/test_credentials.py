"""A password changed at the cloud: one sign-in with the old one, one reauth, then data again."""

from __future__ import annotations

from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.const import CONF_PASSWORD
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType

from simulators.core import SimulatorServer
from simulators.harvia import HarviaSimulator
from tests.simulated_time import SimulatedTime

from .conftest import SetUp
from .helpers import eventually, push_ready, state_of

SIGN_IN = "POST /rest/generics/auth/token"


async def test_a_rejected_password_is_not_tried_again_until_reauth(
    hass: HomeAssistant,
    setup_integration: SetUp,
    sim: HarviaSimulator,
    cloud: SimulatorServer,
    simulated_time: SimulatedTime,
) -> None:
    entry = await setup_integration()
    await push_ready(hass, entry, sim, "xenio-1")
    sign_ins = cloud.ctx.log.count(SIGN_IN)

    sim.cloud.change_password("xenio@harvia.example", "changed-in-the-app")
    await simulated_time.advance(60 * 60)  # push reconnects, watchdog polls, token expiry

    assert cloud.ctx.log.count(SIGN_IN) - sign_ins <= 1  # the old password, once
    flows = hass.config_entries.flow.async_progress_by_handler("harvia")
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]

    result = await hass.config_entries.flow.async_configure(
        flows[0]["flow_id"], {CONF_PASSWORD: "changed-in-the-app"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    await push_ready(hass, entry, sim, "xenio-1")
    sauna = sim.cloud.saunas["xenio-1"]
    sim.cloud.command(sauna, sauna.cabin("C1"), "SAUNA", "on")
    await eventually(hass, lambda: state_of(hass, "climate.cabin_sauna") == "heat")
    assert not hass.config_entries.flow.async_progress()
