"""The Telenor MIC simulator's front door: manifests, the API key, login, refresh, token expiry
and revocation, API Gateway's and the Cloud API's error shapes, and the demo's accounts."""

from __future__ import annotations

import aiohttp
import jwt

from simulators import registry
from simulators.core import SimulatorServer, load_scenario
from simulators.telenor_mic import SCENARIOS, TelenorMicSimulator
from simulators.telenor_mic.scenario import SCENARIO_SCHEMA
from simulators.testing import SimulatorAdmin

from .conftest import (
    DEMO_HOST,
    LAB_HOST,
    OWNER,
    OWNER_PASSWORD,
    VIEWER,
    VIEWER_PASSWORD,
    Api,
    call,
)

DEMO_KEY = "Dm0xK2vQ8rT4wY6uI1oP3aS5dF7gH9jL0zX2cV4b"


def test_registered_and_scenarios_load() -> None:
    assert registry.simulator_class("telenor_mic") is TelenorMicSimulator
    for name in ("demo", "scale"):
        scenario = load_scenario(SCENARIOS / f"{name}.yaml", SCENARIO_SCHEMA, "telenor_mic")
        assert scenario.name == name


async def test_demo_and_try_it_entries(mic: SimulatorServer, http: aiohttp.ClientSession) -> None:
    admin = SimulatorAdmin(http, mic.url)
    urls = {"manifest_url": f"{mic.url}/prod/manifest/", "aws_endpoint": mic.url}
    assert await admin.demo_entries() == [
        {
            "domain": "telenor_mic",
            "title": f"{OWNER} @ {DEMO_HOST}",
            "steps": [{"host": DEMO_HOST, "username": OWNER, "password": OWNER_PASSWORD, **urls}],
        },
        {
            "domain": "telenor_mic",
            "title": f"lab-admin @ {LAB_HOST}",
            "steps": [
                {"host": LAB_HOST, "username": "lab-admin", "password": "lab-root-2026", **urls}
            ],
        },
    ]
    assert await admin.try_it_entries() == [
        {
            "domain": "telenor_mic",
            "title": f"{VIEWER} @ {DEMO_HOST}",
            "steps": [{"host": DEMO_HOST, "username": VIEWER, "password": VIEWER_PASSWORD, **urls}],
        }
    ]
    health = await admin.health()
    assert health["urls"]["mqtt"] == mic.url.replace("http://", "ws://") + "/mqtt"


async def test_manifest_at_both_paths_and_unknown_hosts(
    mic: SimulatorServer, http: aiohttp.ClientSession
) -> None:
    for path in ("/prod/manifest/", "/Prod/manifest/", "/prod/manifest", "/Prod/manifest"):
        status, body = await call(
            http, "GET", mic.url + path, params={"hostname": "APPBOARD.demo.mic.example"}
        )
        assert status == 200, path
        assert body == {
            "ApiGatewayRootUrl": mic.url,
            "StackName": "prod",
            "Region": "eu-west-1",
            "IdentityPool": "eu-west-1:4c1d7e2a-9b3f-4e6a-8d5c-1f2e3a4b5c6d",
            "UserPool": "eu-west-1_DemoPool1",
            "IotEndpoint": "a3demo7mic2sim.iot.eu-west-1.amazonaws.com",
            "IotEndpointATS": "a3demo7mic2sim-ats.iot.eu-west-1.amazonaws.com",
        }
    status, body = await call(
        http, "GET", mic.url + "/prod/manifest/", params={"hostname": "nowhere.example"}
    )
    assert (status, body) == (404, {"message": "Manifest not found for hostname nowhere.example"})
    status, body = await call(http, "GET", mic.url + "/prod/manifest/")
    assert status == 404


