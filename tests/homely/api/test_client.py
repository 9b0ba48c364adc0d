"""HomelyClient against the simulator: tokens, data, and every kind of failure."""

from __future__ import annotations

import aiohttp
from aiohttp import web
import pytest

from custom_components.homely.api import (
    HomelyAccessError,
    HomelyAuthError,
    HomelyClient,
    HomelyConnectionError,
    HomelyRateLimitError,
    HomelyRequestError,
    HomelyResponseError,
    RateLimitGate,
)
from custom_components.homely.api.client import (
    ASSUMED_REFRESH_LIFETIME,
    RATE_LIMIT_MIN_BACKOFF,
    RATE_LIMIT_RECOVERY_MARGIN,
)
from simulators.core import HttpFault, SimClock

from .conftest import CABIN, HOME, MakeClient


async def test_locations_and_home(make_client: MakeClient) -> None:
    server, client = await make_client()
    locations = await client.async_get_locations()
    assert [(loc.location_id, loc.name) for loc in locations] == [(HOME, "Solbakken 12")]
    home = await client.async_get_home(HOME)
    assert (home.name, home.alarm_state, len(home.devices)) == ("Solbakken 12", "DISARMED", 16)
    han = home.devices["1d6d0206-bfcc-4c8b-83f1-c23d7270fe9f"]
    assert han.value("metering", "summationdelivered") == 769670
    assert han.state("metering", "demand").last_updated is not None  # type: ignore[union-attr]
    assert client.logins == 1
    assert server.ctx.log.count("POST /homely/oauth/token") == 1  # one sign-in for both calls


async def test_refreshes_before_expiry_and_signs_in_again_when_refresh_expired(
    make_client: MakeClient, clock: SimClock
) -> None:
    server, client = await make_client()
    await client.async_get_locations()
    clock.advance(55)  # within the last 10 % of the 60 s lifetime: refresh before using it
    await client.async_get_locations()
    assert (client.logins, client.refreshes) == (1, 1)
    assert server.ctx.log.count("GET /homely/locations") == 2  # no request was rejected
    clock.advance(1900)  # the refresh token has expired too
    await client.async_get_locations()
    assert (client.logins, client.refreshes) == (2, 1)


async def test_rejected_refresh_token_signs_in_again(
    make_client: MakeClient, clock: SimClock
) -> None:
    server, client = await make_client()
    await client.async_get_locations()
    server.ctx.tokens.revoke_subject()
    clock.advance(58)
    await client.async_get_locations()
    assert client.logins == 2
    assert server.ctx.log.count("POST /homely/oauth/refresh-token") == 1


async def test_a_revoked_access_token_is_renewed_once(make_client: MakeClient) -> None:
    server, client = await make_client()
    await client.async_get_locations()
    server.ctx.tokens.revoke_subject()
    await client.async_get_locations()
    assert client.logins == 2


async def test_wrong_password_is_an_auth_error(make_client: MakeClient) -> None:
    _server, client = await make_client(password="wrong")
    with pytest.raises(HomelyAuthError, match="Invalid user credentials"):
        await client.async_get_locations()


async def test_a_malformed_sign_in_is_not_a_verdict_on_the_credentials(
    make_client: MakeClient,
) -> None:
    _server, client = await make_client(password=None)
    with pytest.raises(HomelyRequestError, match="password must be a string") as caught:
        await client.async_login()
    assert not isinstance(caught.value, HomelyAuthError)


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        (["username must be an email", "password should not be empty"], HomelyRequestError),
        ("Bad Request", HomelyRequestError),
        ("Invalid user credentials", HomelyAuthError),  # a 400 that does judge the password
    ],
)
async def test_400_at_sign_in_by_its_message(
    make_client: MakeClient, message: str | list[str], expected: type[Exception]
) -> None:
    server, client = await make_client()
    body = {"statusCode": 400, "message": message}
    server.ctx.faults.add_http(HttpFault(400, path="/homely/oauth/token", remaining=1, body=body))
    with pytest.raises(expected):
        await client.async_login()


@pytest.mark.parametrize("scenario", ["typical_home.yaml", "live_shapes.yaml"])
async def test_renewals_use_the_refresh_token_with_or_without_its_lifetime(
    make_client: MakeClient, clock: SimClock, scenario: str
) -> None:
    server, client = await make_client(scenario)
    await client.async_get_locations()
    for _ in range(20):  # 20 minutes of one-minute access tokens
        clock.advance(58)
        await client.async_get_locations()
    assert server.ctx.log.count("POST /homely/oauth/token") == 1
    assert server.ctx.log.count("POST /homely/oauth/refresh-token") == 20
    assert (client.logins, client.refreshes) == (1, 20)


async def test_an_assumed_refresh_lifetime_that_is_too_long_ends_in_a_sign_in(
    make_client: MakeClient, clock: SimClock
) -> None:
    server, client = await make_client("live_shapes.yaml")
    await client.async_get_locations()
    assert client._refresh is not None
    assert client._refresh.lifetime == ASSUMED_REFRESH_LIFETIME
    server.ctx.tokens.revoke_subject()  # as if it had expired early
    clock.advance(58)
    await client.async_get_locations()
    assert server.ctx.log.count("POST /homely/oauth/refresh-token") == 1
    assert client.logins == 2


async def test_another_users_home_is_an_access_error(make_client: MakeClient) -> None:
    _server, client = await make_client()
    with pytest.raises(HomelyAccessError, match="has no access"):
        await client.async_get_home(CABIN)


