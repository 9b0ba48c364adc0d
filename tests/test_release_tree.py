"""The release tree builder: HACS-valid trees and zips, and the problems it catches."""

from __future__ import annotations

import json
from pathlib import Path
import struct
from typing import Any
import zipfile
import zlib

import pytest

from scripts import release_tree

ROOT = Path(__file__).parents[1]

MANIFEST: dict[str, Any] = {
    "domain": "demo_cloud",
    "name": "Demo Cloud",
    "codeowners": ["@founding-engineers"],
    "config_flow": True,
    "documentation": "https://example.com/docs",
    "integration_type": "hub",
    "iot_class": "cloud_push",
    "issue_tracker": "https://example.com/issues",
    "loggers": ["demo_cloud_api"],
    "requirements": ["gql[aiohttp,websockets]==4.0.0"],
    "version": "0.3.0",
}


def png(side: int) -> bytes:
    """A real (grey) PNG of side x side pixels."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    rows = b"".join(b"\x00" + b"\x80" * side for _ in range(side))
    ihdr = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    return (
        release_tree.PNG_MAGIC
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


@pytest.fixture
def source(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    integration = root / "custom_components" / "demo_cloud"
    (integration / "translations").mkdir(parents=True)
    (integration / "brand").mkdir()
    (integration / "__pycache__").mkdir()
    (integration / "__pycache__" / "x.pyc").write_bytes(b"")
    (integration / "__init__.py").write_text('"""Demo cloud."""\n')
    (integration / "manifest.json").write_text(json.dumps(MANIFEST))
    (integration / "translations" / "en.json").write_text("{}")
    (integration / "brand" / "icon.png").write_bytes(png(256))
    (integration / "brand" / "icon@2x.png").write_bytes(png(512))
    (root / "docs").mkdir()
    (root / "docs" / "demo_cloud.md").write_text("# Demo Cloud\n")
    (root / "README.md").write_text("# Bundle\n")
    (root / "LICENSE").write_text("MIT\n")
    return root


def test_builds_a_valid_hacs_tree_and_zip(source: Path, tmp_path: Path) -> None:
    out = tmp_path / "dist"
    assert (
        release_tree.main(["--source", str(source), "--out", str(out), "--version", "1.2.3"]) == 0
    )
    tree = out / "demo_cloud"
    assert release_tree.tree_problems(tree) == []
    assert sorted(p.name for p in tree.iterdir()) == [
        "LICENSE",
        "README.md",
        "custom_components",
        "hacs.json",
    ]
    assert (tree / "README.md").read_text() == "# Demo Cloud\n"
    hacs = json.loads((tree / "hacs.json").read_text())
    assert hacs == {
        "name": "Demo Cloud",
        "homeassistant": release_tree.MIN_HOME_ASSISTANT,
        "render_readme": True,
        "zip_release": True,
        "filename": "demo_cloud.zip",
    }
    manifest = json.loads((tree / "custom_components/demo_cloud/manifest.json").read_text())
    assert manifest["version"] == "1.2.3"
    with zipfile.ZipFile(out / "demo_cloud.zip") as archive:
        assert sorted(archive.namelist()) == [
            "__init__.py",
            "brand/icon.png",
            "brand/icon@2x.png",
            "manifest.json",
            "translations/en.json",
        ]
        assert json.loads(archive.read("manifest.json"))["version"] == "1.2.3"


def test_list_and_unknown_domain(source: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert release_tree.main(["--source", str(source), "--list"]) == 0
    assert json.loads(capsys.readouterr().out) == ["demo_cloud"]
    assert release_tree.main(["--source", str(source), "--domain", "nope"]) == 2


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"domain": "other"}, "manifest domain 'other' != folder 'demo_cloud'"),
        ({"version": "one"}, "manifest version 'one' is not X.Y.Z"),
        ({"codeowners": []}, "codeowners must list at least one @github-handle"),
        ({"documentation": "http://x"}, "documentation must be an https URL"),
        ({"config_flow": False}, "config_flow must be true"),
        ({"iot_class": "cloud_magic"}, "iot_class 'cloud_magic' is not a known class"),
        ({"integration_type": "gizmo"}, "integration_type 'gizmo' unknown"),
        ({"requirements": ["gql>=3"]}, "requirement 'gql>=3' is not pinned"),
        ({"loggers": "x"}, "loggers must be a list"),
    ],
)
def test_manifest_problems(change: dict[str, Any], problem: str) -> None:
    problems = release_tree.manifest_problems({**MANIFEST, **change}, "demo_cloud")
    assert any(problem in p for p in problems), problems


def test_manifest_keys_and_order() -> None:
    assert release_tree.manifest_problems(MANIFEST, "demo_cloud") == []
    without_version = {k: v for k, v in MANIFEST.items() if k != "version"}
    assert "manifest.json lacks 'version'" in release_tree.manifest_problems(
        without_version, "demo_cloud"
    )
    name_first = {"name": "Demo", **{k: v for k, v in MANIFEST.items() if k != "name"}}
    assert "manifest.json keys must be domain, name, then the rest alphabetically" in (
        release_tree.manifest_problems(name_first, "demo_cloud")
    )


def test_tree_problems(source: Path, tmp_path: Path) -> None:
    release = release_tree.build(source, "demo_cloud", tmp_path / "dist")
    tree = release.tree
    integration = tree / "custom_components" / "demo_cloud"
    (integration / "brand" / "icon.png").write_bytes(png(100))
    (integration / "translations" / "en.json").unlink()
    (integration / "__init__.py").unlink()
    (tree / "custom_components" / "second").mkdir()
    (tree / "LICENSE").unlink()
    (tree / "hacs.json").write_text(json.dumps({"zip_release": True, "domains": ["x"]}))
    (tree / "__pycache__").mkdir()
    problems = release_tree.tree_problems(tree)
    for expected in [
        "custom_components must hold exactly one integration, found 2",
        "no LICENSE at the root",
        "hacs.json has keys HACS rejects: domains",
        "hacs.json needs a name",
        "hacs.json zip_release needs a .zip filename",
        "demo_cloud: no __init__.py",
        "demo_cloud: no translations/en.json",
        "demo_cloud: brand/icon.png must be a 256x256 PNG",
        "second: no manifest.json",
        "the tree contains __pycache__ folders",
    ]:
        assert expected in problems
    (integration / "brand" / "icon.png").unlink()
    (integration / "manifest.json").write_text("{")
    problems = release_tree.tree_problems(tree)
    assert any("manifest.json is not JSON" in p for p in problems)
    assert release_tree.png_size(integration / "manifest.json") is None


def test_invalid_tree_fails_the_build(
    source: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (source / "custom_components/demo_cloud/brand/icon.png").unlink()
    (source / "docs/demo_cloud.md").unlink()
    assert release_tree.main(["--source", str(source), "--out", str(tmp_path / "dist")]) == 1
    assert "no brand/icon.png" in capsys.readouterr().out
    assert (
        tmp_path / "dist/demo_cloud/README.md"
    ).read_text() == "# Bundle\n"  # falls back to the root README
    zip_path = tmp_path / "dist/demo_cloud.zip"
    with zipfile.ZipFile(zip_path, "a") as archive:
        archive.writestr("extra.txt", "x")
    folder = tmp_path / "dist/demo_cloud/custom_components/demo_cloud"
    assert release_tree.zip_problems(zip_path, folder) == [
        "demo_cloud.zip: contents differ from the integration folder"
    ]


@pytest.mark.parametrize("domain", release_tree.domains(ROOT))
def test_every_integration_in_this_repository_releases_cleanly(domain: str, tmp_path: Path) -> None:
    release = release_tree.build(ROOT, domain, tmp_path)
    assert release_tree.tree_problems(release.tree) == []
    assert (
        release_tree.zip_problems(release.zip_path, release.tree / "custom_components" / domain)
        == []
    )
    # Its own user docs are the HACS repository's README, not the bundle's README.
    docs = ROOT / "docs" / f"{domain}.md"
    assert docs.is_file(), f"docs/{domain}.md is missing"
    assert (release.tree / "README.md").read_text() == docs.read_text()
    manifest = json.loads((ROOT / "custom_components" / domain / "manifest.json").read_text())
    hacs = json.loads((release.tree / "hacs.json").read_text())
    assert (hacs["name"], hacs["filename"]) == (manifest["name"], f"{domain}.zip")
    with zipfile.ZipFile(release.zip_path) as archive:
        assert {"manifest.json", "brand/icon.png", "brand/icon@2x.png"} <= set(archive.namelist())
