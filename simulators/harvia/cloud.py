"""The MyHarvia cloud's state: accounts, who sees which sauna, tokens, and change notices."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
import json
from typing import Any
import uuid

from simulators.core import SimContext, TokenStatus

from . import shapes
from .sauna import Cabin, CommandRejectedError, Sauna
from .scenario import build_saunas, expand_device_ids

# (field, receiver, notice) -> delivered to subscribers of that AppSync feed
type Publisher = Callable[[str, str, dict[str, Any]], None]


class AuthRejectedError(Exception):
    """A rejected sign-in or refresh; `status` and `body` are the cloud's answer."""

    def __init__(self, status: int, error: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.body = {"error": error, "message": message}


@dataclass(slots=True)
class Account:
    email: str
    password: str | None
    username: str  # the cognito:username claim
    partner_guest: bool
    device_list_shape: str
    device_ids: list[str] = field(default_factory=list)


class HarviaCloud:
    """Accounts, saunas and tokens of one simulated MyHarvia cloud."""

    def __init__(self, ctx: SimContext, data: dict[str, Any]) -> None:
        self.ctx = ctx
        self.data = data
        now = ctx.clock.now()
        self.saunas: dict[str, Sauna] = build_saunas(data["devices"], now)
        self.accounts: dict[str, Account] = {}
        for spec in data["accounts"]:
            ids = [i for ref in spec["devices"] for i in self._resolve(ref)]
            self.accounts[spec["email"].lower()] = Account(
                email=spec["email"],
                password=spec.get("password"),
                username=spec.get("username") or str(uuid.uuid5(uuid.NAMESPACE_DNS, spec["email"])),
                partner_guest=spec["partner_guest"],
                device_list_shape=spec["device_list_shape"],
                device_ids=ids,
            )
        self.publish: Publisher = lambda _field, _receiver, _notice: None
        self.events: deque[dict[str, Any]] = deque(maxlen=200)

    def _resolve(self, ref: str) -> list[str]:
        """A device reference in an account: an id, or the id of a `count:` group (all of it)."""
        if ref in self.saunas:
            return [ref]
        for spec in self.data["devices"]:
            if spec["id"] == ref:
                return expand_device_ids(spec)
        raise KeyError(f"account refers to unknown device {ref!r}")

    # --- auth ------------------------------------------------------------------------------
    def sign_in(self, email: str | None, password: str | None) -> dict[str, Any]:
        if not email or not password:
            raise AuthRejectedError(400, "Bad Request", "username and password are required")
        account = self.accounts.get(email.lower())
        if account is not None and account.password is None:
            raise AuthRejectedError(
                401,
                "NotAuthorizedException",
                "Password sign-in is not enabled for this user: it signs in with Apple or Google.",
            )
        if account is None or account.password != password:
            raise AuthRejectedError(
                401, "NotAuthorizedException", "Incorrect username or password."
            )
        refresh = self.ctx.tokens.issue(
            "refresh", account.email, self.data["refresh_token_lifetime"]
        )
        return {**self._session_tokens(account), "refreshToken": refresh.value}

    def refresh(self, refresh_token: str | None, email: str | None) -> dict[str, Any]:
        if not refresh_token:
            raise AuthRejectedError(400, "Bad Request", "refreshToken is required")
        check = self.ctx.tokens.check(refresh_token, "refresh")
        if check.status is TokenStatus.EXPIRED:
            raise AuthRejectedError(401, "NotAuthorizedException", "Refresh Token has expired")
        if check.status is TokenStatus.REVOKED:
            raise AuthRejectedError(401, "NotAuthorizedException", "Refresh Token has been revoked")
        account = self.accounts.get((check.subject or "").lower())
        if not check.valid or account is None or (email and email.lower() != account.email.lower()):
            raise AuthRejectedError(401, "NotAuthorizedException", "Invalid Refresh Token")
        return self._session_tokens(account)  # no new refresh token, as the live cloud does

    def revoke(self, refresh_token: str | None) -> dict[str, Any]:
        if not refresh_token:
            raise AuthRejectedError(400, "Bad Request", "refreshToken is required")
        self.ctx.tokens.revoke(refresh_token)
        return {"success": True}

    def _session_tokens(self, account: Account) -> dict[str, Any]:
        lifetime = self.data["token_lifetime"]
        claims = {"cognito:username": account.username, "email": account.email}
        id_token = self.ctx.tokens.issue("id", account.email, lifetime, as_jwt=True, claims=claims)
        access = self.ctx.tokens.issue(
            "access", account.email, lifetime, as_jwt=True, claims=claims
        )
        return {"idToken": id_token.value, "accessToken": access.value, "expiresIn": lifetime}

    def account_for(self, authorization: str | None) -> Account | None:
        """The account of a valid id token ('Bearer <jwt>' or the bare JWT)."""
        token = (authorization or "").removeprefix("Bearer ").strip()
        check = self.ctx.tokens.check(token, "id")
        return self.accounts.get((check.subject or "").lower()) if check.valid else None

    def change_password(self, email: str, password: str | None) -> None:
        """The user changed the password in the app: old sessions end, old password fails."""
        account = self.accounts[email.lower()]
        account.password = password
        self.ctx.tokens.revoke_subject(account.email)

    # --- visibility --------------------------------------------------------------------------
    def visible(self, account: Account, partner_id: str | None) -> list[Sauna]:
        if account.partner_guest and partner_id != self.data["partner_organization_id"]:
            return []  # guests see shared saunas only through the partner organisation
        return [self.saunas[i] for i in account.device_ids if i in self.saunas]

    def sauna_for(self, account: Account, device_id: str | None) -> Sauna | None:
        if device_id in account.device_ids:
            return self.saunas.get(device_id)
        return None

    # --- what the cloud shows, in the scenario's shapes ---------------------------------------
    @property
    def shapes(self) -> dict[str, Any]:
        shapes_chosen: dict[str, Any] = self.data["shapes"]
        return shapes_chosen

    def shadow(self, sauna: Sauna, cabin: Cabin | None, now: float) -> dict[str, Any]:
        reported = sauna.reported(cabin, now)
        return reported if cabin is None else shapes.shadow(self.shapes, reported, sauna.is_fenix)

    def device_row(self, sauna: Sauna, id_key: str) -> dict[str, Any]:
        return shapes.device_row(
            self.shapes,
            id_key,
            sauna.device_id,
            sauna.device_type,
            sauna.display_name,
            sauna.attributes(),
        )

    # --- change notices ------------------------------------------------------------------
    def notify_state(self, sauna: Sauna) -> None:
        now = self.ctx.clock.now()
        cabins: list[Cabin | None] = list(sauna.cabins) or [None]
        for cabin in cabins:
            self.publish(
                "devicesStatesUpdateFeed", sauna.device_id, self.state_notice(sauna, cabin, now)
            )

    def state_notice(self, sauna: Sauna, cabin: Cabin | None, now: float) -> dict[str, Any]:
        return {
            "receiver": sauna.device_id,
            "item": {
                "deviceId": sauna.device_id,
                "shadowName": cabin.cabin_id if cabin else "classic",
                "desired": json.dumps(sauna.desired(cabin)),
                "reported": json.dumps(self.shadow(sauna, cabin, now))
                if sauna.connected
                else "null",
                "timestamp": sauna.updated_at * 1000,
                "version": sauna.version,
                "connectionState": {
                    "connected": sauna.connected,
                    "updatedTimestamp": str(int(sauna.updated_at * 1000)),
                },
            },
        }

    def notify_measurement(
        self, sauna: Sauna, cabin: Cabin, at: float, data: dict[str, Any]
    ) -> None:
        # The feed's schema requires deviceId, so it stays even without the envelope.
        item = shapes.measurement(
            self.shapes, self.measurement(sauna, cabin, at, data), keep=("deviceId",)
        )
        self.publish(
            "devicesMeasurementsUpdateFeed",
            sauna.device_id,
            {"receiver": sauna.device_id, "item": item},
        )

    def measurement(
        self, sauna: Sauna, cabin: Cabin | None, at: float, data: dict[str, Any]
    ) -> dict[str, Any]:
        return {
            "deviceId": sauna.device_id,
            "subId": cabin.cabin_id if cabin else "C1",
            "timestamp": str(int(at * 1000)),
            "sessionId": cabin.session_id if cabin else None,
            "type": "SENSOR" if sauna.is_sensor else "HEATER",
            "data": json.dumps(data),
        }

    def notify_event(
        self, sauna: Sauna, cabin: Cabin | None, kind: str, severity: str = "INFO"
    ) -> None:
        event = {
            "deviceId": sauna.device_id,
            "subId": cabin.cabin_id if cabin else None,
            "type": kind,
            "severity": severity,
            "timestamp": str(int(self.ctx.clock.now() * 1000)),
            "data": json.dumps({"displayName": cabin.name if cabin else sauna.display_name}),
        }
        self.events.append(event)
        self.publish("eventsFeed", sauna.device_id, {"receiver": sauna.device_id, "item": event})

    def _session_events(self, sauna: Sauna, before: dict[str, bool]) -> None:
        for cabin in sauna.cabins:
            if cabin.on != before.get(cabin.cabin_id, cabin.on):
                self.notify_event(sauna, cabin, "SESSION_STARTED" if cabin.on else "SESSION_ENDED")

    # --- what changes the saunas ---------------------------------------------------------------
    def step(self, now: float) -> None:
        for sauna in self.saunas.values():
            version = sauna.version
            before = {c.cabin_id: c.on for c in sauna.cabins}
            due = sauna.step(now)  # an offline sauna still cools down; it just cannot tell
            for cabin in due if sauna.connected else []:
                at, data = cabin.history[-1]
                self.notify_measurement(sauna, cabin, at, data)
            if sauna.version != version:
                self._session_events(sauna, before)
                self.notify_state(sauna)

    def command(self, sauna: Sauna, cabin: Cabin, kind: str, value: Any) -> None:
        now = self.ctx.clock.now()
        sauna.step(now)
        before = {c.cabin_id: c.on for c in sauna.cabins}
        sauna.command(cabin, kind, value, now)
        self._session_events(sauna, before)
        self.notify_state(sauna)

    def set_target(
        self, sauna: Sauna, cabin: Cabin, temperature: float | None, humidity: float | None
    ) -> None:
        now = self.ctx.clock.now()
        sauna.step(now)
        sauna.set_target(cabin, temperature, humidity, now)
        self.notify_state(sauna)

    def set_profile(self, sauna: Sauna, cabin: Cabin, profile: str | int) -> int:
        if not sauna.connected:
            raise CommandRejectedError(504, "Device unavailable", "Device unavailable")
        index = sauna.set_profile(cabin, profile, self.ctx.clock.now())
        self.notify_state(sauna)
        return index

    def set_connected(self, device_id: str, connected: bool) -> None:
        sauna = self.saunas[device_id]
        sauna.step(self.ctx.clock.now())
        sauna.connected = connected
        sauna.touch(self.ctx.clock.now())
        self.notify_event(sauna, None, "CONNECTED" if connected else "DISCONNECTED")
        self.notify_state(sauna)

    def set_door(self, device_id: str, cabin_id: str, closed: bool) -> None:
        sauna = self.saunas[device_id]
        cabin = sauna.cabin(cabin_id)
        cabin.door_closed = closed
        sauna.touch(self.ctx.clock.now())
        self.notify_event(sauna, cabin, "DOOR_CLOSED" if closed else "DOOR_OPENED")
        self.notify_state(sauna)

    def schedule(self, device_id: str, cabin_id: str, in_minutes: float) -> None:
        sauna = self.saunas[device_id]
        now = self.ctx.clock.now()
        sauna.schedule(sauna.cabin(cabin_id), now + in_minutes * 60, now)
        self.notify_state(sauna)

    def add_device(self, spec: dict[str, Any], owners: list[str]) -> list[str]:
        added = build_saunas([spec], self.ctx.clock.now())
        self.saunas.update(added)
        self.data["devices"].append(spec)
        for email in owners:
            self.accounts[email.lower()].device_ids.extend(added)
        return list(added)

    def remove_device(self, device_id: str) -> None:
        self.saunas.pop(device_id, None)
        for account in self.accounts.values():
            if device_id in account.device_ids:
                account.device_ids.remove(device_id)