async def test_server_errors_and_unreadable_answers(make_client: MakeClient) -> None:
    server, client = await make_client()
    server.ctx.faults.add_http(HttpFault(503, path="/homely/locations", remaining=1))
    with pytest.raises(HomelyConnectionError, match="HTTP 503"):
        await client.async_get_locations()
    server.ctx.faults.add_http(HttpFault(200, path="/homely/locations", remaining=1, body={"x": 1}))
    with pytest.raises(HomelyResponseError, match="not a list"):
        await client.async_get_locations()
    server.ctx.faults.add_http(HttpFault(200, path="/homely/home/*", remaining=1, body=[]))
    with pytest.raises(HomelyResponseError, match="home is not an object"):
        await client.async_get_home(HOME)
    server.ctx.faults.add_http(HttpFault(404, path="/homely/home/*", remaining=1))
    with pytest.raises(HomelyConnectionError, match="HTTP 404"):
        await client.async_get_home(HOME)
    server.ctx.faults.add_http(HttpFault(201, path="/homely/oauth/token", remaining=1, body={}))
    fresh = HomelyClient(client._session, "kari@homely.example", "hjemme-2026", base_url=server.url)
    with pytest.raises(HomelyResponseError, match="token"):
        await fresh.async_login()
    server.ctx.faults.add_http(HttpFault(502, path="/homely/oauth/token", remaining=1))
    with pytest.raises(HomelyConnectionError):
        await fresh.async_login()


async def test_unreachable_cloud(http: aiohttp.ClientSession) -> None:
    client = HomelyClient(http, "a", "b", base_url="http://127.0.0.1:9")
    with pytest.raises(HomelyConnectionError, match="cannot reach"):
        await client.async_login()


async def test_non_json_answers_are_reported(make_client: MakeClient) -> None:
    server, client = await make_client()
    server.ctx.faults.add_http(HttpFault(500, path="/homely/locations", remaining=1, body="x"))
    with pytest.raises(HomelyConnectionError, match="HTTP 500"):
        await client.async_get_locations()


async def test_429_holds_every_request_back(make_client: MakeClient, clock: SimClock) -> None:
    server, client = await make_client()
    await client.async_get_locations()
    server.ctx.faults.add_http(
        HttpFault(
            429, path="/homely/locations", remaining=1, body={"statusCode": 429, "retryAfter": 45}
        )
    )
    with pytest.raises(HomelyRateLimitError) as caught:
        await client.async_get_locations()
    assert caught.value.retry_after == 90  # twice what the cloud announced
    before = server.ctx.log.total
    with pytest.raises(HomelyRateLimitError):
        await client.async_get_home(HOME)
    assert server.ctx.log.total == before  # held back without asking the cloud
    clock.advance(91)
    await client.async_get_home(HOME)
    assert client.gate.strikes == 0


def test_gate_backs_off_on_429s_in_a_row_but_never_a_minute_past_the_retry_after() -> None:
    now = [0.0]
    gate = RateLimitGate(lambda: now[0])
    assert gate.hit(None) == 60
    assert gate.hit(5) == 120  # doubled, and a minute past the minimum wait
    for _ in range(5000):  # a day and a half of 429s in a row
        gate.hit(None)
    assert gate.remaining() == RATE_LIMIT_MIN_BACKOFF + RATE_LIMIT_RECOVERY_MARGIN
    with pytest.raises(HomelyRateLimitError):
        gate.check()
    now[0] += RATE_LIMIT_MIN_BACKOFF + RATE_LIMIT_RECOVERY_MARGIN
    gate.check()
    # A long retry-after is honoured in full, and backoff adds at most the margin to it.
    assert gate.hit(600) == 600 + RATE_LIMIT_RECOVERY_MARGIN
    gate.passed()
    assert gate.hit(90) == 90 + RATE_LIMIT_RECOVERY_MARGIN


async def test_retry_after_header_is_read(make_client: MakeClient) -> None:
    server, client = await make_client()
    server.ctx.faults.add_http(
        HttpFault(
            429,
            path="/homely/oauth/token",
            remaining=1,
            body="busy",
            headers={"Retry-After": "100"},
        )
    )
    with pytest.raises(HomelyRateLimitError) as caught:
        await client.async_login()
    assert caught.value.retry_after == 100 + RATE_LIMIT_RECOVERY_MARGIN


async def test_proxy_error_pages_and_odd_retry_after(http: aiohttp.ClientSession) -> None:
    async def bad_gateway(_: web.Request) -> web.Response:
        return web.Response(status=502, text="<html>Bad gateway</html>", content_type="text/html")

    async def busy(_: web.Request) -> web.Response:
        return web.json_response({"retryAfter": "soon"}, status=429, headers={"Retry-After": "x"})

    app = web.Application()
    app.router.add_post("/homely/oauth/token", bad_gateway)
    app.router.add_get("/homely/locations", busy)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        url = f"http://127.0.0.1:{runner.addresses[0][1]}"
        client = HomelyClient(http, "a", "b", base_url=url)
        with pytest.raises(HomelyConnectionError, match="HTTP 502"):
            await client.async_login()
        with pytest.raises(HomelyRateLimitError) as caught:
            await client._call("GET", "/homely/locations")
        assert caught.value.retry_after == 60  # unreadable hints: the minimum backoff
    finally:
        await runner.cleanup()
