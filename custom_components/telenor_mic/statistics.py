"""Fill the long-term statistics of numeric sensors from MIC's observations, so that graphs
have no holes for the hours Home Assistant was not running."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
import logging

from homeassistant.components.recorder import get_instance
from homeassistant.components.recorder.models import (
    StatisticData,
    StatisticMeanType,
    StatisticMetaData,
)
from homeassistant.components.recorder.statistics import (
    async_import_statistics,
    get_last_statistics,
)
from homeassistant.components.sensor import SensorStateClass
from homeassistant.components.sensor.const import UNIT_CONVERTERS
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util

from .api import MicError, Observation, Resource
from .const import DOMAIN, STATISTICS_LOOKBACK, STATISTICS_THINGS_PER_QUERY
from .coordinator import MicCoordinator
from .entity import platform_of, read_number
from .sensor import description_of, unit_of

_LOGGER = logging.getLogger(__name__)
HOUR = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class _Target:
    """One sensor's statistic and the first hour it lacks."""

    resource: Resource
    statistic_id: str
    first: datetime


def hourly(points: Iterable[tuple[datetime, float]]) -> list[StatisticData]:
    """Mean, min and max per clock hour."""
    buckets: dict[datetime, list[float]] = defaultdict(list)
    for at, value in points:
        buckets[at.replace(minute=0, second=0, microsecond=0)].append(value)
    return [
        StatisticData(start=start, mean=sum(values) / len(values), min=min(values), max=max(values))
        for start, values in sorted(buckets.items())
    ]


async def _first_missing_hour(
    hass: HomeAssistant, statistic_id: str, earliest: datetime
) -> datetime:
    last = await get_instance(hass).async_add_executor_job(
        get_last_statistics, hass, 1, statistic_id, False, {"mean"}
    )
    rows = last.get(statistic_id)
    if not rows:
        return earliest
    return max(earliest, dt_util.utc_from_timestamp(rows[0]["start"]) + HOUR)


async def async_import_observations(hass: HomeAssistant, coordinator: MicCoordinator) -> None:
    """Import complete hours after each sensor's last stored hour, at most STATISTICS_LOOKBACK
    back, a few things per observations request."""
    end = dt_util.utcnow().replace(minute=0, second=0, microsecond=0)
    targets = await _targets(hass, coordinator, end - STATISTICS_LOOKBACK)
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
    hass: HomeAssistant, coordinator: MicCoordinator, earliest: datetime
) -> dict[str, list[_Target]]:
    """The numeric sensors of every thing, by thing name."""
    registry = er.async_get(hass)
    prefix = coordinator.devices.unique_id
    data = coordinator.data
    targets: dict[str, list[_Target]] = {}
    for name in list(data.things):
        thing_type = data.thing_type(name)
        for resource in thing_type.resources if thing_type else ():
            if platform_of(resource) is not Platform.SENSOR:
                continue
            if description_of(resource).state_class is not SensorStateClass.MEASUREMENT:
                continue  # text, or a total whose statistics are sums, not means
            unique_id = f"{prefix}:{name}:{resource.name}"
            if entity_id := registry.async_get_entity_id(Platform.SENSOR, DOMAIN, unique_id):
                first = await _first_missing_hour(hass, entity_id, earliest)
                targets.setdefault(name, []).append(_Target(resource, entity_id, first))
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
    device_class = description_of(target.resource).device_class
    converter = UNIT_CONVERTERS.get(device_class)
    metadata = StatisticMetaData(
        mean_type=StatisticMeanType.ARITHMETIC,
        has_sum=False,
        name=None,
        source="recorder",
        statistic_id=target.statistic_id,
        unit_class=converter.UNIT_CLASS if converter else None,
        unit_of_measurement=unit_of(target.resource),
    )
    async_import_statistics(hass, metadata, rows)
    _LOGGER.debug("Imported %s hours of %s from MIC's observations", len(rows), target.statistic_id)