async def test_stack_manifests_in_both_shapes_and_swagger(
    mic: SimulatorServer, http: aiohttp.ClientSession
) -> None:
    status, body = await call(http, "GET", mic.url + "/prod/metadata/manifest")
    assert status == 200
    assert body == {
        "ApiKey": DEMO_KEY,
        "IotEndpointATS": "a3demo7mic2sim-ats.iot.eu-west-1.amazonaws.com",
        "Region": "eu-west-1",
        "UserPool": "eu-west-1_DemoPool1",
    }
    status, body = await call(http, "GET", mic.url + "/dev/metadata/manifest")
    assert status == 200
    assert body["UserPoolId"] == "eu-west-1_LabPool22"
    assert "UserPool" not in body
    status, body = await call(http, "GET", mic.url + "/prod/metadata/swagger")
    assert status == 200
    assert body["swagger"] == "2.0"
    assert body["basePath"] == "/prod"
    assert {"/auth/login", "/graphql", "/things/find", "/observations/find"} <= set(body["paths"])


async def test_api_key_is_required(mic: SimulatorServer, http: aiohttp.ClientSession) -> None:
    login = {"userName": OWNER, "password": OWNER_PASSWORD}
    for headers in (
        {},
        {"x-api-key": "wrong"},
        {"x-api-key": "Lb9yH3nR7tE1qW5xC2vB8mK4jG6fD0sA1zQ3wE5r"},
    ):
        status, body = await call(
            http, "POST", mic.url + "/prod/auth/login", json=login, headers=headers
        )
        assert (status, body) == (403, {"message": "Forbidden"}), headers
    status, body = await call(
        http, "POST", mic.url + "/prod/graphql", json={"query": "{ allThings { total } }"}
    )
    assert (status, body) == (403, {"message": "Forbidden"})


async def test_login_answers_user_credentials_and_an_id_token(owner: Api) -> None:
    login = owner.login
    assert login["user"] == {
        "userName": OWNER,
        "domainPath": "/demo/",
        "domainName": "demo",
        "roleName": "ReadWrite",
        "firstName": "Dana",
        "lastName": "Owner",
        "email": "demo-owner@mic.example",
        "data": {},
    }
    assert set(login["credentials"]) == {"identityId", "token", "refreshToken"}
    assert owner.identity_id.startswith("eu-west-1:")
    assert login["permissions"]["THING"] == {"demo": ["READ", "CREATE", "UPDATE", "DELETE"]}
    claims = jwt.decode(owner.token, options={"verify_signature": False})
    assert claims["cognito:username"] == OWNER
    assert claims["iss"] == "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_DemoPool1"
    assert claims["exp"] - claims["iat"] == 3600
    assert claims["token_use"] == "id"


async def test_wrong_password_and_unreadable_bodies(
    mic: SimulatorServer, http: aiohttp.ClientSession
) -> None:
    headers = {"x-api-key": DEMO_KEY}
    for body in (
        {"userName": OWNER, "password": "nope"},
        {"userName": "ghost", "password": "x"},
        {},
    ):
        status, answer = await call(
            http, "POST", mic.url + "/prod/auth/login", json=body, headers=headers
        )
        assert status == 400
        assert answer == {
            "message": {
                "name": "LocalizableError",
                "message": "Incorrect username or password.",
                "messageKey": "INVALID_CREDENTIALS",
            }
        }
    # another stack's user does not exist here
    status, _ = await call(
        http,
        "POST",
        mic.url + "/prod/auth/login",
        json={"userName": "lab-admin", "password": "lab-root-2026"},
        headers=headers,
    )
    assert status == 400
    status, answer = await call(
        http, "POST", mic.url + "/prod/auth/login", data="{not json", headers=headers
    )
    assert (status, answer) == (400, {"message": "Invalid request body"})


async def test_refresh_keeps_the_refresh_token(owner: Api) -> None:
    refresh = owner.login["credentials"]["refreshToken"]
    status, body = await call(
        owner.http,
        "POST",
        owner.base + "/auth/refresh",
        json={"refreshToken": refresh},
        headers={"x-api-key": owner.api_key},
    )
    assert status == 200
    assert set(body["credentials"]) == {"identityId", "token"}
    assert body["credentials"]["identityId"] == owner.identity_id
    assert body["credentials"]["token"] != owner.token
    status, body = await call(
        owner.http,
        "POST",
        owner.base + "/auth/refresh",
        json={"refreshToken": "made-up"},
        headers={"x-api-key": owner.api_key},
    )
    assert status == 400
    assert body["message"]["messageKey"] == "INVALID_REFRESH_TOKEN"


