"""requirements/demo.txt: the packages Home Assistant would install for the demo's integrations.

The demo runs `hass --skip-pip`, so whatever a set-up integration imports must already be in
.venv. This computes what Home Assistant's own requirement handling would install (manifests'
`requirements` through `dependencies`, `after_dependencies` and the discovery integrations, as
homeassistant/requirements.py walks them) from the installed Home Assistant. It starts at what a
real installation sets up: the core and default integrations, default_config, the demo's
configuration.yaml and ours. It also checks our pins against Home Assistant's constraints.

    .venv/bin/python scripts/demo_requirements.py          # check; exit 1 listing each problem
    .venv/bin/python scripts/demo_requirements.py --write  # rewrite demo.txt and the pins

After --write, run scripts/setup and refresh the transitive pins with pip freeze.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
import json
from pathlib import Path
import re
import runpy
import sys

from homeassistant import bootstrap, requirements as ha_requirements
from homeassistant.const import __version__ as ha_version
from packaging.requirements import Requirement
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
REQUIREMENTS = ROOT / "requirements"
DEMO_TXT = REQUIREMENTS / "demo.txt"
CONSTRAINTS_TXT = REQUIREMENTS / "constraints.txt"
CUSTOM = ROOT / "custom_components"
BUILT_IN = Path(bootstrap.__file__).parent / "components"
HA_CONSTRAINTS = Path(bootstrap.__file__).parent / ha_requirements.CONSTRAINT_FILE


@dataclass(frozen=True, slots=True)
class Needed:
    """A pinned requirement and the integrations that declare it."""

    requirement: Requirement
    domains: tuple[str, ...]

    @property
    def name(self) -> NormalizedName:
        return canonicalize_name(self.requirement.name)

    @property
    def pin(self) -> Version | None:
        return pinned_version(self.requirement)


def pinned_version(requirement: Requirement) -> Version | None:
    specs = list(requirement.specifier)
    if len(specs) == 1 and specs[0].operator == "==":
        return Version(specs[0].version)
    return None


def manifest(domain: str) -> dict[str, object] | None:
    """A custom integration's manifest, else the built-in one (custom ones override by domain)."""
    for components in (CUSTOM, BUILT_IN):
        path = components / domain / "manifest.json"
        if path.is_file():
            loaded: dict[str, object] = json.loads(path.read_text())
            return loaded
    return None


def _names(value: object) -> list[str]:
    return [str(item) for item in value] if isinstance(value, list) else []


def demo_domains() -> set[str]:
    """The top-level keys of the configuration.yaml that scripts/demo.py writes."""
    configuration: str = runpy.run_path(str(ROOT / "scripts" / "demo.py"))["CONFIGURATION"]
    return set(re.findall(r"^([a-z_]+):", configuration, re.MULTILINE))


def setup_roots() -> set[str]:
    """The integrations a real installation like the demo sets up directly."""
    return (
        {"default_config"}  # what users have, even where the demo leaves some of it out
        | set(bootstrap.CORE_INTEGRATIONS)
        | set(bootstrap.DEFAULT_INTEGRATIONS)
        | demo_domains()
        | {path.parent.name for path in CUSTOM.glob("*/manifest.json")}
    )


def integration_closure(roots: set[str]) -> dict[str, dict[str, object]]:
    """Every integration whose requirements Home Assistant processes for `roots`, by domain."""
    found: dict[str, dict[str, object]] = {}
    pending = sorted(roots)
    while pending:
        domain = pending.pop()
        if domain in found or (loaded := manifest(domain)) is None:
            continue
        found[domain] = loaded
        pending += _names(loaded.get("dependencies")) + _names(loaded.get("after_dependencies"))
        pending += [
            discovery
            for discovery, keys in ha_requirements.DISCOVERY_INTEGRATIONS.items()
            if any(key in loaded for key in keys)
        ]
    return found


def needed_requirements(*, built_in: bool) -> list[Needed]:
    """The requirements of the built-in (or of our) integrations in the closure, by package."""
    by_name: dict[NormalizedName, tuple[Requirement, list[str]]] = {}
    for domain, loaded in sorted(integration_closure(setup_roots()).items()):
        if (CUSTOM / domain / "manifest.json").is_file() is built_in:
            continue
        for text in _names(loaded.get("requirements")):
            requirement = Requirement(text)
            _, domains = by_name.setdefault(canonicalize_name(requirement.name), (requirement, []))
            domains.append(domain)
    return [Needed(req, tuple(domains)) for _, (req, domains) in sorted(by_name.items())]


