"""What every integration carries from common/ is the same in each (scripts/sync_common.py)."""

from __future__ import annotations

from scripts import sync_common


def test_every_integration_carries_each_common_module_unchanged() -> None:
    assert sync_common.domains() == ["cayenne", "harvia", "homely", "telenor_mic"]
    some = sum(len(carriers) for _, carriers in sync_common.SOME_TARGETS.values())
    assert len(sync_common.copies()) == len(sync_common.TARGETS) * 4 + some
    assert sync_common.differing() == []
