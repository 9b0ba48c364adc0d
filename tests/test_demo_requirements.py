"""requirements/ install what Home Assistant 2026.2.3 would for the demo, pinned as it pins them."""

from __future__ import annotations

from pathlib import Path
import shutil

import pytest

from scripts import demo_requirements


@pytest.fixture
def requirements_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The script working on a copy of requirements/."""
    copy = tmp_path / "requirements"
    shutil.copytree(demo_requirements.REQUIREMENTS, copy)
    monkeypatch.setattr(demo_requirements, "REQUIREMENTS", copy)
    monkeypatch.setattr(demo_requirements, "DEMO_TXT", copy / "demo.txt")
    monkeypatch.setattr(demo_requirements, "CONSTRAINTS_TXT", copy / "constraints.txt")
    return copy


def test_requirements_install_what_home_assistant_would_for_the_demo() -> None:
    assert demo_requirements.problems() == []


def test_the_closure_holds_what_the_ui_failed_on_and_default_config() -> None:
    needed = {n.name: n for n in demo_requirements.needed_requirements(built_in=True)}
    assert needed["hassil"].domains == ("conversation",)
    assert needed["pyturbojpeg"].domains == ("camera", "stream")
    assert needed["mutagen"].domains == ("tts",)
    assert "home-assistant-frontend" in needed
    closure = demo_requirements.integration_closure(demo_requirements.setup_roots())
    assert {"default_config", "go2rtc", "assist_pipeline", "harvia", "homely"} <= set(closure)


def test_our_integrations_requirements_are_checked_too() -> None:
    ours = {n.name: n.domains for n in demo_requirements.needed_requirements(built_in=False)}
    assert ours == {
        "aiomqtt": ("cayenne", "telenor_mic"),
        "gql": ("harvia",),
        "paho-mqtt": ("cayenne", "telenor_mic"),
        "python-socketio": ("homely",),
        "websockets": ("harvia",),
    }


def test_a_missing_or_different_pin_is_reported_and_write_fixes_it(
    requirements_copy: Path,
) -> None:
    constraints = requirements_copy / "constraints.txt"
    lines = constraints.read_text().splitlines()
    lines = [
        "bleak==3.1.0" if line.startswith("bleak==") else line
        for line in lines
        if not line.startswith("hassil==")
    ]
    constraints.write_text("\n".join(lines) + "\n")
    (requirements_copy / "demo.txt").write_text("home-assistant-frontend==20260128.6\n")

    found = demo_requirements.problems()
    assert "requirements/demo.txt is stale: run demo_requirements.py --write" in found
    assert "constraints.txt pins bleak==3.1.0; bluetooth need bleak==2.1.1" in found
    assert "constraints.txt pins nothing; conversation need hassil==3.5.0" in found
    assert "requirements/ lack hassil==3.5.0 (conversation)" in found
    assert "constraints.txt pins bleak==3.1.0; Home Assistant constrains bleak==2.1.1" in found

    demo_requirements.write()
    assert demo_requirements.problems() == []
    rewritten = constraints.read_text().splitlines()
    assert rewritten.index("bleak==2.1.1") == lines.index("bleak==3.1.0")  # pinned in place
    assert rewritten[-1] == "hassil==3.5.0"  # new ones last, until pip freeze sorts them in


def test_our_pins_are_checked_against_home_assistants_constraints(
    requirements_copy: Path,
) -> None:
    constraints = requirements_copy / "constraints.txt"
    text = constraints.read_text()
    constraints.write_text(text.replace("aiomqtt==2.5.1", "aiomqtt==2.4.0"))
    assert demo_requirements.problems() == [
        "constraints.txt pins aiomqtt==2.4.0; cayenne, telenor_mic need aiomqtt==2.5.1",
        "constraints.txt pins aiomqtt==2.4.0; Home Assistant constrains aiomqtt>=2.5.0",
    ]


def test_an_integration_requirement_home_assistant_would_refuse_is_reported(
    requirements_copy: Path,
) -> None:
    """Home Assistant installs our manifests' requirements under its own constraints: gql 4
    against its gql<4.0.0 would fail the integration's setup for every user."""
    for name in ("runtime.txt", "constraints.txt"):
        path = requirements_copy / name
        path.write_text(path.read_text().replace("gql==3.5.3", "gql==4.0.0"))
    found = demo_requirements.problems()
    assert "constraints.txt pins gql==4.0.0; Home Assistant constrains gql<4.0.0" in found
