"""Every translation key the code uses exists, in English and in Finnish."""

from __future__ import annotations

import json
from pathlib import Path
import re

from tests.helpers import flat_keys

INTEGRATION = Path(__file__).parents[2] / "custom_components" / "harvia"


def test_code_keys_exist_in_english() -> None:
    english = json.loads((INTEGRATION / "translations" / "en.json").read_text())
    code = "\n".join(p.read_text() for p in INTEGRATION.glob("*.py"))
    used = set(re.findall(r'translation_key="(\w+)"', code))
    assert used <= set(english["exceptions"]) | {
        key for platform in english["entity"].values() for key in platform
    }
    for key in re.findall(r'errors?\W+\{"base": "(\w+)"\}', code):
        assert key in english["config"]["error"]


def test_finnish_has_the_same_keys_and_placeholders() -> None:
    english = json.loads((INTEGRATION / "translations" / "en.json").read_text())
    finnish = json.loads((INTEGRATION / "translations" / "fi.json").read_text())
    assert flat_keys(english) == flat_keys(finnish)

    def placeholders(tree: object) -> set[str]:
        return set(re.findall(r"\{(\w+)\}", json.dumps(tree)))

    for section in english["exceptions"]:
        assert placeholders(english["exceptions"][section]) == placeholders(
            finnish["exceptions"][section]
        )


def test_icons_cover_the_translated_entities() -> None:
    english = json.loads((INTEGRATION / "translations" / "en.json").read_text())
    icons = json.loads((INTEGRATION / "icons.json").read_text())
    for platform, entities in english["entity"].items():
        assert set(entities) <= set(icons["entity"][platform]), platform
    assert set(english["services"]) == set(icons["services"])
