"""MyHarvia push: AppSync GraphQL subscriptions, one per device, through gql.

The id token is part of the realtime URL, so the connection is rebuilt with a fresh token before
it expires, and after any failure with jittered exponential backoff. The `receiver` of the device
feeds is the device id (the document's cognito:username receives nothing on the live cloud).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import AsyncExitStack, suppress
import json
import logging
import re
import reprlib
import ssl
import time
from typing import Any

from gql import Client, gql as parse_graphql
from gql.client import AsyncClientSession
from gql.transport.appsync_auth import AppSyncJWTAuthentication
from gql.transport.appsync_websockets import AppSyncWebsocketsTransport
from graphql import DocumentNode, ExecutionResult

from .backoff import Backoff
from .client import TOKEN_MARGIN_S, HarviaClient
from .exceptions import HarviaAuthError, HarviaRateLimitError
from .logfilters import install_filters
from .models import (
    DEFAULT_CABIN,
    CabinState,
    GraphQLEndpoint,
    MeasurementUpdate,
    StateUpdate,
    Telemetry,
    parse_json_object,
)

_LOGGER = logging.getLogger(__name__)
# gql logs every frame, the subscriptions' authorization (the id token) included, and websockets
# the connection URL, whose `header` parameter carries the token too.
_JWT = re.compile(r"eyJ[\w-]+\.[\w-]+\.[\w-]+")
_URL_HEADER = re.compile(r"(header=)[^&\s'\"]+")
GQL_FRAME_LOGGER = "gql.transport.websockets"  # every frame at INFO, which HA shows by default
TRANSPORT_LOGGERS = ("gql.transport.appsync", GQL_FRAME_LOGGER, "websockets.client")
install_filters(
    (__name__, *TRANSPORT_LOGGERS), _JWT, _URL_HEADER, info_as_debug=(GQL_FRAME_LOGGER,)
)

STATE_FEED = parse_graphql(
    "subscription StateFeed($receiver: ID!) { devicesStatesUpdateFeed(receiver: $receiver) {"
    " receiver item { deviceId shadowName desired reported timestamp version"
    " connectionState { connected updatedTimestamp } } } }"
)
MEASUREMENT_FEED = parse_graphql(
    "subscription MeasurementFeed($receiver: ID!) { devicesMeasurementsUpdateFeed("
    "receiver: $receiver) { receiver item { deviceId subId timestamp sessionId type data } } }"
)
SUBSCRIPTIONS_PER_CONNECTION = 100  # AppSync's limit per websocket is higher; stay well below
KEEPALIVE_TIMEOUT_S = 300  # AppSync's connectionTimeoutMs: no `ka` for this long = dead
BACKOFF_MIN_S = 2.0  # the first retry comes after 1-2 s (jitter), then doubling
BACKOFF_MAX_S = 300.0


def parse_state_notice(result: Any) -> StateUpdate | None:
    """A devicesStatesUpdateFeed result, or None when it is malformed."""
    try:
        item = result["devicesStatesUpdateFeed"]["item"]
        device_id = item["deviceId"]
    except (KeyError, TypeError):
        return None
    reported = item.get("reported")
    if reported not in (None, "null") and parse_json_object(reported) is None:
        return None  # a corrupt shadow must not be replaced by `desired`
    return StateUpdate(
        device_id=str(device_id),
        cabin=CabinState.from_shadow_item(
            item,
            cabin_id=str(item.get("shadowName") or DEFAULT_CABIN),
            reported=None if reported == "null" else reported,
        ),
    )


def parse_measurement_notice(result: Any) -> MeasurementUpdate | None:
    try:
        notice = result["devicesMeasurementsUpdateFeed"]
        item = notice["item"]
        # The receiver is the device id; items without their envelope may leave it out.
        device_id = item.get("deviceId") or notice["receiver"]
    except (KeyError, TypeError, AttributeError):
        return None
    telemetry = Telemetry.from_api(item)
    return None if telemetry is None else MeasurementUpdate(str(device_id), telemetry)


class FrameSkippingTransport(AppSyncWebsocketsTransport):
    """gql's AppSync transport, except that a frame that is not JSON at all is skipped (and
    reported) instead of closing the connection, and with it every subscription on it."""

    def __init__(self, *, on_unreadable: Callable[[str], None], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._on_unreadable = on_unreadable

    def _parse_answer(self, answer: str) -> tuple[str, int | None, ExecutionResult | None]:
        try:
            json.loads(answer)
        except (ValueError, RecursionError):
            self._on_unreadable(answer)
            return ("skipped", None, None)  # no query id: no listener receives it
        return super()._parse_answer(answer)


class HarviaPush:
    """Keeps subscriptions for a set of devices alive and hands updates to callbacks."""

    def __init__(
        self,
        client: HarviaClient,
        on_state: Callable[[StateUpdate], None],
        on_measurement: Callable[[MeasurementUpdate], None],
        on_connection: Callable[[bool], None],
        *,
        ssl_context: ssl.SSLContext | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._client = client
        self._on_state = on_state
        self._on_measurement = on_measurement
        self._on_connection = on_connection
        self._ssl = ssl_context
        self._clock = clock
        self._device_ids: tuple[str, ...] = ()
        self._changed = asyncio.Event()
        self._connected = False
        self._backoff = Backoff(BACKOFF_MIN_S, BACKOFF_MAX_S)
        self._warned_malformed: set[str] = set()
        self.malformed_notices = 0
        self.connects = 0

    @property
    def connected(self) -> bool:
        return self._connected

    def set_devices(self, device_ids: Iterable[str]) -> None:
        """Subscribe to these devices (resubscribes when the set changes)."""
        wanted = tuple(sorted(set(device_ids)))
        if wanted != self._device_ids:
            self._device_ids = wanted
            self._changed.set()

    def _set_connected(self, connected: bool) -> None:
        if connected != self._connected:
            self._connected = connected
            self._on_connection(connected)

    async def run(self) -> None:
        """Run until cancelled: connect, stay subscribed, reconnect with backoff."""
        while True:
            self._changed.clear()
            if not self._device_ids:
                self._set_connected(False)
                await self._changed.wait()
                continue
            try:
                await self._connect_once()
            except asyncio.CancelledError:
                self._set_connected(False)
                raise
            except HarviaAuthError as err:
                # The password was refused: retrying would only send it again. The poll path
                # owns reauth, which reloads the entry and with it a new push.
                self._set_connected(False)
                _LOGGER.debug("push: not authorised (%s); stopping until reauth", err)
                return
            except Exception as err:  # noqa: BLE001  (any transport failure means: back off, retry)
                self._set_connected(False)
                delay = self._backoff.next_delay()
                if isinstance(err, HarviaRateLimitError):  # the cloud said when to come back
                    delay = max(delay, err.retry_after)
                log = _LOGGER.warning if self._backoff.failures == 1 else _LOGGER.debug
                log("Harvia push connection lost (%r); retrying in %.0f s", err, delay)
                await self._sleep_or_change(delay)

    async def _sleep_or_change(self, delay: float) -> None:
        with suppress(TimeoutError):
            await asyncio.wait_for(self._changed.wait(), delay)

    async def _connect_once(self) -> None:
        """One connection per service and chunk of devices; returns when the token is about to
        expire or the device set changed, raises when a connection fails."""
        token = await self._client.async_id_token(force_refresh=self._backoff.failures > 0)
        endpoints = await self._client.async_get_endpoints()
        feeds = [("device", STATE_FEED, self._handle_state)]
        if "data" in endpoints.graphql:
            feeds.append(("data", MEASUREMENT_FEED, self._handle_measurement))
        devices = self._device_ids
        tasks: list[asyncio.Task[None]] = []
        changed = asyncio.create_task(self._changed.wait())
        async with AsyncExitStack() as stack:
            try:
                for service, query, handler in feeds:
                    endpoint = endpoints.graphql[service]
                    for start in range(0, len(devices), SUBSCRIPTIONS_PER_CONNECTION):
                        session = await stack.enter_async_context(
                            Client(transport=self._transport(endpoint, token))
                        )
                        chunk = devices[start : start + SUBSCRIPTIONS_PER_CONNECTION]
                        tasks += [
                            asyncio.create_task(self._consume(session, query, device_id, handler))
                            for device_id in chunk
                        ]
                self.connects += 1
                self._backoff.reset()
                self._set_connected(True)
                renew_in = max(1.0, self._client.token_expires_at - TOKEN_MARGIN_S - self._clock())
                done, _ = await asyncio.wait(
                    [*tasks, changed], timeout=renew_in, return_when=asyncio.FIRST_COMPLETED
                )
            finally:
                # Also when connecting failed half-way or we were cancelled: no task may leak.
                for task in [*tasks, changed]:
                    task.cancel()
                await asyncio.gather(*tasks, changed, return_exceptions=True)
        for task in done:
            if task is not changed and task.exception() is not None:
                raise task.exception()  # type: ignore[misc]
        if not done:
            _LOGGER.debug("push: renewing the connection before the token expires")

    def _transport(self, endpoint: GraphQLEndpoint, token: str) -> AppSyncWebsocketsTransport:
        secure = endpoint.wss.startswith("wss://")
        return FrameSkippingTransport(
            on_unreadable=lambda frame: self._skip("frame", frame),
            url=endpoint.wss,
            auth=AppSyncJWTAuthentication(host=endpoint.host, jwt=f"Bearer {token}"),
            ssl=self._ssl if secure and self._ssl is not None else secure,
            keep_alive_timeout=KEEPALIVE_TIMEOUT_S,
        )

    async def _consume(
        self,
        session: AsyncClientSession,
        query: DocumentNode,
        device_id: str,
        handler: Callable[[dict[str, Any]], None],
    ) -> None:
        results: AsyncIterator[dict[str, Any]] = session.subscribe(
            query, variable_values={"receiver": device_id}
        )
        async for result in results:
            handler(result)
        raise ConnectionError("subscription ended")

    def _skip(self, kind: str, result: Any, error: BaseException | None = None) -> None:
        """Log the first malformed notice of a kind; a flood of them only counts."""
        self.malformed_notices += 1
        if kind in self._warned_malformed:
            return
        self._warned_malformed.add(kind)
        reason = f" ({error!r:.200})" if error is not None else ""
        _LOGGER.warning(
            "Skipping a malformed Harvia %s notice%s: %s; later ones are skipped silently",
            kind,
            reason,
            reprlib.repr(result),
        )

    def _handle_state(self, result: dict[str, Any]) -> None:
        # Whatever one frame holds, it must not end the subscription the next frame comes on.
        try:
            update = parse_state_notice(result)
            if update is not None:
                self._on_state(update)
        except Exception as err:  # noqa: BLE001  (contained to this frame)
            self._skip("state", result, err)
        else:
            if update is None:
                self._skip("state", result)

    def _handle_measurement(self, result: dict[str, Any]) -> None:
        try:
            update = parse_measurement_notice(result)
            if update is not None:
                self._on_measurement(update)
        except Exception as err:  # noqa: BLE001  (contained to this frame)
            self._skip("measurement", result, err)
        else:
            if update is None:
                self._skip("measurement", result)
