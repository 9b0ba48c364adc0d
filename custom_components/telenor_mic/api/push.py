"""MIC's live feed: MQTT 3.1.1 over a SigV4-presigned websocket to AWS IoT, through aiomqtt.

Every connection buys fresh Cognito credentials and a new signature (the old ones expire within
the hour), and the connection is renewed RESIGN_MARGIN before they do. It subscribes to
`thing-update/<domain topic>/#` for every domain topic the things live in and to the user's
life-cycle events; shadow updates and events go to callbacks. Desired state is written by a
QoS 1 publish, on the live connection or, while push is down, on one of its own.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from contextlib import suppress
from datetime import UTC, datetime
import logging
import ssl
import time
from typing import Any
from urllib.parse import urlsplit
import uuid

import aiomqtt
from paho.mqtt.reasoncodes import ReasonCode

from .backoff import Backoff
from .client import JWT_PATTERN, SECRET_PATTERN, MicClient
from .exceptions import (
    MicAuthError,
    MicConnectionError,
    MicError,
    MicRateLimitError,
    MicResponseError,
    MicWriteError,
)
from .logfilters import install_filters
from .models import (
    AwsCredentials,
    LifecycleEvent,
    Shadow,
    clean_domain_topic,
    desired_payload,
    is_event_topic,
    parse_event,
    parse_shadow,
    parse_thing_update_topic,
    thing_update_subscription,
    thing_update_topic,
)

_LOGGER = logging.getLogger(__name__)
# paho's own logging, under a name of its own; it logs every packet at DEBUG only.
_PAHO_LOGGER = logging.getLogger("paho.mqtt.client.telenor_mic")
install_filters(
    (_LOGGER.name, _PAHO_LOGGER.name),
    SECRET_PATTERN,
    JWT_PATTERN,
    info_as_debug=(_PAHO_LOGGER.name,),
)

RETRY_MIN = 5.0  # seconds before reconnecting after a drop or a failed attempt
RETRY_MAX = 300.0
STABLE_AFTER = 60.0  # a connection that lasted this long resets the backoff
AUTH_RETRY = RETRY_MAX  # the password was refused: the client fails at once until reauth
# The broker refused every subscription: the user may not read its things over MQTT. Polling
# carries everything; asking again every few minutes would only fill its logs.
REFUSED_RETRY = 1800.0
CONNECT_TIMEOUT = 20.0
KEEPALIVE = 60
RESIGN_MARGIN = 300.0  # reconnect with new credentials this long before the old ones expire
MIN_CONNECTION = 30.0  # but never sooner than this after connecting (a skewed clock)
PUBLISH_TIMEOUT = 10.0
MALFORMED_QUIET = 300.0  # malformed messages this far apart are separate bursts (and logs)
# `event/<domain>/#` also matches `event/<domain>` (MQTT 3.1.1, 4.7.1.2), which is subscribed as
# well: the same event then arrives twice, back to back.
DUPLICATE_WINDOW = 2.0
SUBSCRIPTIONS_PER_PACKET = 8  # AWS IoT's limit per SUBSCRIBE
SUBSCRIPTION_FAILURE = 0x80
QOS_SUBSCRIBE = 0
QOS_DESIRED = 1

type ShadowCallback = Callable[[str, str, Shadow], None]  # (thing_name, domain_topic, shadow)
type EventCallback = Callable[[LifecycleEvent], None]
type ConnectionCallback = Callable[[bool], None]


def minimal_topics(domain_topics: Iterable[str]) -> set[str]:
    """Usable domain topics, without those a parent's subscription covers (a root user's
    `demo` covers `demo/office`: both would deliver each message twice)."""
    clean = sorted(
        {topic for topic in map(clean_domain_topic, domain_topics) if topic is not None}, key=len
    )
    kept: list[str] = []
    for topic in clean:
        if not any(topic == parent or topic.startswith(parent + "/") for parent in kept):
            kept.append(topic)
    return set(kept)


def _refused(code: int | ReasonCode) -> bool:
    return code.is_failure if isinstance(code, ReasonCode) else code >= SUBSCRIPTION_FAILURE


class _Live:
    """The connection `run` keeps, while it is up, for desired-state publishes."""

    __slots__ = ("lost", "mqtt")

    def __init__(self, mqtt: aiomqtt.Client) -> None:
        self.mqtt = mqtt
        self.lost = asyncio.Event()


class MicPush:
    """Keeps the user's MQTT connection until `stop()`: shadow updates to `on_shadow`,
    life-cycle events to `on_event`, every change of the connection to `on_connection`."""

    def __init__(
        self,
        client: MicClient,
        *,
        on_shadow: ShadowCallback,
        on_event: EventCallback,
        on_connection: ConnectionCallback,
        on_resigned: Callable[[], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        """`on_resigned`: called once the connection is back after a re-sign, whose moment of
        reconnecting may have missed an update."""
        self._client = client
        self._on_resigned = on_resigned
        self._resigning = False
        self._on_shadow = on_shadow
        self._on_event = on_event
        self._on_connection = on_connection
        self._clock = clock
        self._ssl_context = ssl_context
        self._identifier = f"ha-mic-{uuid.uuid4().hex[:12]}"
        self._domain_topics: set[str] = set()
        self._subscribed: set[str] = set()
        self._changed = asyncio.Event()
        self._connected = False
        self._auth_waiting = False
        self._live: _Live | None = None
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._warned: set[str] = set()
        self._last_malformed: float | None = None
        self._last_event: tuple[str, bytes | str, float] | None = None
        self.connects = 0
        self.resigns = 0  # reconnects because the credentials were about to expire
        self.messages = 0
        self.malformed = 0
        self.last_error: str | None = None
        self.refused: set[str] = set()  # subscriptions the broker refused

    @property
    def connected(self) -> bool:
        """Up, as `on_connection` last said (a re-sign's brief reconnect does not count)."""
        return self._connected

    def set_topics(self, domain_topics: Iterable[str]) -> None:
        """The domain topics whose things to hear; the live connection follows at once."""
        topics = minimal_topics(domain_topics)
        if topics != self._domain_topics:
            self._domain_topics = topics
            self._changed.set()

    def diagnostics(self) -> dict[str, Any]:
        return {
            "connected": self._connected,
            "connects": self.connects,
            "resigns": self.resigns,
            "messages": self.messages,
            "malformed": self.malformed,
            "last_error": self.last_error,
            "subscriptions": sorted(self._subscribed),
            "refused": sorted(self.refused),
        }

    # --- life cycle --------------------------------------------------------------------------
    async def run(self) -> None:
        """Connect and stay connected until `stop()`."""
        self._task = asyncio.current_task()
        backoff = Backoff(RETRY_MIN, RETRY_MAX)
        while not self._stop.is_set():
            started = self._clock()
            wait = await self._connection()
            if self._stop.is_set():
                return
            if self._clock() - started > STABLE_AFTER:
                backoff.reset()
            wait = wait if wait is not None else backoff.next_delay()
            _LOGGER.debug("Reconnecting to MIC's MQTT in %.0f s", wait)
            with suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), wait)

    async def stop(self) -> None:
        """End `run` with a clean disconnect. Not by cancelling it: cancelled while connecting,
        aiomqtt would leave paho's socket registered with the event loop."""
        self._stop.set()
        task, self._task = self._task, None
        if task is not None and task is not asyncio.current_task() and not task.done():
            try:
                await asyncio.wait_for(asyncio.shield(task), CONNECT_TIMEOUT + 5)
            except TimeoutError:
                task.cancel()
                with suppress(asyncio.CancelledError):
                    await task
        self._set_connected(False)

    # --- one connection ----------------------------------------------------------------------
    async def _connection(self) -> float | None:
        """Connect, subscribe and read until the connection ends; how long to wait before the
        next attempt (None: the backoff decides)."""
        live: _Live | None = None
        resign = False
        try:
            credentials = await self._client.async_get_aws_credentials()
            async with await self._mqtt(credentials, self._identifier) as mqtt:
                self._subscribed.clear()
                if not await self._subscribe(mqtt, self._wanted()):
                    return self._give_way("the broker refused every subscription")
                live = self._live = _Live(mqtt)
                self.connects += 1
                self._auth_waiting = False
                self._set_connected(True)
                self._resigned()
                resign = self._resigning = await self._read(mqtt, self._resign_at(credentials))
                return 0.0 if resign else None
        except MicAuthError:
            if not self._auth_waiting:
                self._auth_waiting = True
                if not self._connected:
                    self._on_connection(False)
            return AUTH_RETRY  # reauth is the coordinator's to ask for; until then, wait
        except MicRateLimitError as err:
            self._failed(err)
            return err.retry_after
        except (aiomqtt.MqttError, MicError, OSError) as err:
            self._failed(err)
        except asyncio.CancelledError:
            raise
        except Exception:  # a bug must not end live updates for good: log it, reconnect
            _LOGGER.exception("Unexpected error in the MIC MQTT connection")
        finally:
            if live is not None:
                live.lost.set()
            self._live = None
            if not resign:  # a re-sign reconnects at once: no news for the coordinator
                self._set_connected(False)
        return None

    def _resigned(self) -> None:
        """Connected again after a re-sign: tell whom it concerns."""
        if self._resigning:
            self._resigning = False
            if self._on_resigned is not None:
                self._on_resigned()

    def _resign_at(self, credentials: AwsCredentials) -> float:
        """When to reconnect with new credentials: RESIGN_MARGIN before these expire (by the
        wall clock, as AWS judges them), halfway for short-lived ones."""
        remaining = (credentials.expiration - datetime.now(UTC)).total_seconds()
        return self._clock() + max(remaining - RESIGN_MARGIN, remaining / 2, MIN_CONNECTION)

    async def _read(self, mqtt: aiomqtt.Client, resign_at: float) -> bool:
        """Hand over messages until the connection ends or `stop()` asks to leave (False), or
        until the credentials near their end (True: reconnect at once, newly signed)."""
        stopping = asyncio.ensure_future(self._stop.wait())
        changed = asyncio.ensure_future(self._changed.wait())
        messages = aiter(mqtt.messages)
        incoming: asyncio.Future[aiomqtt.Message] | None = None
        try:
            while not self._stop.is_set():
                remaining = resign_at - self._clock()
                if remaining <= 0:
                    self.resigns += 1
                    _LOGGER.debug("MIC credentials expire soon: reconnecting with new ones")
                    return True
                if incoming is None:
                    incoming = asyncio.ensure_future(anext(messages))
                await asyncio.wait(
                    (incoming, stopping, changed),
                    timeout=remaining,
                    return_when=asyncio.FIRST_COMPLETED,
                )
                if incoming.done():
                    message, incoming = incoming.result(), None
                    self._handle(str(message.topic), message.payload)
                if changed.done():
                    self._changed.clear()
                    changed = asyncio.ensure_future(self._changed.wait())
                    await self._update_subscriptions(mqtt)
            return False
        finally:
            for future in (stopping, changed, incoming):
                if future is not None and not future.done():
                    future.cancel()
                    with suppress(asyncio.CancelledError, aiomqtt.MqttError):
                        await future

    async def _mqtt(self, credentials: AwsCredentials, identifier: str) -> aiomqtt.Client:
        """An MQTT client for the presigned websocket (TLS for wss only)."""
        url = self._client.websocket_url(credentials)
        parts = urlsplit(url)
        secure = parts.scheme == "wss"
        if secure and self._ssl_context is None:
            # Loading the CA bundle blocks: not in the event loop (Home Assistant passes its own).
            loop = asyncio.get_running_loop()
            self._ssl_context = await loop.run_in_executor(None, ssl.create_default_context)
        return aiomqtt.Client(
            parts.hostname or "",
            parts.port or (443 if secure else 80),
            identifier=identifier,
            logger=_PAHO_LOGGER,
            keepalive=KEEPALIVE,
            timeout=CONNECT_TIMEOUT,
            clean_session=True,
            protocol=aiomqtt.ProtocolVersion.V311,
            transport="websockets",
            websocket_path=f"{parts.path}?{parts.query}",
            tls_context=self._ssl_context if secure else None,
        )

    # --- subscriptions -----------------------------------------------------------------------
    def _wanted(self) -> set[str]:
        user = self._client.user
        wanted = set(user.event_topics) if user is not None else set()
        # the domain topics are clean (minimal_topics): each has its subscription
        wanted.update(filter(None, map(thing_update_subscription, self._domain_topics)))
        return wanted

    async def _subscribe(self, mqtt: aiomqtt.Client, topics: Iterable[str]) -> bool:
        """Subscribe (SUBSCRIPTIONS_PER_PACKET at a time); a refusal is logged once per topic.
        False when there was something to subscribe and the broker refused all of it."""
        ordered = sorted(topics)
        granted = 0
        for start in range(0, len(ordered), SUBSCRIPTIONS_PER_PACKET):
            chunk = ordered[start : start + SUBSCRIPTIONS_PER_PACKET]
            codes: Sequence[int | ReasonCode] = await mqtt.subscribe(
                [(topic, QOS_SUBSCRIBE) for topic in chunk], timeout=CONNECT_TIMEOUT
            )
            for topic, code in zip(chunk, codes, strict=False):
                if _refused(code):
                    self._refuse(topic)
                else:
                    granted += 1
                    self.refused.discard(topic)
                    self._subscribed.add(topic)
        return granted > 0 or not ordered

    async def _update_subscriptions(self, mqtt: aiomqtt.Client) -> None:
        wanted = self._wanted()
        gone = sorted(self._subscribed - wanted)
        if gone:
            await mqtt.unsubscribe(gone, timeout=CONNECT_TIMEOUT)
            self._subscribed.difference_update(gone)
        await self._subscribe(mqtt, wanted - self._subscribed - self.refused)

    def _refuse(self, topic: str) -> None:
        self.refused.add(topic)
        if topic not in self._warned:
            self._warned.add(topic)
            _LOGGER.warning(
                "MIC refused the subscription to %s; its updates come by polling", topic
            )

    def _give_way(self, reason: str) -> float:
        self.last_error = reason
        if "refused" not in self._warned:
            self._warned.add("refused")
            _LOGGER.warning(
                "MIC live updates are not available (%s); polling instead, trying again "
                "every %.0f minutes",
                reason,
                REFUSED_RETRY / 60,
            )
        return REFUSED_RETRY

    def _failed(self, err: Exception) -> None:
        self.last_error = f"{type(err).__name__}: {err}"[:200]
        _LOGGER.debug("MIC MQTT connection ended: %s", self.last_error)

    def _set_connected(self, connected: bool) -> None:
        if connected != self._connected:
            self._connected = connected
            self._on_connection(connected)

    # --- messages ----------------------------------------------------------------------------
    def _handle(self, topic: str, payload: object) -> None:
        """One message: a shadow update or an event to its callback; a message on a topic
        this client does not know is ignored, a malformed one skipped."""
        thing = parse_thing_update_topic(topic)
        if thing is None and not is_event_topic(topic):
            _LOGGER.debug("Ignoring a message on %s", topic)
            return
        if isinstance(payload, bytearray):
            payload = bytes(payload)
        if not isinstance(payload, bytes | str):
            self._malformed(topic)
            return
        try:
            if thing is not None:
                shadow = parse_shadow(payload)
                if not shadow.reported:  # a desired-state write (ours or another's) echoed
                    return
                domain_topic, thing_name = thing
                self.messages += 1
                self._deliver(self._on_shadow, thing_name, domain_topic, shadow)
            else:
                if self._duplicate(topic, payload):
                    return
                event = parse_event(payload)
                self.messages += 1
                self._deliver(self._on_event, event)
        except MicResponseError:
            self._malformed(topic)

    def _duplicate(self, topic: str, payload: bytes | str) -> bool:
        """The event just heard, heard again through the overlapping subscription."""
        now = self._clock()
        last, self._last_event = self._last_event, (topic, payload, now)
        return (
            last is not None and last[:2] == (topic, payload) and now - last[2] < DUPLICATE_WINDOW
        )

    @staticmethod
    def _deliver(callback: Callable[..., None], *args: Any) -> None:
        try:
            callback(*args)
        except Exception:  # the feed outlives a failing consumer
            _LOGGER.exception("Error handling a MIC MQTT message")

    def _malformed(self, topic: str) -> None:
        """Skip it; log once per burst, not once per message of a flood."""
        self.malformed += 1
        now = self._clock()
        if self._last_malformed is None or now - self._last_malformed > MALFORMED_QUIET:
            _LOGGER.warning(
                "Skipping a malformed MIC MQTT message on %s; the diagnostics count further ones",
                topic,
            )
        self._last_malformed = now

    # --- desired state -----------------------------------------------------------------------
    async def async_publish_desired(
        self, domain_topic: str, thing_name: str, desired: Mapping[str, object]
    ) -> None:
        """Publish `{"state": {"desired": ...}}` (QoS 1) on the live connection or, while push
        is down, on a connection of its own; MicWriteError when the cloud closes the
        connection before acknowledging (AWS IoT's answer to a refused publish);
        MicConnectionError when there is no connection or no acknowledgement within
        PUBLISH_TIMEOUT."""
        try:
            topic = thing_update_topic(domain_topic, thing_name)
            payload = desired_payload(desired)
        except (ValueError, TypeError) as err:
            raise MicWriteError(f"cannot write to {thing_name}: {err}") from None
        live = self._live
        if live is not None:
            await self._publish(live, topic, payload)
            return
        credentials = await self._client.async_get_aws_credentials()
        identifier = f"ha-mic-write-{uuid.uuid4().hex[:12]}"
        try:
            async with await self._mqtt(credentials, identifier) as mqtt:
                own = _Live(mqtt)
                watcher = asyncio.ensure_future(self._watch(own))
                try:
                    await self._publish(own, topic, payload)
                finally:
                    watcher.cancel()
                    with suppress(asyncio.CancelledError):
                        await watcher
        except aiomqtt.MqttError as err:  # no connection at all: nothing was refused
            raise MicConnectionError(f"no MQTT connection to write to {thing_name}: {err}") from err

    @staticmethod
    async def _watch(live: _Live) -> None:
        """Notice when a connection without a reader ends."""
        with suppress(aiomqtt.MqttError):
            async for _message in live.mqtt.messages:
                continue  # pragma: no cover - nothing is subscribed on this connection
        live.lost.set()

    async def _publish(self, live: _Live, topic: str, payload: str) -> None:
        """QoS 1 on `live`: done at the PUBACK; MicWriteError when the connection ends first,
        MicConnectionError when no PUBACK comes within PUBLISH_TIMEOUT (aiomqtt's own timeout)."""
        publishing = asyncio.ensure_future(
            live.mqtt.publish(topic, payload, qos=QOS_DESIRED, timeout=PUBLISH_TIMEOUT)
        )
        losing = asyncio.ensure_future(live.lost.wait())
        try:
            await asyncio.wait((publishing, losing), return_when=asyncio.FIRST_COMPLETED)
        finally:
            await _cancel(losing)
            if not publishing.done():
                await _cancel(publishing)
        error = publishing.exception() if not publishing.cancelled() else None
        if not publishing.cancelled() and error is None:
            return
        if live.lost.is_set():
            raise MicWriteError(
                f"MIC closed the connection instead of acknowledging the write to {topic} "
                "(refused: the user may not write this thing)"
            )
        raise MicConnectionError(f"MIC did not acknowledge the write to {topic}: {error}")


async def _cancel(future: Awaitable[Any]) -> None:
    task = asyncio.ensure_future(future)
    task.cancel()
    with suppress(asyncio.CancelledError, aiomqtt.MqttError):
        await task
