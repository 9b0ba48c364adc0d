"""Copy common/ into every integration, or (--check) say which copy differs.

Home Assistant loads each integration folder alone and HACS ships each alone, so what every
integration needs lives once in common/ and byte-identical in each custom_components/<domain>/.
"""

from __future__ import annotations

import argparse
from pathlib import Path
import sys

ROOT = Path(__file__).resolve().parents[1]
COMMON = ROOT / "common"
INTEGRATIONS = ROOT / "custom_components"
# Where each common module goes inside an integration's folder.
TARGETS = {
    "pushpoll.py": "pushpoll.py",
    "api/backoff.py": "api/backoff.py",
    "api/logfilters.py": "api/logfilters.py",
    "api/retryafter.py": "api/retryafter.py",
}
# Modules only some integrations need: those that import a cloud's history into statistics.
SOME_TARGETS = {"longterm.py": ("longterm.py", ("harvia", "telenor_mic"))}


def domains() -> list[str]:
    return sorted(path.parent.name for path in INTEGRATIONS.glob("*/manifest.json"))


def copies() -> list[tuple[Path, Path]]:
    """(source, copy) for every common module in every integration that carries it."""
    every = [
        (COMMON / source, INTEGRATIONS / domain / target)
        for domain in domains()
        for source, target in TARGETS.items()
    ]
    some = [
        (COMMON / source, INTEGRATIONS / domain / target)
        for source, (target, carriers) in SOME_TARGETS.items()
        for domain in carriers
    ]
    return every + some


def differing() -> list[tuple[Path, Path]]:
    """The copies that are missing or differ from their source."""
    return [
        (source, copy)
        for source, copy in copies()
        if not copy.is_file() or copy.read_bytes() != source.read_bytes()
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="only report copies that differ")
    args = parser.parse_args()
    if args.check:
        stale = differing()
        for _, copy in stale:
            print(f"{copy.relative_to(ROOT)} differs from common/; run scripts/sync_common.py")
        return 1 if stale else 0
    for source, copy in differing():
        copy.parent.mkdir(parents=True, exist_ok=True)
        copy.write_bytes(source.read_bytes())
        print(f"wrote {copy.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
