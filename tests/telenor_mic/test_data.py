"""The rules by which polls and shadow updates merge (data.py, pure)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

from custom_components.telenor_mic.api import Shadow, Thing, ThingDetails
from custom_components.telenor_mic.data import NOTHING, Applied, MicData, resource_key

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def _thing(name: str = "env-1", **reported: object) -> Thing:
    return Thing(
        name=name,
        label=name.title(),
        domain="office",
        thing_type="1",
        last_heard_from=T0,
        reported=reported,
    )


def _shadow(
    reported: Mapping[str, object],
    *,
    version: int | None = None,
    at: datetime | None = None,
    delta: Mapping[str, object] | None = None,
) -> Shadow:
    return Shadow(
        reported=reported,
        desired=dict(delta or {}),
        delta=dict(delta or {}),
        reported_at=dict.fromkeys(reported, at) if at else {},
        version=version,
        timestamp=at,
    )


def test_a_poll_adds_things_and_removes_those_it_no_longer_lists() -> None:
    data = MicData()
    data.merge_poll([_thing("a", t=1), _thing("b", t=2)], {}, started=0, received=1)
    assert set(data.things) == {"a", "b"}
    assert data.value("a", "t").value == 1  # type: ignore[union-attr]
    data.merge_poll([_thing("a", t=3)], {}, started=2, received=3)
    assert set(data.things) == {"a"}
    assert data.value("a", "t").value == 3  # type: ignore[union-attr]


def test_a_poll_that_skipped_rows_removes_nothing() -> None:
    data = MicData()
    data.merge_poll([_thing("a"), _thing("b")], {}, started=0, received=1)
    data.merge_poll([_thing("a")], {}, started=2, received=3, keep_missing=True)
    assert set(data.things) == {"a", "b"}


def test_a_push_after_the_poll_began_wins_over_the_poll() -> None:
    data = MicData()
    data.merge_poll([_thing(t=20)], {}, started=0, received=1)
    data.apply_shadow("env-1", "demo/office", _shadow({"t": 22}), received=5, now=T0)
    data.merge_poll([_thing(t=21)], {}, started=4, received=6)  # began before the push
    assert data.value("env-1", "t").value == 22  # type: ignore[union-attr]
    data.merge_poll([_thing(t=23)], {}, started=7, received=8)  # began after it
    assert data.value("env-1", "t").value == 23  # type: ignore[union-attr]


def test_shadow_updates_out_of_order_are_ignored() -> None:
    data = MicData()
    data.merge_poll([_thing(t=20)], {}, started=0, received=1)
    applied = data.apply_shadow("env-1", "x", _shadow({"t": 21}, version=5), received=2, now=T0)
    assert applied == Applied(frozenset({"t"}), heard=False)
    stale = data.apply_shadow("env-1", "x", _shadow({"t": 19}, version=4), received=3, now=T0)
    assert stale == NOTHING
    assert data.value("env-1", "t").value == 21  # type: ignore[union-attr]
    # without a version (one stack's shape) an update applies
    assert data.apply_shadow("env-1", "x", _shadow({"t": 18}), received=4, now=T0) == Applied(
        frozenset({"t"}), heard=False
    )


def test_an_update_of_an_unknown_thing_asks_for_a_poll() -> None:
    assert MicData().apply_shadow("new", "x", _shadow({"t": 1}), received=1, now=T0) is None


def test_a_desired_echo_changes_nothing_and_a_report_clears_what_it_confirms() -> None:
    data = MicData()
    detail = ThingDetails(
        thing=_thing("pump", on=False),
        domain_topic="demo/field",
        shadow=_shadow({"on": False, "speed": 10}, version=3, at=T0, delta={"on": True}),
    )
    data.merge_poll([detail.thing], {"pump": detail}, started=0, received=1)
    state = data.things["pump"]
    assert (state.domain_topic, state.version, state.desired) == ("demo/field", 3, {"on": True})
    assert data.domain_topics() == {"demo/field"}
    assert data.missing_details([detail.thing]) == []
    echo = Shadow(
        reported={}, desired={"on": True}, delta={}, reported_at={}, version=None, timestamp=None
    )
    assert data.apply_shadow("pump", "demo/field", echo, received=2, now=T0) == NOTHING
    later = T0 + timedelta(seconds=1)
    assert data.apply_shadow(
        "pump", "demo/field", _shadow({"on": True}, version=4, at=later), received=3, now=T0
    )
    assert state.desired == {}
    assert state.last_heard == later


def test_an_older_report_does_not_replace_a_newer_one() -> None:
    data = MicData()
    detail = ThingDetails(_thing(), "t", _shadow({"t": 5}, version=2, at=T0))
    data.merge_poll([detail.thing], {"env-1": detail}, started=0, received=1)
    older = ThingDetails(_thing(), "t", _shadow({"t": 4}, version=None, at=T0 - timedelta(hours=1)))
    data.merge_poll([older.thing], {"env-1": older}, started=2, received=3)
    assert data.value("env-1", "t").value == 5  # type: ignore[union-attr]


def test_things_without_details_still_need_them() -> None:
    data = MicData()
    data.merge_poll([_thing("a")], {}, started=0, received=1)
    assert data.missing_details([_thing("a"), _thing("b")]) == ["a", "b"]
    assert data.thing_type("a") is None
    assert data.thing_type("nope") is None


def test_the_same_values_again_move_only_the_last_report() -> None:
    data = MicData()
    detail = ThingDetails(_thing(), "t", _shadow({"t": 5, "h": 40}, version=1, at=T0))
    data.merge_poll([detail.thing], {"env-1": detail}, started=0, received=1)
    later = T0 + timedelta(minutes=1)
    same = data.apply_shadow(
        "env-1", "t", _shadow({"t": 5}, version=2, at=later), received=2, now=T0
    )
    assert same == Applied(frozenset(), heard=True)
    moved = data.apply_shadow(
        "env-1", "t", _shadow({"h": 41}, version=3, at=later), received=3, now=T0
    )
    assert moved == Applied(frozenset({"h"}), heard=False)
    assert data.push_keys("env-1") == {resource_key("env-1", None)}  # its type is not known


def test_a_row_the_poll_could_not_read_is_unreadable_until_read_again() -> None:
    data = MicData()
    data.merge_poll([_thing("a", t=1), _thing("b", t=2)], {}, started=0, received=1)
    data.merge_poll([_thing("a", t=1)], {}, started=2, received=3, keep_missing=True)
    assert (data.things["a"].readable, data.things["b"].readable) == (True, False)
    back = data.apply_shadow("b", "x", _shadow({"t": 3}), received=4, now=T0)
    assert back == Applied(frozenset({"t"}), heard=True)
    assert data.things["b"].readable


def test_a_read_back_of_one_thing_leaves_the_others_as_they_are() -> None:
    data = MicData()
    data.merge_poll([_thing("a", t=1), _thing("b", t=2)], {}, started=0, received=1)
    detail = ThingDetails(_thing("a"), "demo/office", _shadow({"t": 5}, version=3, at=T0))
    data.apply_details(detail, started=2, received=3)
    assert data.value("a", "t").value == 5  # type: ignore[union-attr]
    assert (data.things["a"].domain_topic, data.things["a"].version) == ("demo/office", 3)
    assert data.things["b"].readable
    assert data.value("b", "t").value == 2  # type: ignore[union-attr]
    data.apply_details(ThingDetails(_thing("gone"), "x", None), started=4, received=5)
    assert "gone" not in data.things  # a read-back adds no thing; polls do
