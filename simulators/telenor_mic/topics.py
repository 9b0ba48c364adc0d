"""MIC's MQTT topics and who may use them.

`thing-update/<domainTopic>/<thingName>` carries shadow updates, `event/<domain path>` life-cycle
events. A user may subscribe and publish under its own domain's levels of both trees (which
covers its subdomains); a root-domain user anywhere.
"""

from __future__ import annotations

from .model import Domain, User

THING_UPDATE = "thing-update"
EVENT = "event"


def thing_update_topic(domain_topic: str, thing_name: str) -> str:
    return f"{THING_UPDATE}/{domain_topic}/{thing_name}"


def parse_thing_update_topic(topic: str) -> tuple[str, str] | None:
    """(domain topic, thing name) of a thing-update topic."""
    levels = topic.split("/")
    if len(levels) < 3 or levels[0] != THING_UPDATE or not all(levels[1:]):
        return None
    return "/".join(levels[1:-1]), levels[-1]


def event_topic(domain: Domain) -> str:
    """`event/demo/office` for /demo/office/; the root domain's events go to `event`."""
    return f"{EVENT}/{domain.topic}" if domain.topic else EVENT


def _within(levels: list[str], prefix: list[str]) -> bool:
    """A topic or filter whose first levels are `prefix`, literally (no wildcard among them)."""
    return levels[: len(prefix)] == prefix


def allowed(user: User, topic: str) -> bool:
    """Whether `user` may subscribe to the filter, or publish on the topic, `topic`."""
    if user.domain.parent is None:
        return True
    levels = topic.split("/")
    own = user.domain.topic.split("/")
    return _within(levels, [THING_UPDATE, *own]) or _within(levels, [EVENT, *own])
