"""Which vendor simulators exist. A vendor issue adds its line here."""

from __future__ import annotations

from importlib import import_module

from .core.simulator import CloudSimulator

# vendor name -> "module:Class"; imported lazily so one broken vendor cannot stop the others.
VENDORS: dict[str, str] = {
    "cayenne": "simulators.cayenne:CayenneSimulator",
    "harvia": "simulators.harvia:HarviaSimulator",
    "homely": "simulators.homely:HomelySimulator",
    "telenor_mic": "simulators.telenor_mic:TelenorMicSimulator",
}


def vendors() -> list[str]:
    return sorted(VENDORS)


def simulator_class(vendor: str) -> type[CloudSimulator]:
    try:
        target = VENDORS[vendor]
    except KeyError:
        known = ", ".join(vendors()) or "none yet"
        raise KeyError(f"no simulator for vendor {vendor!r} (known: {known})") from None
    module_name, _, class_name = target.partition(":")
    cls: type[CloudSimulator] = getattr(import_module(module_name), class_name)
    return cls
