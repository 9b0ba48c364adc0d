"""Build, per integration, the tree HACS installs from and the zip for manual install.

HACS manages one integration per repository, so each integration is released as its own tree:

    <out>/<domain>/custom_components/<domain>/...   the integration, brand icons included
    <out>/<domain>/hacs.json                        name, minimum HA, zip release
    <out>/<domain>/README.md                        from docs/<domain>.md
    <out>/<domain>/LICENSE
    <out>/<domain>.zip                              the integration folder's contents at the root

Usage: release_tree.py [--domain D ...] [--version X.Y.Z] [--out dist] [--source .]
Every produced tree is validated; problems are printed and the exit status is 1.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
import json
from pathlib import Path
import re
import shutil
import struct
import sys
from typing import Any
import zipfile

MIN_HOME_ASSISTANT = "2026.2.0"
HACS_KEYS = {
    "name", "content_in_root", "zip_release", "filename", "hide_default_branch", "country",
    "homeassistant", "hacs", "persistent_directory", "render_readme",
}  # fmt: skip
MANIFEST_REQUIRED = (
    "domain", "name", "codeowners", "config_flow", "documentation", "integration_type",
    "iot_class", "issue_tracker", "loggers", "requirements", "version",
)  # fmt: skip
IOT_CLASSES = {
    "assumed_state", "calculated", "cloud_polling", "cloud_push", "local_polling", "local_push",
}  # fmt: skip
INTEGRATION_TYPES = {
    "device",
    "entity",
    "hardware",
    "helper",
    "hub",
    "service",
    "system",
    "virtual",
}
SEMVER = re.compile(r"^\d+\.\d+\.\d+([.-]?(a|b|rc|dev)\d+)?$")
PINNED = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*(\[[A-Za-z0-9,._-]+\])?==[^=\s]+$")
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
BRAND_SIZES = {"icon.png": 256, "icon@2x.png": 512, "dark_icon.png": 256, "dark_icon@2x.png": 512}
SKIP = shutil.ignore_patterns("__pycache__", "*.pyc", ".DS_Store")


@dataclass(frozen=True, slots=True)
class Release:
    domain: str
    tree: Path
    zip_path: Path


def png_size(path: Path) -> tuple[int, int] | None:
    """Width and height of a PNG file, or None when it is not one."""
    header = path.read_bytes()[:24]
    if len(header) < 24 or not header.startswith(PNG_MAGIC) or header[12:16] != b"IHDR":
        return None
    width, height = struct.unpack(">II", header[16:24])
    return width, height


def manifest_problems(manifest: dict[str, Any], folder: str) -> list[str]:
    """What hassfest and HACS would reject in a custom integration's manifest."""
    problems = [f"manifest.json lacks {key!r}" for key in MANIFEST_REQUIRED if key not in manifest]
    keys = list(manifest)
    if keys[:2] != ["domain", "name"] or keys[2:] != sorted(keys[2:]):
        problems.append("manifest.json keys must be domain, name, then the rest alphabetically")
    if manifest.get("domain") != folder:
        problems.append(f"manifest domain {manifest.get('domain')!r} != folder {folder!r}")
    if not SEMVER.match(str(manifest.get("version", ""))):
        problems.append(f"manifest version {manifest.get('version')!r} is not X.Y.Z")
    problems.extend(
        f"manifest {key} must be an https URL"
        for key in ("documentation", "issue_tracker")
        if not str(manifest.get(key, "")).startswith("https://")
    )
    owners = manifest.get("codeowners")
    if not owners or not all(str(o).startswith("@") for o in owners):
        problems.append("manifest codeowners must list at least one @github-handle")
    if manifest.get("config_flow") is not True:
        problems.append("manifest config_flow must be true (set up from the UI)")
    if manifest.get("iot_class") not in IOT_CLASSES:
        problems.append(f"manifest iot_class {manifest.get('iot_class')!r} is not a known class")
    if manifest.get("integration_type") not in INTEGRATION_TYPES:
        problems.append(f"manifest integration_type {manifest.get('integration_type')!r} unknown")
    problems += [
        f"requirement {req!r} is not pinned with =="
        for req in manifest.get("requirements", [])
        if not PINNED.match(req)
    ]
    if not isinstance(manifest.get("loggers"), list):
        problems.append("manifest loggers must be a list of logger names")
    return problems


