"""Long-term statistics from a cloud's history: hourly means, and the first hour Home Assistant
lacks, so that an import after a restart asks for nothing it has.

One source for the integrations that import history (common/ in the repository;
scripts/sync_common.py copies it).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta

from homeassistant.components.recorder import get_instance
from homeassistant.components.recorder.models import (
    StatisticData,
    StatisticMeanType,
    StatisticMetaData,
)
from homeassistant.components.recorder.statistics import get_last_statistics
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util

HOUR = timedelta(hours=1)


def hourly(points: Iterable[tuple[datetime, float]]) -> list[StatisticData]:
    """Mean, min and max per clock hour."""
    buckets: dict[datetime, list[float]] = defaultdict(list)
    for at, value in points:
        buckets[at.replace(minute=0, second=0, microsecond=0)].append(value)
    return [
        StatisticData(start=start, mean=sum(values) / len(values), min=min(values), max=max(values))
        for start, values in sorted(buckets.items())
    ]


def mean_metadata(statistic_id: str, unit: str | None, unit_class: str | None) -> StatisticMetaData:
    """The metadata of a measurement's statistics, as the recorder itself writes them."""
    return StatisticMetaData(
        mean_type=StatisticMeanType.ARITHMETIC,
        has_sum=False,
        name=None,
        source="recorder",
        statistic_id=statistic_id,
        unit_class=unit_class,
        unit_of_measurement=unit,
    )


async def async_first_missing_hours(
    hass: HomeAssistant,
    statistic_ids: Iterable[str],
    earliest: datetime,
    *,
    first_import: datetime | None = None,
) -> dict[str, datetime]:
    """For each statistic, the hour after its last stored one, never before `earliest`; for
    one without any, `first_import` (a shorter reach: a first import is the costliest).
    One recorder job for all of them."""
    ids = list(statistic_ids)

    def last_starts() -> dict[str, float | None]:
        found: dict[str, float | None] = {}
        for statistic_id in ids:
            rows = get_last_statistics(hass, 1, statistic_id, False, {"mean"}).get(statistic_id)
            found[statistic_id] = rows[0]["start"] if rows else None
        return found

    starts = await get_instance(hass).async_add_executor_job(last_starts)
    return {
        statistic_id: first_import or earliest
        if start is None
        else max(earliest, dt_util.utc_from_timestamp(start) + HOUR)
        for statistic_id, start in starts.items()
    }
