"""The accounts of the simulated Cayenne cloud: credentials, things, rules, jobs, MQTT clients."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
import math
import secrets
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from simulators.core import SimContext

from .things import Thing, Value, build_thing, iso_ms, stable_id


@dataclass(slots=True)
class Account:
    account_id: str
    email: str
    password: str
    app_key: str
    app_secret: str
    first_name: str
    last_name: str
    demo_entry: bool
    mqtt_username: str  # the `id` of POST /v1.1/clients: broker username and topic level
    things: dict[str, Thing] = field(default_factory=dict)
    rules: dict[str, dict[str, Any]] = field(default_factory=dict)
    jobs: dict[str, dict[str, Any]] = field(default_factory=dict)
    mqtt_secret: str | None = None  # handed out by the first POST /v1.1/clients

    def children_of(self, thing: Thing) -> list[Thing]:
        return [t for t in self.things.values() if t.parent_id == thing.thing_id]


@dataclass(frozen=True, slots=True)
class CommandOutcome:
    """What a thing does with a command: None error means it took it."""

    channel: str
    error: str | None
    value: Value | None = None


class CayenneCloud:
    def __init__(self, ctx: SimContext, data: dict[str, Any]) -> None:
        self.ctx = ctx
        self.data = data
        self.accounts: dict[str, Account] = {}  # by lower-cased email
        now = ctx.clock.now()
        for spec in data["accounts"]:
            account_id = spec.get("id") or stable_id("account", spec["email"].lower())
            account = Account(
                account_id=account_id,
                email=spec["email"],
                password=spec["password"],
                app_key=spec["app_key"],
                app_secret=spec["app_secret"],
                first_name=spec["first_name"],
                last_name=spec["last_name"],
                demo_entry=spec["demo_entry"],
                mqtt_username=stable_id("mqtt", account_id),
            )
            self.accounts[spec["email"].lower()] = account
            self.add_things(account, [*spec["things"], *_fleet(spec.get("fleet"))], now)
            for number, rule in enumerate(spec["rules"]):
                rule_id = rule.get("id") or f"{number + 1:024x}"
                account.rules[rule_id] = {
                    "id": rule_id,
                    "account_id": account_id,
                    "enabled": rule["enabled"],
                    "title": rule["title"],
                    "triggers": rule["triggers"],
                    "actions": rule["actions"],
                    "notifications": rule["notifications"],
                    "http_push": [],
                }
            for job in spec["jobs"]:
                self._add_job(account, job, now)

    # --- accounts ------------------------------------------------------------------------------
    def account(self, email: str) -> Account | None:
        return self.accounts.get(email.lower())

    def by_app_key(self, app_key: str) -> list[Account]:
        return [a for a in self.accounts.values() if a.app_key == app_key]

    def by_mqtt_username(self, username: str | None) -> Account | None:
        return next((a for a in self.accounts.values() if a.mqtt_username == username), None)

    def mqtt_client(self, account: Account) -> dict[str, str]:
        """The account's broker credentials; the same request hands out the same ones again."""
        if account.mqtt_secret is None:
            account.mqtt_secret = secrets.token_hex(20)
        return {"id": account.mqtt_username, "clear_secret": account.mqtt_secret}

    def rotate_mqtt_secret(self, account: Account) -> None:
        """A new `clear_secret`; the old one no longer opens a connection."""
        account.mqtt_secret = secrets.token_hex(20)

    # --- things -----------------------------------------------------------------------------------
    def add_things(self, account: Account, specs: list[dict[str, Any]], now: float) -> list[Thing]:
        """Things of THING_SCHEMA specs; `parent` names a thing by name or id."""
        added = [build_thing(spec, account.account_id, now) for spec in specs]
        for thing in added:
            account.things[thing.thing_id] = thing
        by_ref = {t.name: t for t in account.things.values()} | account.things
        for spec, thing in zip(specs, added, strict=True):
            if "parent" in spec:
                parent = by_ref.get(spec["parent"])
                if parent is None:
                    raise KeyError(f"no thing {spec['parent']!r} to be the parent")
                thing.parent_id = parent.thing_id
        return added

    def find_thing(self, ref: str) -> tuple[Account, Thing] | None:
        """A thing of any account, by id or name."""
        for account in self.accounts.values():
            for thing in account.things.values():
                if ref in (thing.thing_id, thing.name):
                    return account, thing
        return None

    def command(
        self, account: Account, thing: Thing, channel: str, value_text: str, now: float
    ) -> CommandOutcome | None:
        """A thing receives `seq,value` on its cmd topic; None when it is not there to hear."""
        if not thing.reporting(now) or account.things.get(thing.thing_id) is not thing:
            return None
        target = thing.channels.get(channel)
        if target is None:
            return CommandOutcome(channel, f"unknown channel {channel}")
        try:
            number = float(value_text)
        except ValueError:
            return CommandOutcome(channel, f"invalid value {value_text}")
        if not math.isfinite(number):
            return CommandOutcome(channel, f"invalid value {value_text}")
        error = target.command(number, now)
        return CommandOutcome(channel, error, None if error else thing.value(target, now))

    # --- jobs -------------------------------------------------------------------------------------
    def _add_job(self, account: Account, spec: dict[str, Any], now: float) -> None:
        job_id = spec.get("id") or stable_id("job", account.account_id, spec["title"])
        created = iso_ms(now)
        account.jobs[job_id] = {
            "_id": job_id,
            "updated_at": created,
            "created_at": created,
            "title": spec["title"],
            "account_id": account.account_id,
            "next_runtime": None,
            "__v": 0,
            "config": dict(spec["schedule"]),
            "notifications": _with_ids(job_id, "notification", spec["notifications"]),
            "http_push": _with_ids(job_id, "http", spec["http_push"]),
            "actions": _with_ids(job_id, "action", spec["actions"]),
            "active": spec["enabled"],
        }

    def job_json(self, job: dict[str, Any]) -> dict[str, Any]:
        """The job with its next run worked out for the current simulated time."""
        try:
            upcoming = next_runtime(job["config"], self.ctx.clock.now())
        except (KeyError, TypeError, ValueError):  # a config a client wrote badly
            upcoming = None
        return {**job, "next_runtime": upcoming}

    def step(self, now: float) -> None:
        """Values are functions of time; nothing to advance but the clock itself."""


