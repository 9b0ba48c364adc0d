"""The existing Cayenne client (custom_components/cayenne/api) against the simulator: the proof
that the two agree on endpoints and shapes."""

from __future__ import annotations

import aiohttp
import pytest

from custom_components.cayenne.api import (
    AuthFlow,
    CayenneAuthError,
    CayenneClient,
    DataType,
    Unit,
)
from simulators.cayenne import CayenneSimulator
from simulators.core import SimClock, SimulatorServer

from .conftest import APP_KEY, APP_SECRET, EMAIL, LISTED, PASSWORD, PI


@pytest.mark.parametrize("flow", [AuthFlow.OPENID, AuthFlow.LEGACY])
async def test_client_signs_in_reads_and_commands(
    cayenne: SimulatorServer, sim: CayenneSimulator, flow: AuthFlow
) -> None:
    async with aiohttp.ClientSession() as session:
        client = CayenneClient(
            session,
            EMAIL,
            PASSWORD,
            APP_KEY,
            APP_SECRET,
            auth_flow=flow,
            auth_url=cayenne.url,
            api_url=cayenne.url,
        )
        await client.async_login()
        assert client.account_id == "5a0b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d"
        things = await client.async_get_things()
        assert [t.thing_id for t in things] == LISTED
        pi = await client.async_get_thing(PI)
        assert {c: (ch.data_type, ch.unit) for c, ch in pi.channels.items()} == {
            "1": (DataType.TEMPERATURE, Unit.CELSIUS),
            "2": (DataType.HUMIDITY, Unit.PERCENT),
            "3": (DataType.LUMINOSITY, Unit.LUX),
            "4": (DataType.RELAY, Unit.DIGITAL),
            "5": (DataType.LIGHT_DIMMER, Unit.PERCENT),
        }
        temperature = await client.async_get_latest(PI, pi.channels["1"].child_id)
        assert temperature is not None
        assert temperature.timestamp is not None
        assert temperature.value is not None
        assert 18.5 <= temperature.value <= 24.5
        relay = pi.channels["4"]
        before = await client.async_get_latest(PI, relay.child_id)
        assert before is not None
        assert before.value == 0
        await client.async_send_command(PI, "4", 1)
        after = await client.async_get_latest(PI, relay.child_id)
        assert after is not None
        assert after.value == 1
        history = await client.async_get_history(PI, pi.channels["1"].child_id, summary="minute")
        assert len(history) > 10
        credentials = await client.async_get_mqtt_credentials()
        assert credentials.username
        assert credentials.password
        rules = await client.async_get_rules()
        assert [(r.title, r.enabled) for r in rules] == [
            ("Fan on when warm", True),
            ("Battery low", False),
        ]
        await client.async_set_rule_enabled(rules[1].rule_id, True)
        assert sim.state_json()[EMAIL]["rules"][rules[1].rule_id] is True


async def test_client_renews_an_expired_token_and_survives_revocation(
    cayenne: SimulatorServer, clock: SimClock
) -> None:
    now = [0.0]
    async with aiohttp.ClientSession() as session:
        client = CayenneClient(
            session,
            EMAIL,
            PASSWORD,
            APP_KEY,
            APP_SECRET,
            auth_url=cayenne.url,
            api_url=cayenne.url,
            clock=lambda: now[0],
        )
        await client.async_get_things()
        clock.advance(400)  # the access token (300 s) expired, the refresh token (1800 s) not
        now[0] += 400
        await client.async_get_things()
        assert (client.sign_ins, client.refreshes) == (1, 1)
        cayenne.ctx.tokens.revoke_subject(EMAIL)  # the cloud ended the session
        await client.async_get_things()  # 401, refresh refused, signs in again
        assert client.sign_ins == 2


async def test_client_reports_rejected_credentials(cayenne: SimulatorServer) -> None:
    async with aiohttp.ClientSession() as session:
        for password, secret in (("wrong", APP_SECRET), (PASSWORD, "wrong")):
            client = CayenneClient(
                session,
                EMAIL,
                password,
                APP_KEY,
                secret,
                auth_url=cayenne.url,
                api_url=cayenne.url,
            )
            with pytest.raises(CayenneAuthError):
                await client.async_login()
            assert client.credentials_rejected