def integration_problems(folder: Path) -> list[str]:
    """Problems with one integration folder (custom_components/<domain>)."""
    manifest_path = folder / "manifest.json"
    if not manifest_path.is_file():
        return [f"{folder.name}: no manifest.json"]
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        return [f"{folder.name}: manifest.json is not JSON ({err})"]
    problems = manifest_problems(manifest, folder.name)
    if not (folder / "__init__.py").is_file():
        problems.append("no __init__.py")
    if not (folder / "translations" / "en.json").is_file():
        problems.append("no translations/en.json")
    if not (folder / "brand" / "icon.png").is_file():
        problems.append("no brand/icon.png (HACS requires brand assets)")
    for name, side in BRAND_SIZES.items():
        image = folder / "brand" / name
        if image.is_file() and png_size(image) != (side, side):
            problems.append(f"brand/{name} must be a {side}x{side} PNG")
    return [f"{folder.name}: {p}" for p in problems]


def tree_problems(tree: Path) -> list[str]:
    """Problems with a HACS repository tree."""
    problems = []
    folders = [p for p in (tree / "custom_components").glob("*") if p.is_dir()]
    if len(folders) != 1:
        problems.append(
            f"custom_components must hold exactly one integration, found {len(folders)}"
        )
    problems.extend(
        f"no {name} at the root"
        for name in ("README.md", "LICENSE", "hacs.json")
        if not (tree / name).is_file()
    )
    if (tree / "hacs.json").is_file():
        hacs = json.loads((tree / "hacs.json").read_text(encoding="utf-8"))
        if extra := sorted(set(hacs) - HACS_KEYS):
            problems.append(f"hacs.json has keys HACS rejects: {', '.join(extra)}")
        if not hacs.get("name"):
            problems.append("hacs.json needs a name")
        if hacs.get("zip_release") and not str(hacs.get("filename", "")).endswith(".zip"):
            problems.append("hacs.json zip_release needs a .zip filename")
    for folder in folders:
        problems += integration_problems(folder)
    if list(tree.rglob("__pycache__")):
        problems.append("the tree contains __pycache__ folders")
    return problems


def zip_problems(zip_path: Path, folder: Path) -> list[str]:
    """The zip must hold exactly the integration folder's files, at its root."""
    with zipfile.ZipFile(zip_path) as archive:
        names = {n for n in archive.namelist() if not n.endswith("/")}
    expected = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    if names != expected:
        return [f"{zip_path.name}: contents differ from the integration folder"]
    return []


def build(source: Path, domain: str, out: Path, version: str | None = None) -> Release:
    """Build the HACS tree and zip of one integration."""
    integration = source / "custom_components" / domain
    manifest = json.loads((integration / "manifest.json").read_text(encoding="utf-8"))
    tree = out / domain
    shutil.rmtree(tree, ignore_errors=True)
    target = tree / "custom_components" / domain
    shutil.copytree(integration, target, ignore=SKIP)
    if version is not None:
        manifest["version"] = version
        (target / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    readme = source / "docs" / f"{domain}.md"
    shutil.copyfile(readme if readme.is_file() else source / "README.md", tree / "README.md")
    shutil.copyfile(source / "LICENSE", tree / "LICENSE")
    hacs = {
        "name": manifest["name"],
        "homeassistant": MIN_HOME_ASSISTANT,
        "render_readme": True,
        "zip_release": True,
        "filename": f"{domain}.zip",
    }
    (tree / "hacs.json").write_text(json.dumps(hacs, indent=2) + "\n")
    zip_path = out / f"{domain}.zip"
    with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(target.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(target).as_posix())
    return Release(domain, tree, zip_path)


def domains(source: Path) -> list[str]:
    return sorted(p.parent.name for p in (source / "custom_components").glob("*/manifest.json"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--source", type=Path, default=Path(__file__).resolve().parents[1])
    parser.add_argument("--out", type=Path, default=Path("dist"))
    parser.add_argument("--domain", action="append", help="default: every integration")
    parser.add_argument("--version", help="release version written into the manifest")
    parser.add_argument("--list", action="store_true", help="print the domains as JSON and exit")
    args = parser.parse_args(argv)
    available = domains(args.source)
    if args.list:
        print(json.dumps(available))
        return 0
    wanted = args.domain or available
    if unknown := sorted(set(wanted) - set(available)):
        print(f"no integration named {', '.join(unknown)} (have: {', '.join(available)})")
        return 2
    failed = False
    for domain in wanted:
        release = build(args.source, domain, args.out, args.version)
        problems = tree_problems(release.tree) + zip_problems(
            release.zip_path, release.tree / "custom_components" / domain
        )
        for problem in problems:
            print(f"{domain}: {problem}")
        failed |= bool(problems)
        print(f"{domain}: {'INVALID' if problems else 'ok'} {release.tree} {release.zip_path}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
