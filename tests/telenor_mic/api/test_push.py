"""MicPush against a real MQTT broker behind a SigV4-checking websocket (broker.py): connect,
subscribe, shadows and events, reconnects with new signatures, desired-state writes, refusals,
and a clean stop."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
import json
import logging
import ssl
import threading
import time
from typing import Any

import aiomqtt
import pytest

from custom_components.telenor_mic.api import (
    LifecycleEvent,
    MicClient,
    MicConnectionError,
    MicWriteError,
    Shadow,
    push as push_module,
)
from custom_components.telenor_mic.api.push import MicPush, minimal_topics
from tests.helpers import until

from .broker import IotBroker
from .conftest import OFFICE, FakeMic, MakeClient

SHADOW = {"state": {"reported": {"temperature": 22.5}}, "metadata": {"reported": {"temperature": {"timestamp": 1790000000}}},
          "version": 8, "timestamp": 1790000000}  # fmt: skip
EVENT = {
    "timestamp": 1790000000000,
    "type": "THING.CREATE",
    "source": {"thingName": "env-9", "domain": "office"},
}


@dataclass
class Heard:
    shadows: list[tuple[str, str, Shadow]] = field(default_factory=list)
    events: list[LifecycleEvent] = field(default_factory=list)
    connection: list[bool] = field(default_factory=list)
    fail: bool = False

    def shadow(self, thing_name: str, domain_topic: str, shadow: Shadow) -> None:
        if self.fail:
            raise RuntimeError("a consumer's bug")
        self.shadows.append((thing_name, domain_topic, shadow))


type MakePush = Callable[..., tuple[MicPush, Heard]]


@pytest.fixture
def fast(monkeypatch: pytest.MonkeyPatch) -> None:
    """Reconnect at once (the backoff's minimum, and after refusals)."""
    monkeypatch.setattr(push_module, "RETRY_MIN", 0.05)
    monkeypatch.setattr(push_module, "RETRY_MAX", 0.2)


@pytest.fixture
async def make_push(make_client: MakeClient, iot: IotBroker) -> AsyncIterator[MakePush]:
    running: list[tuple[MicPush, asyncio.Task[None] | None]] = []

    def make(
        client: MicClient | None = None, *, start: bool = True, **options: Any
    ) -> tuple[MicPush, Heard]:
        heard = Heard()
        push = MicPush(
            client or make_client(clock=time.monotonic),
            on_shadow=heard.shadow,
            on_event=heard.events.append,
            on_connection=heard.connection.append,
            **options,
        )
        push.set_topics([OFFICE])
        task = asyncio.ensure_future(push.run()) if start else None
        running.append((push, task))
        return push, heard

    yield make
    for push, task in running:
        await push.stop()
        if task is not None:
            await asyncio.wait({task}, timeout=5)
            assert task.done()


async def test_connect_subscribe_and_receive(
    make_push: MakePush, iot: IotBroker, cloud: FakeMic, caplog: pytest.LogCaptureFixture
) -> None:
    push, heard = make_push()
    await until(lambda: push.connected, what="connected")
    assert heard.connection == [True]
    assert push.diagnostics()["subscriptions"] == [
        "event/demo",
        "event/demo/#",
        f"thing-update/{OFFICE}/#",
    ]
    (signed,) = iot.connects  # presigned, checked by botocore against the Host header
    assert signed["X-Amz-Credential"].endswith("/eu-west-1/iotdevicegateway/aws4_request")
    assert signed["X-Amz-Security-Token"].startswith("Fwo/Session+Token==")

    await iot.broadcast(f"thing-update/{OFFICE}/env-1", json.dumps(SHADOW))
    await iot.broadcast(f"thing-update/{OFFICE}/sub/env-2", '{"state": {"reported": {"on": 1}}}')
    await iot.broadcast(
        f"thing-update/{OFFICE}/env-1", '{"state": {"desired": {"on": true}}}'
    )  # an echo
    await iot.broadcast("event/demo/office", json.dumps(EVENT))
    await until(lambda: len(heard.shadows) == 2 and len(heard.events) == 1, what="messages")
    (name, domain_topic, shadow), (other, sub, partial) = heard.shadows
    assert (name, domain_topic, shadow.reported, shadow.version) == (
        "env-1",
        OFFICE,
        {"temperature": 22.5},
        8,
    )
    assert (other, sub, partial.reported, partial.version) == (
        "env-2",
        f"{OFFICE}/sub",
        {"on": 1},
        None,
    )
    assert heard.events[0].thing_name == "env-9"

    caplog.clear()
    for garbage in ("{", "[]", '{"state": 3}'):
        await iot.broadcast(f"thing-update/{OFFICE}/env-1", garbage)
    await iot.broadcast("event/demo", "not json")
    heard.fail = True  # a consumer that raises does not end the feed
    await iot.broadcast(f"thing-update/{OFFICE}/env-1", json.dumps(SHADOW))
    await until(lambda: push.messages == 4, what="the failing consumer's message")
    heard.fail = False
    await iot.broadcast(f"thing-update/{OFFICE}/env-3", json.dumps(SHADOW))
    await until(lambda: len(heard.shadows) == 3, what="a message after the malformed ones")
    assert push.malformed == 4
    assert caplog.text.count("Skipping a malformed MIC MQTT message") == 1  # once per burst
    assert "Error handling a MIC MQTT message" in caplog.text
    assert push.connects == 1  # the connection stayed up through all of it
    assert cloud.calls_to("/auth/login") == 1


def test_messages_the_client_does_not_know() -> None:
    push = MicPush(
        None, on_shadow=lambda *_: None, on_event=lambda _: None, on_connection=lambda _: None
    )  # type: ignore[arg-type]
    push._handle("other/topic", b"{}")
    push._handle(f"thing-update/{OFFICE}/x", 3)
    push._handle(f"thing-update/{OFFICE}/x", bytearray(json.dumps(SHADOW).encode()))
    assert (push.messages, push.malformed) == (1, 1)
    assert minimal_topics(["demo/office", "/demo/office/", "demo/office/sub", "demo/+", "demo/lab", "dem"]) == {
        "demo/office", "demo/lab", "dem",
    }  # fmt: skip
    assert minimal_topics(["demo", "demo/office"]) == {"demo"}


async def test_topics_follow_on_the_live_connection(make_push: MakePush, iot: IotBroker) -> None:
    push, heard = make_push()
    await until(lambda: push.connected, what="connected")
    push.set_topics([OFFICE, "demo/lab"])
    await until(
        lambda: "thing-update/demo/lab/#" in push.diagnostics()["subscriptions"], what="subscribed"
    )
    await iot.broadcast("thing-update/demo/lab/lab-1", json.dumps(SHADOW))
    await until(lambda: len(heard.shadows) == 1, what="the new topic's message")
    push.set_topics(["demo/lab"])
    push.set_topics(["demo/lab"])  # no change: nothing to do
    await until(
        lambda: f"thing-update/{OFFICE}/#" not in push.diagnostics()["subscriptions"],
        what="unsubscribed",
    )
    await iot.broadcast(f"thing-update/{OFFICE}/env-1", json.dumps(SHADOW))
    await iot.broadcast("thing-update/demo/lab/lab-1", json.dumps(SHADOW))
    await until(lambda: len(heard.shadows) == 2, what="the remaining topic's message")
    assert heard.shadows[-1][0] == "lab-1"
    assert push.connects == 1


@pytest.mark.usefixtures("fast")
async def test_a_drop_reconnects_with_new_credentials_and_signature(
    make_push: MakePush, iot: IotBroker, cloud: FakeMic
) -> None:
    steps = iter(range(0, 10**9, 61))  # every connection looks stable: the backoff resets
    push, heard = make_push(clock=lambda: float(next(steps)))
    await until(lambda: push.connected, what="connected")
    await iot.drop_all()
    await until(lambda: len(iot.connects) == 2 and push.connected, what="reconnected")
    first, second = iot.connects
    assert first["X-Amz-Credential"] != second["X-Amz-Credential"]  # fresh Cognito credentials
    assert first["X-Amz-Signature"] != second["X-Amz-Signature"]
    assert cloud.calls_to("POST /") == 2
    assert heard.connection == [True, False, True]
    assert push.last_error is not None


async def test_credentials_are_renewed_before_they_expire(
    make_push: MakePush, iot: IotBroker, cloud: FakeMic, monkeypatch: pytest.MonkeyPatch
) -> None:
    cloud.credentials_lifetime = 3
    monkeypatch.setattr(push_module, "RESIGN_MARGIN", 2.5)
    monkeypatch.setattr(push_module, "MIN_CONNECTION", 0.2)
    resigned: list[bool] = []
    push, heard = make_push(on_resigned=lambda: resigned.append(True))
    # once back, whoever may have missed an update in between hears of it
    await until(
        lambda: push.resigns >= 1 and len(iot.connects) >= 2 and push.connected and resigned,
        within=10,
        what="re-signed",
    )
    assert not iot.refusals  # it never came to a refusal for expired credentials
    assert iot.connects[0]["X-Amz-Credential"] != iot.connects[1]["X-Amz-Credential"]
    assert heard.connection == [True]  # a re-sign is no news for the coordinator
    iot.refuse_all = True  # the next re-sign fails: that is news
    await until(
        lambda: heard.connection == [True, False], within=10, what="down after a failed re-sign"
    )
    assert not push.connected


async def test_desired_state_on_the_live_connection(make_push: MakePush, iot: IotBroker) -> None:
    push, heard = make_push()
    await until(lambda: push.connected, what="connected")
    await push.async_publish_desired(f"/{OFFICE}/", "env-1", {"on": True, "mode": "eco"})
    ((topic, packet),) = iot.published
    assert topic == f"thing-update/{OFFICE}/env-1"
    assert packet[0] >> 4 == 3  # PUBLISH
    assert packet[0] & 0b0110 == 0b0010  # QoS 1
    assert packet.endswith(b'{"state": {"desired": {"on": true, "mode": "eco"}}}')
    await asyncio.sleep(0.1)
    assert heard.shadows == []  # the echo of our own write carries no reported state
    assert push.connects == 1


@pytest.mark.usefixtures("fast")
async def test_a_refused_write_closes_the_connection(make_push: MakePush, iot: IotBroker) -> None:
    push, heard = make_push()
    await until(lambda: push.connected, what="connected")
    iot.denied_publishes = {f"thing-update/{OFFICE}/"}
    with pytest.raises(MicWriteError, match="closed the connection"):
        await asyncio.wait_for(push.async_publish_desired(OFFICE, "env-1", {"on": True}), 5)
    await until(lambda: push.connects == 2 and push.connected, what="reconnected")
    assert heard.connection == [True, False, True]


async def test_a_write_without_acknowledgement(
    make_push: MakePush, monkeypatch: pytest.MonkeyPatch
) -> None:
    push, _ = make_push()
    await until(lambda: push.connected, what="connected")
    monkeypatch.setattr(push_module, "PUBLISH_TIMEOUT", 0)
    with pytest.raises(MicConnectionError, match="did not acknowledge"):
        await push.async_publish_desired(OFFICE, "env-1", {"on": True})


async def test_writes_while_push_is_down(
    make_push: MakePush, iot: IotBroker, cloud: FakeMic
) -> None:
    push, _ = make_push(start=False)
    await push.async_publish_desired(OFFICE, "env-1", {"level": 3})
    assert [topic for topic, _ in iot.published] == [f"thing-update/{OFFICE}/env-1"]
    assert len(iot.connects) == 1
    await until(lambda: not iot.sockets, what="the one-shot connection closed")
    assert not push.connected
    iot.denied_publishes = {f"thing-update/{OFFICE}/"}
    with pytest.raises(MicWriteError, match="closed the connection"):
        await push.async_publish_desired(OFFICE, "env-1", {"level": 4})
    iot.refuse_all = True
    with pytest.raises(MicConnectionError, match="no MQTT connection"):
        await push.async_publish_desired(OFFICE, "env-1", {"level": 5})
    connects = len(iot.connects) + len(iot.refusals)
    for domain_topic, desired in (
        (OFFICE, {"t": float("nan")}),
        (OFFICE, {"t": object()}),
        ("demo/#", {"t": 1}),
    ):
        with pytest.raises(MicWriteError, match="cannot write"):
            await push.async_publish_desired(domain_topic, "env-1", desired)
    assert len(iot.connects) + len(iot.refusals) == connects  # nothing was sent
    await until(lambda: not iot.sockets, what="every connection closed")
    assert cloud.calls_to("POST /") == 3


async def test_a_rejected_password_waits(
    make_push: MakePush, make_client: MakeClient, cloud: FakeMic, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(push_module, "AUTH_RETRY", 0.05)
    push, heard = make_push(make_client(password="wrong"))
    await until(lambda: heard.connection == [False], what="reported down")
    await asyncio.sleep(0.3)  # several rounds: the client refuses at once, without asking
    assert cloud.calls_to("/auth/login") == 1  # it does not spin
    assert heard.connection == [False]
    started = time.monotonic()
    await push.stop()
    assert time.monotonic() - started < 1


@pytest.mark.usefixtures("fast")
async def test_a_refused_signature_backs_off_and_retries(
    make_push: MakePush, iot: IotBroker, cloud: FakeMic
) -> None:
    iot.refuse_all = True
    push, heard = make_push()
    await until(lambda: len(iot.refusals) >= 3, what="attempts")
    assert not heard.connection
    assert push.last_error is not None
    assert "handshake" in push.last_error.lower()
    assert cloud.calls_to("POST /") >= 3  # new credentials for every attempt
    iot.refuse_all = False
    await until(lambda: push.connected, what="connected at last")


@pytest.mark.usefixtures("fast")
async def test_a_rate_limited_cognito_waits_as_asked(make_push: MakePush, cloud: FakeMic) -> None:
    cloud.fault(
        "POST", "/", 429, {"__type": "TooManyRequestsException"}, headers={"Retry-After": "1"}
    )
    push, _ = make_push()
    await asyncio.sleep(0.5)
    assert not push.connected  # still waiting the second Cognito asked for
    assert push.last_error is not None
    await until(lambda: push.connected, what="connected after the wait")


async def test_refused_subscriptions(
    make_push: MakePush,
    iot: IotBroker,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(push_module, "RETRY_MIN", 0.05)
    iot.refused_subscriptions = {"event/"}
    push, heard = make_push()
    await until(lambda: push.connected, what="connected")
    assert push.refused == {"event/demo", "event/demo/#"}
    await iot.broadcast(f"thing-update/{OFFICE}/env-1", json.dumps(SHADOW))
    await until(lambda: len(heard.shadows) == 1, what="shadows despite refused events")
    await iot.drop_all()
    await until(lambda: push.connects == 2 and push.connected, what="reconnected")
    assert caplog.text.count("MIC refused the subscription to event/demo/#") == 1  # logged once
    assert push.diagnostics()["refused"] == ["event/demo", "event/demo/#"]


async def test_every_subscription_refused_gives_way_to_polling(
    make_push: MakePush,
    iot: IotBroker,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(push_module, "REFUSED_RETRY", 0.05)
    iot.refused_subscriptions = {"event/", "thing-update/"}
    push, heard = make_push()
    await until(lambda: len(iot.connects) >= 3, what="giving way, and trying again")
    assert caplog.text.count("live updates are not available") == 1
    assert not heard.connection
    assert push.last_error == "the broker refused every subscription"


@pytest.mark.usefixtures("fast")
async def test_a_bug_does_not_end_live_updates(
    make_push: MakePush, make_client: MakeClient, caplog: pytest.LogCaptureFixture
) -> None:
    client = make_client()
    real = client.websocket_url
    calls = []

    def broken_once(*args: Any) -> str:
        calls.append(args)
        if len(calls) == 1:
            raise RuntimeError("bug")
        return real(*args)

    client.websocket_url = broken_once  # type: ignore[method-assign]
    push, _ = make_push(client)
    await until(lambda: push.connected, what="connected after the bug")
    assert "Unexpected error in the MIC MQTT connection" in caplog.text


async def test_stop_is_clean(make_push: MakePush, iot: IotBroker) -> None:
    before = asyncio.all_tasks()
    push, heard = make_push()
    await until(lambda: push.connected, what="connected")
    await push.stop()
    assert heard.connection == [True, False]
    await until(lambda: not iot.sockets, what="the websocket closed")

    def left() -> set[asyncio.Task[Any]]:
        """Tasks of ours still there (the fake server's keep-alive handlers are not ours)."""
        tasks = asyncio.all_tasks() - before - {asyncio.current_task()}
        return {t for t in tasks if not t.get_coro().__qualname__.startswith("RequestHandler")}  # type: ignore[union-attr]

    await until(lambda: not left(), what="no tasks left")
    assert all(not thread.name.startswith("paho") for thread in threading.enumerate())
    await push.stop()  # again: nothing to do


async def test_stop_while_connecting_waits_for_the_attempt(
    make_push: MakePush, cloud: FakeMic
) -> None:
    cloud.fault("POST", "/", 200, "{}", delay=0.5)  # a slow Cognito
    push, heard = make_push()
    await asyncio.sleep(0.1)
    started = time.monotonic()
    await push.stop()
    assert 0.2 < time.monotonic() - started < 3
    assert not push.connected
    assert heard.connection == []


async def test_stop_cancels_an_attempt_that_hangs(
    make_push: MakePush, cloud: FakeMic, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(push_module, "CONNECT_TIMEOUT", -4.8)  # stop waits 0.2 s
    cloud.fault("POST", "/", 200, "{}", delay=3)
    push, _ = make_push()
    await asyncio.sleep(0.1)
    started = time.monotonic()
    await push.stop()
    assert time.monotonic() - started < 1


async def test_tls_only_for_wss(make_client: MakeClient, cloud: FakeMic) -> None:
    credentials = await make_client().async_get_aws_credentials()
    client = make_client(aws_endpoint=None)  # AWS itself: wss to the IoT endpoint
    await client.async_login()
    push = MicPush(
        client, on_shadow=lambda *_: None, on_event=lambda _: None, on_connection=lambda _: None
    )
    mqtt = await push._mqtt(credentials, "id")
    assert isinstance(push._ssl_context, ssl.SSLContext)  # made in an executor, once
    assert isinstance(mqtt, aiomqtt.Client)
    given = ssl.create_default_context()
    injected = MicPush(client, on_shadow=lambda *_: None, on_event=lambda _: None,
                       on_connection=lambda _: None, ssl_context=given)  # fmt: skip
    await injected._mqtt(credentials, "id")
    assert injected._ssl_context is given
    plain = MicPush(
        make_client(),
        on_shadow=lambda *_: None,
        on_event=lambda _: None,
        on_connection=lambda _: None,
    )
    await plain._client.async_login()
    await plain._mqtt(credentials, "id")
    assert plain._ssl_context is None  # ws:// needs none


def test_secrets_are_masked_in_paho_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="paho.mqtt.client.telenor_mic")
    logging.getLogger("paho.mqtt.client.telenor_mic").debug(
        "GET /mqtt?X-Amz-Signature=abc123&X-Amz-Security-Token=Fwo%2Fsecret HTTP/1.1"
    )
    assert "abc123" not in caplog.text
    assert "Fwo" not in caplog.text


def test_chatty_paho_info_is_debug(caplog: pytest.LogCaptureFixture) -> None:
    paho = logging.getLogger("paho.mqtt.client.telenor_mic")
    caplog.set_level(logging.INFO, logger=paho.name)
    paho.info("Sending PINGREQ")
    assert "PINGREQ" not in caplog.text
    caplog.set_level(logging.DEBUG, logger=paho.name)
    paho.info("Sending PINGREQ")
    assert caplog.records[-1].levelno == logging.DEBUG
