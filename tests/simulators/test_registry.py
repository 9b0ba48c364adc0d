"""The vendor registry resolves simulators lazily by name."""

from __future__ import annotations

import pytest

from simulators import registry

from .sample_cloud import SampleCloud


def test_resolves_a_registered_vendor(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(registry.VENDORS, "sample", "tests.simulators.sample_cloud:SampleCloud")
    assert "sample" in registry.vendors()
    assert registry.simulator_class("sample") is SampleCloud


def test_unknown_vendor_names_the_known_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry, "VENDORS", {})
    with pytest.raises(KeyError, match=r"known: none yet"):
        registry.simulator_class("acme")
