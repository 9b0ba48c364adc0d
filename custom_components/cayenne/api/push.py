"""Cayenne's live feed: the account's things' MQTT data messages, through aiomqtt.

One connection per account with the broker credentials `POST /v1.1/clients` hands out; it
subscribes to every thing's data and command responses. The REST API stays the backbone
(../shared/notes/cloud-facts.md: whether a third-party client may read other things' topics is
unconfirmed), so a refused subscription is logged once and retried rarely, and a refused login
fetches the credentials again once before it waits.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from contextlib import suppress
import logging
import re
import ssl
import time
import uuid

import aiomqtt
from paho.mqtt.reasoncodes import ReasonCode

from .backoff import Backoff
from .client import CayenneClient
from .exceptions import CayenneAuthError, CayenneError
from .logfilters import install_filters
from .models import MqttCredentials
from .mqtt import (
    TOPIC_VERSION,
    DataMessage,
    Response,
    TopicKind,
    data_subscription,
    parse_message,
    parse_topic,
    response_topic,
)

_LOGGER = logging.getLogger(__name__)
# paho's own logging, under the name the manifest lists; it logs every packet at DEBUG only.
_PAHO_LOGGER = logging.getLogger("paho.mqtt.client.cayenne")
SECRET_PATTERN = re.compile(r"((?:password|secret)['\"]?\s*[:=]\s*['\"]?)[^'\"\s,}]+", re.I)
install_filters((_LOGGER.name, _PAHO_LOGGER.name), SECRET_PATTERN)

RETRY_MIN = 5.0  # seconds before reconnecting after a drop or a failed attempt
RETRY_MAX = 300.0
STABLE_AFTER = 60.0  # a connection that lasted this long resets the backoff
# The broker refused our subscription or credentials: the account may not read its things over
# MQTT. Polling carries everything; asking again every few minutes would only fill its logs.
REFUSED_RETRY = 1800.0
CONNECT_TIMEOUT = 20.0
KEEPALIVE = 60
# CONNACK codes (MQTT 3.1.1) that judge the credentials, not the broker's health.
CREDENTIAL_CODES = frozenset({4, 5, 0x86, 0x87})  # and paho's MQTT 5 reason codes for them
SUBSCRIPTION_FAILURE = 0x80

type DataCallback = Callable[[list[DataMessage]], None]
type ResponseCallback = Callable[[str, Response], None]
type ConnectionCallback = Callable[[bool], None]


class SubscriptionRefusedError(CayenneError):
    """The broker answered a subscription with a failure code."""


async def _subscribe(mqtt: aiomqtt.Client, username: str) -> None:
    """Every thing's data and command responses; raises when the broker refuses."""
    granted = await mqtt.subscribe(
        [
            (data_subscription(username), 0),
            (response_topic(username, "+"), 0),
            # actuator states as the document's own example publishes them
            (f"{TOPIC_VERSION}/{username}/things/+/{TopicKind.DIGITAL}/+", 0),
            (f"{TOPIC_VERSION}/{username}/things/+/{TopicKind.ANALOG}/+", 0),
        ],
        timeout=CONNECT_TIMEOUT,
    )
    if any(
        (code.is_failure if isinstance(code, ReasonCode) else code >= SUBSCRIPTION_FAILURE)
        for code in granted
    ):
        raise SubscriptionRefusedError("the broker refused the subscription")


