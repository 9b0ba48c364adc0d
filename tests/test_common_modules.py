"""What every integration carries from common/ is the same in each (scripts/sync_common.py)."""

from __future__ import annotations

from scripts import sync_common


def test_every_integration_carries_each_common_module_unchanged() -> None:
    assert sync_common.domains() == ["cayenne", "harvia", "homely", "telenor_mic"]
    assert len(sync_common.copies()) == len(sync_common.TARGETS) * 4
    assert sync_common.differing() == []
