"""The accounts of the simulated Cayenne cloud: credentials, things, rules, MQTT clients."""

from __future__ import annotations

from dataclasses import dataclass, field
import secrets
from typing import Any

from simulators.core import SimContext

from .things import Thing, build_thing, stable_id


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
    things: dict[str, Thing] = field(default_factory=dict)
    rules: dict[str, dict[str, Any]] = field(default_factory=dict)
    mqtt_client: dict[str, str] | None = None

    def children_of(self, thing: Thing) -> list[Thing]:
        return [t for t in self.things.values() if t.parent_id == thing.thing_id]


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
            )
            for thing_spec in spec["things"]:
                thing = build_thing(thing_spec, account_id, now)
                account.things[thing.thing_id] = thing
            by_ref = {t.name: t for t in account.things.values()} | account.things
            for thing_spec, thing in zip(spec["things"], account.things.values(), strict=True):
                if "parent" in thing_spec:
                    thing.parent_id = by_ref[thing_spec["parent"]].thing_id
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
            self.accounts[spec["email"].lower()] = account

    def account(self, email: str) -> Account | None:
        return self.accounts.get(email.lower())

    def by_app_key(self, app_key: str) -> list[Account]:
        return [a for a in self.accounts.values() if a.app_key == app_key]

    def mqtt_client(self, account: Account) -> dict[str, str]:
        """The account's broker credentials; the same request hands out the same ones again."""
        if account.mqtt_client is None:
            account.mqtt_client = {
                "id": stable_id("mqtt", account.account_id),
                "clear_secret": secrets.token_hex(20),
            }
        return dict(account.mqtt_client)

    def step(self, now: float) -> None:
        """Values are functions of time; nothing to advance but the clock itself."""
