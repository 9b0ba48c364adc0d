"""Every integration's strings, both ways: what the code uses is translated, what is translated
is used, every language has the same keys, and icons.json names real entities and services.

The code is read two ways: importing the platform modules finds entity descriptions and entity
classes, however they are built; the source text finds exception keys, config-flow errors,
aborts and steps, which are only ever string literals.
"""

from __future__ import annotations

from dataclasses import dataclass, field
import importlib
import inspect
import json
from pathlib import Path
import re
from typing import Any

from homeassistant.const import Platform
from homeassistant.helpers.entity import Entity, EntityDescription
import pytest
import yaml

from tests.helpers import flat_keys

COMPONENTS = Path(__file__).parents[1] / "custom_components"
DOMAINS = sorted(p.parent.name for p in COMPONENTS.glob("*/manifest.json"))

EXCEPTION_KEY = re.compile(r'translation_domain=DOMAIN,\s*translation_key="(\w+)"')
LITERAL_TRANSLATION_KEY = re.compile(r'translation_key\s*=\s*"(\w+)"')
PLACEHOLDER = re.compile(r"\{(\w+)\}")


@dataclass
class EntityKey:
    """An entity translation_key the code uses, and whether its device class gives it an icon."""

    platform: str
    key: str
    has_device_class: bool | None = None  # None: only seen as source text


@dataclass
class CodeUse:
    """What one integration's code asks of its translations."""

    entities: dict[tuple[str, str], EntityKey] = field(default_factory=dict)
    exceptions: set[str] = field(default_factory=set)
    errors: set[str] = field(default_factory=set)
    aborts: set[str] = field(default_factory=set)
    steps: set[str] = field(default_factory=set)
    step_methods: set[str] = field(default_factory=set)
    uses_title_placeholders: bool = False

    def add_entity(self, platform: str, key: str, *, device_class: Any = ...) -> None:
        known = self.entities.setdefault((platform, key), EntityKey(platform, key))
        if device_class is not ...:
            known.has_device_class = bool(known.has_device_class) or device_class is not None


def _descriptions(value: Any) -> list[EntityDescription]:
    """Entity descriptions in a module-level value (alone, or in tuples, lists, sets, dicts)."""
    if isinstance(value, EntityDescription):
        return [value]
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, (list, tuple, set, frozenset)):
        return [d for item in value for d in _descriptions(item)]
    return []


def _class_attr(cls: type[Entity], name: str) -> Any:
    """An entity class's `_attr_<name>` default; Home Assistant's metaclass keeps it in
    `__attr_<name>` behind a cached property."""
    for klass in cls.__mro__:
        if f"__attr_{name}" in vars(klass):
            return vars(klass)[f"__attr_{name}"]
    return None


def _platform_entities(domain: str, platform: str, use: CodeUse) -> None:
    module = importlib.import_module(f"custom_components.{domain}.{platform}")
    for value in vars(module).values():
        for description in _descriptions(value):
            if description.translation_key:
                use.add_entity(
                    platform, description.translation_key, device_class=description.device_class
                )
        is_own_entity = (
            inspect.isclass(value)
            and issubclass(value, Entity)
            and value.__module__ == module.__name__
        )
        if is_own_entity and isinstance(key := _class_attr(value, "translation_key"), str):
            use.add_entity(platform, key, device_class=_class_attr(value, "device_class"))
    # Descriptions built inside functions: literal keys that are not exception keys.
    source = Path(inspect.getfile(module)).read_text()
    exceptions = {m.start(1) for m in EXCEPTION_KEY.finditer(source)}
    for match in LITERAL_TRANSLATION_KEY.finditer(source):
        if match.start(1) not in exceptions:
            use.add_entity(platform, match[1])


def code_use(domain: str) -> CodeUse:
    folder = COMPONENTS / domain
    use = CodeUse()
    platforms = {p.value for p in Platform}
    for path in sorted(folder.glob("*.py")):
        if path.stem in platforms:
            _platform_entities(domain, path.stem, use)
        source = path.read_text()
        use.exceptions |= set(EXCEPTION_KEY.findall(source))
    flow = (folder / "config_flow.py").read_text()
    # errors on the form as a whole ("base") or on one field (CONF_HOST)
    use.errors = set(re.findall(r'\{\s*(?:"base"|CONF_\w+)\s*:\s*"(\w+)"\s*\}', flow))
    use.aborts = set(re.findall(r'reason="(\w+)"', flow))
    use.step_methods = set(re.findall(r"async def async_step_(\w+)\(", flow))
    use.steps = set(re.findall(r'step_id="(\w+)"', flow))
    if "_abort_if_unique_id_configured(" in flow or "_async_abort_entries_match(" in flow:
        use.aborts.add("already_configured")
    if "async_update_reload_and_abort(" in flow:  # its reason follows the flow's source
        use.aborts |= {
            f"{source}_successful"
            for source in ("reauth", "reconfigure")
            if source in use.step_methods
        }
    use.uses_title_placeholders = '"title_placeholders"' in flow
    return use


