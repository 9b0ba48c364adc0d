"""The tenants of a MIC installation: stacks, their domain trees, thing types and users."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
import uuid

from .scenario import ROOT_DOMAIN

if TYPE_CHECKING:
    from .things import Thing

NAMESPACE = uuid.UUID("0f8c6a52-41d3-4c1e-9a57-3b2e7d9c5a10")


def stable_uuid(*parts: str) -> str:
    """The same id for the same names on every run."""
    return str(uuid.uuid5(NAMESPACE, "/".join(parts)))


@dataclass(slots=True, eq=False)
class Domain:
    """A node of the stack's domain tree; users see their domain and everything below it."""

    name: str
    parent: Domain | None

    @property
    def path(self) -> str:
        """`/demo/office/`; the root is `/`."""
        if self.parent is None:
            return "/"
        return f"{self.parent.path}{self.name}/"

    @property
    def topic(self) -> str:
        """`demo/office`: the MQTT topic levels of the domain (the root has none)."""
        return self.path.strip("/")

    def contains(self, other: Domain) -> bool:
        return other.path.startswith(self.path)


@dataclass(frozen=True, slots=True)
class Resource:
    """One resource of a thing type, as GET /thingtypes describes it."""

    name: str
    kind: str  # boolean, integer, number, string, position, or a type the client may not know
    label: str | None
    unit: str | None
    settable: bool
    minimum: float | None
    maximum: float | None
    step: float | None
    values: tuple[str, ...]

    def metadata(self) -> dict[str, Any]:
        """REST metadata: only what the thing type sets."""
        meta: dict[str, Any] = {"isSettable": self.settable}
        optional = {
            "label": self.label,
            "unit": self.unit,
            "min": self.minimum,
            "max": self.maximum,
            "step": self.step,
            "values": list(self.values) if self.values else None,
        }
        meta.update({key: value for key, value in optional.items() if value is not None})
        return meta


@dataclass(slots=True, eq=False)
class ThingType:
    type_id: str
    label: str
    description: str
    domain: Domain
    resources: dict[str, Resource]


@dataclass(slots=True, eq=False)
class User:
    username: str
    password: str
    role: str  # ReadWrite or ReadOnly
    domain: Domain
    first_name: str
    last_name: str
    email: str
    demo_entry: bool
    stack: Stack
    identity_id: str  # the Cognito identity GetCredentialsForIdentity answers for
    sub: str  # the user pool's id for the user

    @property
    def read_only(self) -> bool:
        return self.role == "ReadOnly"

    def sees(self, domain: Domain) -> bool:
        return self.domain.contains(domain)


@dataclass(frozen=True, slots=True)
class Dialect:
    """Where stacks differ in the shapes they send (see scenario.DIALECT_SCHEMA)."""

    user_pool_key: str = "UserPool"
    json_scalar: str = "object"
    last_heard_from: str = "epoch_ms"
    hits_total: str = "object"
    thing_update: str = "full"
    not_authorized_status: int = 400


@dataclass(slots=True, eq=False)
class Stack:
    """One customer installation: its own API, user pool, identity pool and IoT endpoint."""

    name: str
    hostnames: tuple[str, ...]
    region: str
    api_key: str
    user_pool: str
    identity_pool: str
    iot_endpoint: str
    dialect: Dialect
    root: Domain = field(default_factory=lambda: Domain(ROOT_DOMAIN, None))
    domains: dict[str, Domain] = field(default_factory=dict)
    thing_types: dict[str, ThingType] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)  # by lower-cased user name
    things: dict[str, Thing] = field(default_factory=dict)  # by thing name

    @property
    def issuer(self) -> str:
        return f"https://cognito-idp.{self.region}.amazonaws.com/{self.user_pool}"

    @property
    def login_provider(self) -> str:
        """The key of GetCredentialsForIdentity's Logins map for this user pool."""
        return f"cognito-idp.{self.region}.amazonaws.com/{self.user_pool}"

    @property
    def iot_host(self) -> str:
        return f"{self.iot_endpoint}-ats.iot.{self.region}.amazonaws.com"

    def visible_things(self, user: User) -> list[Thing]:
        return [t for t in self.things.values() if user.sees(t.domain)]

    def visible_types(self, user: User) -> list[ThingType]:
        """Types defined on the user's branch: above it (inherited) or below it."""
        return [
            t
            for t in self.thing_types.values()
            if t.domain.contains(user.domain) or user.domain.contains(t.domain)
        ]
