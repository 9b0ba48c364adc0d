"""What an integration leaves behind after unloads and reloads: tasks, timers and live objects.

Counted through the event loop and `gc`, so a reload test can say "nothing of ours remains".
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
import gc

from homeassistant.core import HomeAssistant


@dataclass(frozen=True)
class Leftovers:
    tasks: Counter[str]  # pending tasks by the qualified name of their coroutine
    timers: Counter[str]  # scheduled, uncancelled timer callbacks by their repr's head
    objects: Counter[str]  # live instances of the watched classes by class name

    def __sub__(self, before: Leftovers) -> Leftovers:
        return Leftovers(
            self.tasks - before.tasks, self.timers - before.timers, self.objects - before.objects
        )

    def of(self, package: str) -> Leftovers:
        """Only what names `package` (e.g. "custom_components.homely", "socketio")."""
        return Leftovers(
            Counter({k: v for k, v in self.tasks.items() if package in k}),
            Counter({k: v for k, v in self.timers.items() if package in k}),
            Counter({k: v for k, v in self.objects.items() if package in k}),
        )

    def __bool__(self) -> bool:
        return bool(self.tasks or self.timers or self.objects)


def _task_name(task: asyncio.Task[object]) -> str:
    coro = task.get_coro()
    code = getattr(coro, "cr_code", None) or getattr(coro, "gi_code", None)
    module = getattr(getattr(coro, "cr_frame", None), "f_globals", {}).get("__name__", "")
    return f"{module}.{code.co_qualname if code else type(coro).__name__}"


def _timer_name(handle: asyncio.TimerHandle) -> str:
    callback = getattr(handle, "_callback", None)
    target = getattr(callback, "__func__", callback)
    module = getattr(target, "__module__", "") or ""
    return f"{module}.{getattr(target, '__qualname__', repr(target))}"


def leftovers(hass: HomeAssistant, *watched: type) -> Leftovers:
    """Pending tasks, scheduled timers, and live instances of `watched` (by module.class)."""
    gc.collect()
    tasks = Counter(_task_name(t) for t in asyncio.all_tasks(hass.loop) if not t.done())
    scheduled = getattr(hass.loop, "_scheduled", [])
    timers = Counter(_timer_name(h) for h in scheduled if not h.cancelled())
    objects: Counter[str] = Counter()
    for obj in gc.get_objects():
        cls = type(obj)
        if any(isinstance(obj, w) for w in watched):
            objects[f"{cls.__module__}.{cls.__qualname__}"] += 1
    return Leftovers(tasks, timers, objects)


def ours(found: Leftovers, names: Iterable[str]) -> Leftovers:
    """The tasks and timers among `found` that name one of `names` (an integration's packages,
    its libraries', Home Assistant's helpers it uses), and every watched object; not Home
    Assistant's periodic time-change listeners (the device_tracker component's), which re-arm
    with a new timer every time they fire."""
    parts = [found.of(name) for name in names]
    timers = sum((part.timers for part in parts), Counter())
    return Leftovers(
        sum((part.tasks for part in parts), Counter()),
        Counter({name: n for name, n in timers.items() if "time change listener" not in name}),
        found.objects,
    )