def strings(domain: str, language: str = "en") -> dict[str, Any]:
    path = COMPONENTS / domain / "translations" / f"{language}.json"
    loaded: dict[str, Any] = json.loads(path.read_text())
    return loaded


def icons(domain: str) -> dict[str, Any]:
    path = COMPONENTS / domain / "icons.json"
    loaded: dict[str, Any] = json.loads(path.read_text()) if path.exists() else {}
    return loaded


def services(domain: str) -> dict[str, Any]:
    path = COMPONENTS / domain / "services.yaml"
    loaded: dict[str, Any] = (yaml.safe_load(path.read_text()) or {}) if path.exists() else {}
    return loaded


def leaf(tree: dict[str, Any], dotted: str) -> Any:
    for part in dotted.split("."):
        tree = tree[part]
    return tree


@pytest.fixture(params=DOMAINS)
def domain(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def test_entity_keys_are_translated_and_every_translation_is_used(domain: str) -> None:
    used = {(e.platform, e.key) for e in code_use(domain).entities.values()}
    translated = {
        (platform, key)
        for platform, entities in strings(domain).get("entity", {}).items()
        for key in entities
    }
    assert sorted(used - translated) == [], "used in code, missing from en.json"
    assert sorted(translated - used) == [], "in en.json, used by no entity"


def test_exception_keys_are_translated_and_every_translation_is_used(domain: str) -> None:
    used = code_use(domain).exceptions
    translated = set(strings(domain).get("exceptions", {}))
    assert sorted(used - translated) == [], "raised in code, missing from en.json"
    assert sorted(translated - used) == [], "in en.json, raised nowhere"


def test_config_flow_strings_match_the_flow(domain: str) -> None:
    use = code_use(domain)
    config = strings(domain)["config"]
    for kind, used in (("error", use.errors), ("abort", use.aborts)):
        translated = set(config.get(kind, {}))
        assert sorted(used - translated) == [], f"config.{kind}: missing from en.json"
        assert sorted(translated - used) == [], f"config.{kind}: in en.json, used nowhere"
    translated_steps = set(config.get("step", {}))
    assert sorted(use.steps - translated_steps) == [], "forms without strings"
    assert sorted(translated_steps - use.step_methods) == [], "strings of steps that do not exist"
    assert ("flow_title" in config) == use.uses_title_placeholders


def test_services_agree_across_yaml_strings_and_icons(domain: str) -> None:
    described = services(domain)
    translated = strings(domain).get("services", {})
    assert set(translated) == set(described)
    assert set(icons(domain).get("services", {})) == set(described)
    for name, spec in described.items():
        fields = set((spec or {}).get("fields", {}))
        assert set(translated[name].get("fields", {})) == fields, name
    registered = set(
        re.findall(
            r'^SERVICE_\w+: Final = "(\w+)"', (COMPONENTS / domain / "const.py").read_text(), re.M
        )
    )
    assert registered == set(described)


def test_icons_name_real_entities_and_entities_without_a_device_class_have_one(
    domain: str,
) -> None:
    entity_icons = {
        (platform, key)
        for platform, entities in icons(domain).get("entity", {}).items()
        for key in entities
    }
    entities = code_use(domain).entities
    assert sorted(entity_icons - set(entities)) == [], "icons for entities that do not exist"
    # Home Assistant picks an icon from the device class; without one, icons.json must.
    need_an_icon = {k for k, e in entities.items() if e.has_device_class is False}
    assert sorted(need_an_icon - entity_icons) == [], "entities without an icon"


@pytest.mark.parametrize(
    ("domain", "language"),
    [
        (p.parents[1].name, p.stem)
        for p in sorted(COMPONENTS.glob("*/translations/*.json"))
        if p.stem != "en"
    ],
)
def test_every_language_has_the_same_keys_and_placeholders(domain: str, language: str) -> None:
    english, other = strings(domain), strings(domain, language)
    assert sorted(flat_keys(english) ^ flat_keys(other)) == []
    for key in flat_keys(english):
        en_text, other_text = str(leaf(english, key)), str(leaf(other, key))
        assert set(PLACEHOLDER.findall(en_text)) == set(PLACEHOLDER.findall(other_text)), key
