"""Scenario files: YAML and JSON, and clear reports of what is wrong."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from simulators.core import ScenarioError, load_scenario, parse_scenario

from .sample_cloud import SCHEMA, SampleCloud


def test_bundled_yaml_scenario_loads() -> None:
    scenario = load_scenario(SampleCloud.default_scenario, SCHEMA, "sample")
    assert scenario.name == "sample home"
    assert scenario.vendor == "sample"
    assert scenario.data["accounts"][0]["devices"][1] == {
        "id": "dev-2",
        "temperature": 20.0,
        "target": 20.0,
    }


def test_json_scenario_and_name_from_file(tmp_path: Path) -> None:
    path = tmp_path / "tiny.json"
    path.write_text(json.dumps({"accounts": [{"username": "u", "password": "p"}]}))
    scenario = load_scenario(path, SCHEMA, "sample")
    assert scenario.name == "tiny"
    assert scenario.data["token_lifetime"] == 3600
    assert parse_scenario({"accounts": []}, SCHEMA, "sample").name == "sample"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("vendor: harvia\naccounts: []\n", "written for vendor 'harvia', not 'sample'"),
        ("- a list\n", "the top level must be a mapping"),
        ("accounts: [\n", "not valid YAML"),
        (
            "accounts:\n  - username: u\n    devices: [{temperature: warm}]\n",
            "accounts[0].password: required key not provided",
        ),
        (
            "accounts:\n  - {username: u, password: p, devices: [{temperature: warm}]}\n",
            "accounts[0].devices[0].id: required key not provided",
        ),
        ("accounts: []\ncolour: blue\n", "colour: extra keys not allowed"),
        ("accounts: 3\n", "accounts"),
    ],
)
def test_invalid_scenarios_say_where(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(content)
    with pytest.raises(ScenarioError, match=r"bad\.yaml") as err:
        load_scenario(path, SCHEMA, "sample")
    assert message in str(err.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="cannot read scenario"):
        load_scenario(tmp_path / "nope.yaml", SCHEMA, "sample")
