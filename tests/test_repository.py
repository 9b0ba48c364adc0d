"""The repository keeps its promises: README status, HACS metadata, CI wiring."""

from __future__ import annotations

import json
from pathlib import Path
import re

import yaml

from scripts import release_tree

ROOT = Path(__file__).parents[1]
DOMAINS = ("harvia", "homely", "cayenne", "telenor_mic")


def test_readme_status_table_matches_the_integrations_present() -> None:
    readme = (ROOT / "README.md").read_text()
    rows = dict(re.findall(r"^\|[^|]+\| `(\w+)` \|[^|]+\| (\w+) \|$", readme, re.MULTILINE))
    assert set(rows) == set(DOMAINS)
    for domain, status in rows.items():
        present = (ROOT / "custom_components" / domain / "manifest.json").is_file()
        assert (status != "planned") == present, f"README says {domain} is {status}"


def test_readme_names_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "scripts/demo " in readme
    assert "scripts/test " in readme
    for script in ("demo", "test", "setup", "lint", "bench"):
        assert (ROOT / "scripts" / script).stat().st_mode & 0o111, (
            f"scripts/{script} not executable"
        )
    assert "scripts/test" in (ROOT / ".ci/run").read_text()


def test_root_hacs_json_uses_only_keys_hacs_accepts() -> None:
    hacs = json.loads((ROOT / "hacs.json").read_text())
    assert set(hacs) <= release_tree.HACS_KEYS
    assert hacs["name"]


def test_workflows_run_the_project_scripts() -> None:
    workflows = {
        p.stem: yaml.safe_load(p.read_text()) for p in (ROOT / ".github/workflows").glob("*.yml")
    }
    assert set(workflows) == {"tests", "validate", "release"}
    steps = [
        step.get("run", "")
        for workflow in workflows.values()
        for job in workflow["jobs"].values()
        for step in job["steps"]
    ]
    text = "\n".join(steps)
    for command in ("scripts/test", "scripts/lint", "scripts/release_tree.py --list", "--version"):
        assert command in text
    versions = {
        step["with"]["python-version"]
        for job in workflows["tests"]["jobs"].values()
        for step in job["steps"]
        if "setup-python" in step.get("uses", "")
    }
    assert versions == {"3.13"}
