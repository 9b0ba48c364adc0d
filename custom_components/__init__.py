"""Home Assistant custom integrations of this repository (importable in tests)."""
