"""The demo's accounts: those it adds itself, and the try-it-yourself ones (`demo_entry: false`)."""

from __future__ import annotations

import aiohttp

from simulators.core import SimulatorServer
from simulators.harvia import HarviaSimulator
from simulators.homely import HomelySimulator
from simulators.testing import SimulatorAdmin
from tests.conftest import StartSimulator


async def test_a_simulator_without_try_it_accounts_offers_none(admin: SimulatorAdmin) -> None:
    assert await admin.try_it_entries() == []


async def test_harvia_demo_leaves_the_garden_sauna_account_to_its_user(
    start_simulator: StartSimulator, http: aiohttp.ClientSession
) -> None:
    server = await start_simulator(HarviaSimulator)
    admin = SimulatorAdmin(http, server.url)
    assert [e["title"] for e in await admin.demo_entries()] == ["demo@harvia.example"]
    assert await admin.try_it_entries() == [
        {
            "domain": "harvia",
            "title": "try@harvia.example",
            "steps": [
                {"email": "try@harvia.example", "password": "try-sauna-1",
                 "discovery_url": f"{server.url}/endpoints"}
            ],
        }
    ]  # fmt: skip
    assert isinstance(server.simulator, HarviaSimulator)
    cloud = server.simulator.cloud
    assert cloud.accounts["try@harvia.example"].device_ids == ["garden-sauna"]
    sauna = cloud.saunas["garden-sauna"]
    assert (sauna.device_type, sauna.display_name) == ("Xenio", "Garden sauna")
    assert [(c.cabin_id, c.name) for c in sauna.cabins] == [("C1", "Garden sauna")]
    assert "garden-sauna" not in cloud.accounts["demo@harvia.example"].device_ids


async def test_homely_demo_leaves_the_guest_cabin_to_its_user(
    start_simulator: StartSimulator, http: aiohttp.ClientSession
) -> None:
    server = await start_simulator(HomelySimulator)
    admin = SimulatorAdmin(http, server.url)
    assert [e["title"] for e in await admin.demo_entries()] == ["Solbakken 12"]
    (entry,) = await admin.try_it_entries()
    assert entry["domain"] == "homely"
    assert entry["title"] == "Hytta Fjellro"
    assert entry["steps"][0] == {
        "username": "try@homely.example", "password": "try-hjem-1", "base_url": server.url
    }  # fmt: skip
    assert [home["name"] for home in await _locations(http, server)] == ["Hytta Fjellro"]
    assert isinstance(server.simulator, HomelySimulator)
    home = server.simulator.cloud.home_by_ref("Hytta Fjellro")
    assert entry["steps"][1] == {"location_id": home.location_id}
    assert sorted(d.name for d in home.devices.values()) == [
        "Inngangsdør", "Røykvarsler", "Soverom vindu", "Stue"
    ]  # fmt: skip
    assert server.simulator.cloud.users["try@homely.example"].name == "Demo Guest"


async def _locations(http: aiohttp.ClientSession, server: SimulatorServer) -> list[dict[str, str]]:
    credentials = {"username": "try@homely.example", "password": "try-hjem-1"}
    async with http.post(f"{server.url}/homely/oauth/token", json=credentials) as response:
        token = (await response.json())["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    async with http.get(f"{server.url}/homely/locations", headers=headers) as response:
        locations: list[dict[str, str]] = await response.json()
    return locations