async def test_id_token_expires_after_an_hour_of_simulated_time(
    mic: SimulatorServer, owner: Api
) -> None:
    query = {"query": "{ allThings { total } }"}
    assert (await owner.call("POST", "/graphql", query))[0] == 200
    mic.ctx.clock.advance(3599)
    assert (await owner.call("POST", "/graphql", query))[0] == 200
    mic.ctx.clock.advance(2)
    status, body = await owner.call("POST", "/graphql", query)
    assert (status, body) == (401, {"message": "The incoming token has expired"})
    # the refresh token outlives it, and brings a working id token
    status, body = await call(
        owner.http,
        "POST",
        owner.base + "/auth/refresh",
        json={"refreshToken": owner.login["credentials"]["refreshToken"]},
        headers={"x-api-key": owner.api_key},
    )
    assert status == 200
    owner.login["credentials"]["token"] = body["credentials"]["token"]
    assert (await owner.call("POST", "/graphql", query))[0] == 200


async def test_revoked_and_foreign_tokens(
    mic: SimulatorServer, http: aiohttp.ClientSession, owner: Api, lab: Api
) -> None:
    query = {"query": "{ allThings { total } }"}
    # another stack's token, a Bearer prefix, and no token at all
    status, body = await call(
        http, "POST", owner.base + "/graphql", json=query,
        headers={"x-api-key": owner.api_key, "Authorization": lab.token},
    )  # fmt: skip
    assert (status, body) == (401, {"message": "Unauthorized"})
    status, body = await call(
        http, "POST", owner.base + "/graphql", json=query,
        headers={"x-api-key": owner.api_key, "Authorization": f"Bearer {owner.token}"},
    )  # fmt: skip
    assert (status, body) == (401, {"message": "Unauthorized"})
    status, body = await call(
        http, "POST", owner.base + "/graphql", json=query, headers={"x-api-key": owner.api_key}
    )
    assert (status, body) == (403, {"message": "Forbidden"})
    # an identityId that is not the token's
    status, _ = await call(
        http, "POST", owner.base + "/graphql", json=query,
        headers={**owner.headers, "identityId": lab.identity_id},
    )  # fmt: skip
    assert status == 403
    assert await SimulatorAdmin(http, mic.url).revoke_tokens(OWNER) >= 2
    status, body = await owner.call("POST", "/graphql", query)
    assert (status, body) == (401, {"message": "The incoming token has expired"})
    status, body = await call(
        http,
        "POST",
        owner.base + "/auth/refresh",
        json={"refreshToken": owner.login["credentials"]["refreshToken"]},
        headers={"x-api-key": owner.api_key},
    )
    assert status == 400
    assert body["message"]["message"] == "Refresh Token has been revoked"


async def test_unknown_paths_and_injected_faults(
    mic: SimulatorServer, http: aiohttp.ClientSession, owner: Api
) -> None:
    for method, path in (("GET", "/nothing"), ("GET", "/graphql"), ("PATCH", "/thingtypes")):
        status, body = await owner.call(method, path)
        assert (status, body) == (403, {"message": "Missing Authentication Token"}), path
    admin = SimulatorAdmin(http, mic.url)
    await admin.http_fault(500, path="/prod/graphql", count=1)
    await admin.http_fault(429, path="/prod/thingtypes", count=1)
    status, body = await owner.call("POST", "/graphql", {"query": "{ allThings { total } }"})
    assert (status, body) == (500, {"message": "Internal server error"})
    async with http.get(owner.base + "/thingtypes", headers=owner.headers) as response:
        assert response.status == 429
        assert response.headers["Retry-After"] == "30"
        assert await response.json() == {"message": "Too Many Requests"}
    assert (await owner.call("GET", "/thingtypes"))[0] == 200
    log = await admin.requests()
    assert log["by_endpoint"]["POST /prod/graphql"] == 1
    assert log["by_endpoint"]["GET /prod/thingtypes"] == 2