class CayennePush:
    """Keeps the account's MQTT connection until `stop()`; gives data messages to `on_data`,
    command responses to `on_response` (with the thing's id) and every change of the
    connection to `on_connection`."""

    def __init__(
        self,
        client: CayenneClient,
        *,
        host: str,
        port: int,
        tls_context: ssl.SSLContext | None,
        on_data: DataCallback,
        on_response: ResponseCallback,
        on_connection: ConnectionCallback,
    ) -> None:
        self._client = client
        self.host = host
        self.port = port
        self._tls_context = tls_context
        self._on_data = on_data
        self._on_response = on_response
        self._on_connection = on_connection
        self._identifier = f"ha-cayenne-{uuid.uuid4().hex[:12]}"
        self._credentials: MqttCredentials | None = None
        self.connected = False
        self.connects = 0
        self.messages = 0
        self.malformed = 0
        self.last_error: str | None = None
        self.refused: str | None = None  # why the broker refused us, while it does
        self._warned: set[str] = set()
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    # --- life cycle --------------------------------------------------------------------------
    async def run(self) -> None:
        """Connect and stay connected until `stop()`."""
        self._task = asyncio.current_task()
        backoff = Backoff(RETRY_MIN, RETRY_MAX)
        while not self._stop.is_set():
            started = time.monotonic()
            wait = await self._connection()
            if self._stop.is_set():
                return
            if time.monotonic() - started > STABLE_AFTER:
                backoff.reset()
            wait = wait if wait is not None else backoff.next_delay()
            _LOGGER.debug("Reconnecting to the Cayenne broker in %.0f s", wait)
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
        """Connect, subscribe and read until the connection ends; returns how long to wait
        before the next attempt (None: the backoff decides)."""
        fresh = self._credentials is None
        try:
            credentials = await self._get_credentials()
            async with self._mqtt(credentials) as mqtt:
                await _subscribe(mqtt, credentials.username)
                self.connects += 1
                self.refused = None
                self._warned.discard("refused")
                self._set_connected(True)
                await self._read(mqtt)
        except CayenneAuthError:
            return RETRY_MAX  # the coordinator asks for reauth; nothing to do here until then
        except SubscriptionRefusedError as err:
            return self._give_way(str(err))
        except aiomqtt.MqttCodeError as err:
            code = err.rc.value if isinstance(err.rc, ReasonCode) else err.rc
            if code in CREDENTIAL_CODES:
                self._credentials = None
                if not fresh:  # they may have been rotated: fetch them again, once
                    return RETRY_MIN
                return self._give_way(f"the broker refused the credentials ({err})")
            self._failed(err)
        except (aiomqtt.MqttError, CayenneError, OSError) as err:
            self._failed(err)
        except asyncio.CancelledError:
            raise
        except Exception:  # a bug must not end live updates for good: log it, reconnect
            _LOGGER.exception("Unexpected error in the Cayenne MQTT connection")
        finally:
            self._set_connected(False)
        return None

    async def _read(self, mqtt: aiomqtt.Client) -> None:
        """Hand over messages until the connection ends or `stop()` asks to leave."""
        stopping = asyncio.ensure_future(self._stop.wait())
        messages = aiter(mqtt.messages)
        try:
            while not self._stop.is_set():
                incoming = asyncio.ensure_future(anext(messages))
                await asyncio.wait((incoming, stopping), return_when=asyncio.FIRST_COMPLETED)
                if not incoming.done():
                    incoming.cancel()
                    with suppress(asyncio.CancelledError):
                        await incoming
                    return
                message = incoming.result()
                self._handle(str(message.topic), message.payload)
        finally:
            stopping.cancel()

    def _mqtt(self, credentials: MqttCredentials) -> aiomqtt.Client:
        return aiomqtt.Client(
            self.host,
            self.port,
            username=credentials.username,
            password=credentials.password,
            identifier=self._identifier,
            logger=_PAHO_LOGGER,
            keepalive=KEEPALIVE,
            timeout=CONNECT_TIMEOUT,
            clean_session=True,
            tls_context=self._tls_context,
        )

    async def _get_credentials(self) -> MqttCredentials:
        if self._credentials is None:
            self._credentials = await self._client.async_get_mqtt_credentials()
        return self._credentials

    def _give_way(self, reason: str) -> float:
        """The broker will not serve this account: polling carries on alone."""
        self.refused = reason
        if "refused" not in self._warned:
            self._warned.add("refused")
            _LOGGER.warning(
                "Cayenne live updates are not available (%s); polling instead, trying again "
                "every %.0f minutes",
                reason,
                REFUSED_RETRY / 60,
            )
        return REFUSED_RETRY

    def _failed(self, err: Exception) -> None:
        self.last_error = f"{type(err).__name__}: {err}"[:200]
        _LOGGER.debug("Cayenne MQTT connection ended: %s", self.last_error)

    def _set_connected(self, connected: bool) -> None:
        if connected != self.connected:
            self.connected = connected
            self._on_connection(connected)

    # --- messages ----------------------------------------------------------------------------
    def _handle(self, topic: str, payload: object) -> None:
        parsed = parse_message(topic, payload)
        if parsed is None:
            self._malformed(topic)
            return
        where, message = parsed
        self.messages += 1
        if isinstance(message, list):
            self._on_data(message)
        elif isinstance(message, Response):
            self._on_response(where.client_id, message)

    def _malformed(self, topic: str) -> None:
        """Skip it; log once per kind of topic, not once per message of a flood."""
        self.malformed += 1
        parsed = parse_topic(topic)
        kind = parsed.kind if parsed is not None else "unknown topic"
        if kind not in self._warned:
            self._warned.add(kind)
            _LOGGER.warning(
                "Skipping a malformed Cayenne MQTT message (%s); the diagnostics count "
                "further ones",
                kind if kind != TopicKind.JSON else "data/json",
            )
