"""Request log with per-endpoint counters, read by tests and benchmarks."""

from __future__ import annotations

from collections import Counter, deque
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class LoggedRequest:
    at: float  # simulated epoch seconds
    method: str
    path: str
    endpoint: str  # "METHOD /route/{template}"; stable across ids, used for counting
    status: int
    duration_ms: float
    fault: str | None = None  # which injected fault answered, if one did


class RequestLog:
    """Counts every request by endpoint and keeps the most recent ones."""

    def __init__(self, keep: int = 5000) -> None:
        self._entries: deque[LoggedRequest] = deque(maxlen=keep)
        self._counts: Counter[str] = Counter()
        self._total = 0

    def record(self, entry: LoggedRequest) -> None:
        self._entries.append(entry)
        self._counts[entry.endpoint] += 1
        self._total += 1

    @property
    def total(self) -> int:
        return self._total

    def count(self, endpoint: str | None = None) -> int:
        """Requests so far, all of them or those of one endpoint ("GET /devices")."""
        return self._total if endpoint is None else self._counts[endpoint]

    def counters(self) -> dict[str, int]:
        return dict(sorted(self._counts.items()))

    def entries(self, since: float | None = None) -> list[LoggedRequest]:
        return [e for e in self._entries if since is None or e.at >= since]

    def clear(self) -> None:
        self._entries.clear()
        self._counts.clear()
        self._total = 0

    def as_json(self, last: int = 100) -> dict[str, Any]:
        recent = list(self._entries)[-last:] if last > 0 else []
        return {
            "total": self._total,
            "by_endpoint": self.counters(),
            "recent": [asdict(e) for e in recent],
        }