def render_demo_txt(needed: list[Needed]) -> str:
    lines = [
        f"# Generated by scripts/demo_requirements.py from Home Assistant {ha_version}.",
        "# What Home Assistant would install for the integrations the demo sets up (it runs",
        "# hass --skip-pip), pinned as HA pins them; after each pin, the integrations needing it.",
    ]
    lines += [f"{n.requirement}  # {', '.join(n.domains)}" for n in needed]
    return "\n".join(lines) + "\n"


def read_requirements(path: Path) -> dict[NormalizedName, Requirement]:
    """The requirement lines of a requirements file (comments, blanks and options skipped)."""
    found: dict[NormalizedName, Requirement] = {}
    for raw in path.read_text().splitlines():
        line = raw.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            requirement = Requirement(line)
            found[canonicalize_name(requirement.name)] = requirement
    return found


def problems() -> list[str]:
    """Every way requirements/ falls short of what Home Assistant would install."""
    found: list[str] = []
    built_in = needed_requirements(built_in=True)
    if DEMO_TXT.read_text() != render_demo_txt(built_in):
        found.append(f"requirements/demo.txt is stale: run {Path(__file__).name} --write")
    listed: dict[NormalizedName, Requirement] = {}
    for path in sorted(REQUIREMENTS.glob("*.txt")):
        if path != CONSTRAINTS_TXT:
            listed |= read_requirements(path)
    constraints = read_requirements(CONSTRAINTS_TXT)
    for item in built_in + needed_requirements(built_in=False):
        where = ", ".join(item.domains)
        if item.name not in listed or listed[item.name].specifier != item.requirement.specifier:
            found.append(f"requirements/ lack {item.requirement} ({where})")
        pinned = constraints.get(item.name)
        if pinned is None or pinned_version(pinned) != item.pin:
            found.append(
                f"constraints.txt pins {pinned or 'nothing'}; {where} need {item.requirement}"
            )
    for name, theirs in read_requirements(HA_CONSTRAINTS).items():
        ours = constraints.get(name)
        version = pinned_version(ours) if ours is not None else None
        if version is None:
            continue
        if not theirs.specifier.contains(version, prereleases=True):
            found.append(f"constraints.txt pins {ours}; Home Assistant constrains {theirs}")
    return found


def write() -> None:
    """Rewrite demo.txt; pin its packages, and those Home Assistant pins, in constraints.txt."""
    built_in = needed_requirements(built_in=True)
    DEMO_TXT.write_text(render_demo_txt(built_in))
    current = read_requirements(CONSTRAINTS_TXT)
    wanted = {item.name: item.requirement for item in built_in}
    wanted |= {
        name: theirs
        for name, theirs in read_requirements(HA_CONSTRAINTS).items()
        if name in current and pinned_version(theirs)
    }
    lines = [_repinned(line, wanted) for line in CONSTRAINTS_TXT.read_text().splitlines()]
    # New packages go last, until pip freeze sorts them in.
    lines += sorted((_pin_line(r) for r in wanted.values()), key=str.lower)
    CONSTRAINTS_TXT.write_text("\n".join(lines) + "\n")


def _repinned(line: str, wanted: dict[NormalizedName, Requirement]) -> str:
    """`line` of constraints.txt, re-pinned if `wanted` (which forgets it) pins it differently."""
    if not line.strip() or line.startswith("#"):
        return line
    ours = Requirement(line)
    theirs = wanted.pop(canonicalize_name(ours.name), None)
    if theirs is None or pinned_version(theirs) == pinned_version(ours):
        return line
    return _pin_line(theirs)


def _pin_line(requirement: Requirement) -> str:
    return f"{requirement.name}=={pinned_version(requirement)}"


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--write", action="store_true", help="rewrite demo.txt and the pins")
    if parser.parse_args().write:
        write()
    if found := problems():
        print("\n".join(found))
        return 1
    print(f"requirements/ install what Home Assistant {ha_version} would for the demo")
    return 0


if __name__ == "__main__":
    sys.exit(main())
