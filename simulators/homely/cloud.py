"""The state behind the Homely SDK: users, homes, devices, the alarm and the rate limiter."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
import uuid

from simulators.core import SimContext

from .devices import LIVE_STATES, MODELS, Device, iso
from .malformed import BodyOverrides

type EventSink = Callable[[str, dict[str, Any]], None]  # (home id, {type, data})

# The exit delay's state before each armed state: as the live cloud names it, and as Homely's
# API document does.
EXIT_DELAY_STATES = {
    "live": {
        "ARMED_AWAY": "ARM_AWAY_PENDING",
        "ARMED_NIGHT": "ARM_NIGHT_PENDING",
        "ARMED_STAY": "ARM_STAY_PENDING",
        "ARMED_PARTLY": "ARM_PENDING",
    },
    "documented": {
        "ARMED_AWAY": "ARMED_AWAY_PENDING",
        "ARMED_NIGHT": "ARMED_NIGHT_PENDING",
        "ARMED_STAY": "ALARM_STAY_PENDING",
        "ARMED_PARTLY": "ARM_PENDING",
    },
}
# How much later than the final state the live cloud stamped the late pending state.
LATE_PENDING_AFTER_S = 0.051
# Integer `eventId`s count up per alarm event, as the live cloud's do; the start is arbitrary.
FIRST_INTEGER_EVENT_ID = 48213


def stable_uuid(*parts: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "homely/" + "/".join(parts)))


@dataclass(slots=True)
class User:
    user_id: str
    username: str
    password: str
    name: str
    homes: list[str]  # location ids


@dataclass(slots=True)
class PendingAlarm:
    final: str
    at: float
    user: User | None


@dataclass(slots=True)
class Home:
    location_id: str
    name: str
    gateway_serial: str
    alarm_state: str
    exit_delay_s: float
    unstreamed: set[str]
    devices: dict[str, Device] = field(default_factory=dict)
    rooms: dict[str, str] = field(default_factory=dict)  # room name -> room location id
    pending: PendingAlarm | None = None
    late_pending: bool = False  # the final state of an arming is followed by its pending state

    def room_id(self, room: str) -> str:
        return self.rooms.setdefault(room, stable_uuid(self.location_id, "room", room))

    def as_json(self, role: str) -> dict[str, Any]:
        return {
            "locationId": self.location_id,
            "gatewayserial": self.gateway_serial,
            "name": self.name,
            "alarmState": self.alarm_state,
            "userRoleAtLocation": role,
            "devices": [device.as_json() for device in self.devices.values()],
        }


class RateLimiter:
    """At most N requests per window per user; past that, blocked longer than `retryAfter` says."""

    def __init__(self, spec: dict[str, Any] | None) -> None:
        self.spec = spec
        self._seen: dict[str, deque[float]] = {}
        self._blocked_until: dict[str, float] = {}
        self.rejected = 0

    def check(self, key: str, now: float) -> int | None:
        """None when the request may pass, else the `retryAfter` seconds to announce."""
        if self.spec is None:
            return None
        if now < self._blocked_until.get(key, 0.0):
            self.rejected += 1
            return int(self.spec["retry_after_s"])
        seen = self._seen.setdefault(key, deque())
        while seen and seen[0] <= now - self.spec["window_s"]:
            seen.popleft()
        if len(seen) >= self.spec["requests"]:
            self._blocked_until[key] = now + self.spec["block_s"]
            seen.clear()
            self.rejected += 1
            return int(self.spec["retry_after_s"])
        seen.append(now)
        return None


class HomelyCloud:
    def __init__(self, ctx: SimContext, data: dict[str, Any]) -> None:
        self.ctx = ctx
        self.data = data
        self.homes: dict[str, Home] = {}
        self.users: dict[str, User] = {}
        self.limiter = RateLimiter(data.get("rate_limit"))
        self.overrides = BodyOverrides()  # malformed values served on demand
        self.emit: EventSink = lambda _home, _event: None
        self.exit_delay_states = EXIT_DELAY_STATES[data["alarm_pending_names"]]
        self._next_event_id = FIRST_INTEGER_EVENT_ID
        partner_code = data.get("partner_code")
        self.partner_code: int = 1 if partner_code is None else partner_code
        now = ctx.clock.now()
        for spec in data["homes"]:
            self.add_home(spec, now)
        for spec in data["users"]:
            homes = [self.home_by_ref(ref).location_id for ref in spec["homes"]]
            user = User(
                stable_uuid("user", spec["username"]),
                spec["username"],
                spec["password"],
                spec.get("name") or spec["username"].split("@")[0].title(),
                homes,
            )
            self.users[user.username.lower()] = user

    # --- building ----------------------------------------------------------------------------
    def home_by_ref(self, ref: str) -> Home:
        for home in self.homes.values():
            if ref in (home.location_id, home.name):
                return home
        raise KeyError(f"no home {ref!r}")

    def add_home(self, spec: dict[str, Any], now: float) -> Home:
        location_id = spec.get("id") or stable_uuid("home", spec["name"])
        serial = spec.get("gateway_serial") or "0200000100" + location_id[:6].upper()
        home = Home(
            location_id,
            spec["name"],
            serial,
            spec["alarm_state"],
            spec["exit_delay_s"],
            set(spec["unstreamed_features"]),
            late_pending=spec["late_pending"],
        )
        self.homes[location_id] = home
        for device_spec in spec["devices"]:
            self.add_devices(home, device_spec, now)
        return home

    def add_devices(self, home: Home, spec: dict[str, Any], now: float) -> list[Device]:
        added = []
        count = spec["count"]
        for index in range(count):
            base_name = spec.get("name") or MODELS[spec["kind"]][0]
            name = f"{base_name} {index + 1}" if count > 1 else base_name
            ident = spec.get("id") if count == 1 else None
            device = self._device(
                home, spec, name, ident or stable_uuid(home.location_id, name), now
            )
            home.devices[device.device_id] = device
            added.append(device)
        return added

    def _device(
        self, home: Home, spec: dict[str, Any], name: str, device_id: str, now: float
    ) -> Device:
        _model_name, template = MODELS[spec["kind"]]
        serial = spec.get("serial") or "0015BC00" + device_id.replace("-", "")[:8].upper()
        states: dict[str, dict[str, tuple[Any, float | None]]] = {}
        for feature, values in template.items():
            states[feature] = {
                name: (self._initial(feature, name, value, serial), now - 3600)
                for name, value in values.items()
            }
        if self.data["device_shape"] == "live":
            for feature, values in LIVE_STATES.get(spec["kind"], {}).items():
                for state, value in values.items():
                    states.setdefault(feature, {})[state] = (value, now - 3600)
        for feature, values in spec["states"].items():
            for state, value in values.items():
                states.setdefault(feature, {})[state] = (value, now - 60)
        if spec.get("battery_voltage") is not None and "battery" in states:
            voltage = spec["battery_voltage"]
            states["battery"]["voltage"] = (voltage, now - 600)
            states["battery"]["low"] = (voltage < 2.5, now - 600)
        device = Device(
            device_id=device_id,
            kind=spec["kind"],
            name=name,
            serial=serial,
            room=spec["room"],
            room_id=home.room_id(spec["room"]),
            online=spec["online"],
            states=states,
            battery_drain_per_day=spec["battery_drain_per_day"],
            demand_w=spec["demand_w"],
            exported_w=spec["exported_w"],
            motion_per_hour=spec["motion_per_hour"],
            last_step=now,
            next_report=now + self.ctx.rng.uniform(0, 600),
        )
        for empty in spec["empty_states"]:
            feature, _, state = empty.partition(".")
            device.states.setdefault(feature, {})[state] = (None, None)
            device.extra.setdefault("empty", set()).add(empty)
        return device

    @staticmethod
    def _initial(feature: str, state: str, value: Any, serial: str) -> Any:
        if (feature, state) == ("diagnostic", "networklinkaddress"):
            return "0015BC002C10" + serial[-4:]
        return value

    # --- accounts and access -----------------------------------------------------------------
    def user(self, username: str) -> User | None:
        return self.users.get(username.lower())

    def homes_of(self, user: User) -> list[Home]:
        return [self.homes[h] for h in user.homes if h in self.homes]

    # --- time ----------------------------------------------------------------------------------
    def step(self, now: float) -> None:
        for home in self.homes.values():
            if home.pending is not None and now >= home.pending.at:
                pending, home.pending = home.pending, None
                self._finish_arming(home, pending.final, pending.user, now)
            for device in list(home.devices.values()):
                changed = device.step(now, self.ctx.rng)
                if changed:
                    self.device_changed(home, device, changed, now)

    # --- changes -------------------------------------------------------------------------------
    def device_changed(
        self, home: Home, device: Device, changed: list[tuple[str, str]], now: float
    ) -> None:
        streamed = [(f, s) for f, s in changed if f not in home.unstreamed]
        if not streamed:
            return
        changes = [
            {
                "feature": feature,
                "stateName": state,
                "value": device.value(feature, state),
                "lastUpdated": iso(device.states[feature][state][1] or now),
            }
            for feature, state in streamed
        ]
        data: dict[str, Any] = {"deviceId": device.device_id, "changes": changes}
        if self.data["event_shape"] == "full":
            data = {
                "deviceId": device.device_id,
                "gatewayId": stable_uuid(home.location_id, "gateway"),
                "locationId": device.room_id,  # the room, not the home
                "modelId": device.as_json()["modelId"],
                "rootLocationId": home.location_id,
                "partnerCode": self.partner_code,
                "change": changes[0],
                "changes": changes,
            }
        self.emit(home.location_id, {"type": "device-state-changed", "data": data})

    def arm(self, home: Home, final: str, user: User | None, now: float) -> None:
        """Start arming: the pending state now, the final one after the exit delay."""
        pending = self.exit_delay_states.get(final)
        if pending is None or home.exit_delay_s == 0:
            self._finish_arming(home, final, user, now)
            return
        home.pending = PendingAlarm(final, now + home.exit_delay_s, user)
        self.set_alarm(home, pending, None, now)

    def _finish_arming(self, home: Home, final: str, user: User | None, now: float) -> None:
        self.set_alarm(home, final, user, now)
        late = self.exit_delay_states.get(final)
        if home.late_pending and late is not None:
            # Only the socket repeats it; the home itself stays armed.
            self._emit_alarm(home, late, None, now + LATE_PENDING_AFTER_S)

    def set_alarm(self, home: Home, state: str, user: User | None, now: float) -> None:
        if state == "DISARMED":
            home.pending = None
        home.alarm_state = state
        self._emit_alarm(home, state, user, now)

    def _emit_alarm(self, home: Home, state: str, user: User | None, stamp: float) -> None:
        data: dict[str, Any] = {
            "locationId": home.location_id,
            "state": state,
            "timestamp": iso(stamp),
        }
        if user is not None:
            data |= {
                "userId": user.user_id,
                "userName": user.name,
                "eventId": self._event_id(stamp),
            }
        self.emit(home.location_id, {"type": "alarm-state-changed", "data": data})

    def _event_id(self, stamp: float) -> str | int:
        if self.data["alarm_event_id"] == "uuid":
            return stable_uuid(iso(stamp))
        self._next_event_id += 1
        return self._next_event_id

    def set_state(self, home: Home, device: Device, feature: str, state: str, value: Any) -> None:
        now = self.ctx.clock.now()
        device.set(feature, state, value, now)
        self.device_changed(home, device, [(feature, state)], now)

    def remove_device(self, home: Home, device_id: str) -> None:
        del home.devices[device_id]
