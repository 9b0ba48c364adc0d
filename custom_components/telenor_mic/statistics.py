"""Fill the long-term statistics of numeric sensors from MIC's observations, so that graphs
have no holes for the hours Home Assistant was not running."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
import logging

from homeassistant.components.recorder.statistics import async_import_statistics
from homeassistant.components.sensor import SensorStateClass
from homeassistant.components.sensor.const import UNIT_CONVERTERS
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util

from .api import MicError, Observation, Resource
from .const import (
    DOMAIN,
    STATISTICS_FIRST_IMPORT,
    STATISTICS_LOOKBACK,
    STATISTICS_THINGS_PER_QUERY,
)
from .coordinator import MicCoordinator
from .entity import platform_of, read_number
from .longterm import async_first_missing_hours, hourly, mean_metadata
from .sensor import description_of, unit_of

_LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class _Target:
    """One sensor's statistic and the first hour it lacks."""

    resource: Resource
    statistic_id: str
    first: datetime


async def async_import_observations(hass: HomeAssistant, coordinator: MicCoordinator) -> None:
    """Import complete hours after each sensor's last stored hour, at most STATISTICS_LOOKBACK
    back (STATISTICS_FIRST_IMPORT for a sensor without any), a few things per request."""
    end = dt_util.utcnow().replace(minute=0, second=0, microsecond=0)
    targets = await _targets(hass, coordinator, end)
    names = [name for name, wanted in targets.items() if any(t.first < end for t in wanted)]
    for index in range(0, len(names), STATISTICS_THINGS_PER_QUERY):
        chunk = names[index : index + STATISTICS_THINGS_PER_QUERY]
        start = min(target.first for name in chunk for target in targets[name])
        try:
            observations = await coordinator.client.async_find_observations(chunk, start, end)
        except MicError as err:
            _LOGGER.debug("No observations for %s: %s", ", ".join(chunk), err)
            continue
        by_thing: dict[str, list[Observation]] = defaultdict(list)
        for observation in observations:
            by_thing[observation.thing_name].append(observation)
        for name in chunk:
            for target in targets[name]:
                _import(hass, target, by_thing[name], end)


async def _targets(
    hass: HomeAssistant, coordinator: MicCoordinator, end: datetime
) -> dict[str, list[_Target]]:
    """The numeric sensors of every thing, by thing name, with the first hour each lacks."""
    registry = er.async_get(hass)
    prefix = coordinator.devices.unique_id
    data = coordinator.data
    found: list[tuple[str, Resource, str]] = []
    for name in list(data.things):
        thing_type = data.thing_type(name)
        for resource in thing_type.resources if thing_type else ():
            if platform_of(resource) is not Platform.SENSOR:
                continue
            if description_of(resource).state_class is not SensorStateClass.MEASUREMENT:
                continue  # text, or a total whose statistics are sums, not means
            unique_id = f"{prefix}:{name}:{resource.name}"
            if entity_id := registry.async_get_entity_id(Platform.SENSOR, DOMAIN, unique_id):
                found.append((name, resource, entity_id))
    firsts = await async_first_missing_hours(
        hass,
        (entity_id for _, _, entity_id in found),
        end - STATISTICS_LOOKBACK,
        first_import=end - STATISTICS_FIRST_IMPORT,
    )
    targets: dict[str, list[_Target]] = {}
    for name, resource, entity_id in found:
        targets.setdefault(name, []).append(_Target(resource, entity_id, firsts[entity_id]))
    return targets


def _import(
    hass: HomeAssistant, target: _Target, observations: list[Observation], end: datetime
) -> None:
    points = [
        (observation.timestamp, number)
        for observation in observations
        if target.resource.name in observation.values
        and (number := read_number(target.resource, observation.values[target.resource.name]))
        is not None
    ]
    rows = [row for row in hourly(points) if target.first <= row["start"] < end]
    if not rows:
        return
    converter = UNIT_CONVERTERS.get(description_of(target.resource).device_class)
    metadata = mean_metadata(
        target.statistic_id,
        unit_of(target.resource),
        converter.UNIT_CLASS if converter else None,
    )
    async_import_statistics(hass, metadata, rows)
    _LOGGER.debug("Imported %s hours of %s from MIC's observations", len(rows), target.statistic_id)