def _fleet(spec: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The things of a `fleet:` template, named `name.format(n=1..count)`."""
    if spec is None:
        return []
    template = {key: value for key, value in spec.items() if key not in ("count", "name")}
    return [
        {**template, "name": spec["name"].format(n=n), "channels": list(spec["channels"])}
        for n in range(1, spec["count"] + 1)
    ]


def _with_ids(job_id: str, kind: str, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Sub-documents as the platform stores them, each with its own `_id`."""
    return [{"_id": stable_id(job_id, kind, str(n)), **item} for n, item in enumerate(items)]


def next_runtime(config: dict[str, Any], now: float) -> str | None:
    """When a job runs next (ISO 8601, UTC), None for a one-off already past."""
    try:
        zone = ZoneInfo(config.get("tz") or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    start = datetime.strptime(config["start_date"], "%Y-%m-%d %H:%M").replace(tzinfo=zone)
    if start.timestamp() > now:
        return iso_ms(start.timestamp())
    if config.get("type") == "date":
        return None
    interval = max(1, int(config.get("interval") or 1))
    unit = config.get("unit", "day")
    if unit in ("minute", "hour", "day"):
        step = timedelta(seconds=interval * {"minute": 60, "hour": 3600, "day": 86400}[unit])
        # steps on the zone's wall clock (a daily job keeps its hour over DST changes)
        runs = math.floor((now - start.timestamp()) / step.total_seconds()) + 1
        while runs > 1 and (start + (runs - 1) * step).timestamp() > now:
            runs -= 1
        while (start + runs * step).timestamp() <= now:
            runs += 1
        return iso_ms((start + runs * step).timestamp())
    months = interval * (12 if unit == "year" else 1)
    current = datetime.fromtimestamp(now, zone)
    elapsed = (current.year - start.year) * 12 + current.month - start.month
    runs = max(0, elapsed // months)
    while True:
        total = start.month - 1 + runs * months
        try:
            candidate = start.replace(year=start.year + total // 12, month=total % 12 + 1)
        except ValueError:  # the 31st in a shorter month: the platform skips that month
            runs += 1
            continue
        if candidate.timestamp() > now:
            return iso_ms(candidate.timestamp())
        runs += 1
