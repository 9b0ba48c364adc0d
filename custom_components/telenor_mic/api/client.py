"""Telenor Managed IoT Cloud (MIC) REST client: manifests, tokens, GraphQL, search, Cognito.

Bootstrap: the manifest service maps the App Board host to its stack (`ApiGatewayRootUrl`,
`StackName`), whose `metadata/manifest` names the API key, region, user pool and IoT endpoint.
Then `/auth/login` gives an id token (a JWT, one hour), a refresh token and the Cognito identity;
the id token buys temporary AWS credentials for the MQTT websocket (see push.py).
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
import json
import logging
import re
import time
from typing import Any
from urllib.parse import urlsplit

import aiohttp

from .exceptions import (
    ManifestProblem,
    MicAuthError,
    MicConnectionError,
    MicManifestError,
    MicNotAuthorizedError,
    MicNotFoundError,
    MicRateLimitError,
    MicRequestError,
    MicResponseError,
    MicTooDeepError,
)
from .logfilters import install_filters
from .models import (
    ALL_THINGS_QUERY,
    COGNITO_CONTENT_TYPE,
    COGNITO_NOT_AUTHORIZED,
    COGNITO_NOT_FOUND,
    COGNITO_TARGET,
    COGNITO_THROTTLED,
    FIND_OBSERVATIONS_PATH,
    FIND_THINGS_PATH,
    GRAPHQL_PATH,
    HEADER_AMZ_TARGET,
    HEADER_API_KEY,
    HEADER_AUTHORIZATION,
    HEADER_IDENTITY,
    HOSTNAME_PARAM,
    KEY_NOT_AUTHORIZED,
    KEY_NOT_FOUND_SUFFIX,
    LOGIN_PATH,
    MAX_JSON_DEPTH,
    REFRESH_PATH,
    THING_TYPES_PATH,
    UNREADABLE,
    AwsCredentials,
    ErrorBody,
    GraphQLAnswer,
    Manifest,
    Observation,
    Session,
    Thing,
    ThingDetails,
    ThingPage,
    ThingType,
    User,
    alias,
    aliased_variables,
    all_things_variables,
    as_float,
    cognito_body,
    find_body,
    graphql_body,
    login_body,
    nested_within,
    observations_body,
    parse_all_things,
    parse_found_things,
    parse_observations,
    parse_thing_types,
    refresh_body,
    thing_details_query,
    thing_type_resources_query,
)
from .retryafter import retry_after
from .sigv4 import presign_url

_LOGGER = logging.getLogger(__name__)
# What must never reach a log: tokens, passwords, AWS secrets and signatures, in JSON, query
# strings and headers alike; and any JWT wherever it stands.
SECRET_PATTERN = re.compile(
    r"((?:token|refreshToken|password|SessionToken|SecretKey|X-Amz-Signature"
    r"|X-Amz-Security-Token|Authorization)['\"]?\s*[:=]\s*['\"]?)[^'\"\s,}&]+",
    re.IGNORECASE,
)
JWT_PATTERN = re.compile(r"eyJ[\w-]+\.[\w-]+\.[\w-]*")
install_filters((_LOGGER.name,), SECRET_PATTERN, JWT_PATTERN)

DEFAULT_MANIFEST_URL = "https://1u31fuekv5.execute-api.eu-west-1.amazonaws.com/prod/manifest/"
DOCUMENT_MANIFEST_URL = "https://wrd4rfaqo1.execute-api.eu-west-1.amazonaws.com/Prod/manifest/"
BATCH_SIZE = 50  # aliased GraphQL queries per request
PAGE_SIZE = 100  # allThings caps a page at 100
MAX_OBSERVATION_PAGE = 1000
MAX_PAGES = 1000  # a cloud that ignores `from` must not keep us paging forever
ASSUMED_TOKEN_LIFETIME = 3600.0  # a token without a readable `exp`
MIN_TOKEN_LIFETIME = 300.0  # when only our wall clock dates the token, trust it this long
MAX_TOKEN_MARGIN = 60.0  # renew this long before expiry (less for short-lived tokens)
MAX_BODY = 20_000_000  # characters


def jwt_claims(token: str) -> dict[str, Any]:
    """The (unverified) claims of a JWT; the cloud verifies it, we only read when it expires."""
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError, RecursionError):
        return {}
    return claims if isinstance(claims, dict) else {}


def token_lifetime(token: str, wall_now: float) -> float:
    """Seconds the id token lives: `exp - iat` (immune to a simulated or skewed cloud clock),
    else `exp` against our wall clock (at least MIN_TOKEN_LIFETIME), else an hour."""
    claims = jwt_claims(token)
    expires = as_float(claims.get("exp"))
    issued = as_float(claims.get("iat"))
    if expires is not None and issued is not None and expires > issued:
        return expires - issued
    if expires is not None:
        return max(expires - wall_now, MIN_TOKEN_LIFETIME)
    return ASSUMED_TOKEN_LIFETIME


def app_board_host(host: str) -> str:
    """The App Board host name, also when given as a URL."""
    host = host.strip().lower()
    for prefix in ("https://", "http://"):
        host = host.removeprefix(prefix)
    return host.split("/", 1)[0]


def request_error(status: int, body: Any) -> MicRequestError:
    """The error a refused request stands for, by its messageKey (or Cognito's `__type`)."""
    error = ErrorBody.parse(body)
    key = error.key or ""
    error_class: type[MicRequestError] = MicRequestError
    if key == KEY_NOT_AUTHORIZED:
        error_class = MicNotAuthorizedError
    elif status == 404 or key.endswith(KEY_NOT_FOUND_SUFFIX) or key == COGNITO_NOT_FOUND:
        error_class = MicNotFoundError
    return error_class(status, error.message, error.key, error.params)


@contextmanager
def _reading(what: str) -> Iterator[None]:
    """Any failure to read an answer becomes MicResponseError."""
    try:
        yield
    except UNREADABLE as err:
        raise MicResponseError(f"unreadable {what}: {err!r:.200}") from None


def _chunks[T](items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(value for value in values if isinstance(value, str) and value))


class MicClient:
    """One App Board user. Safe to share between tasks; token renewals are serialised."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        host: str,
        username: str,
        password: str,
        *,
        manifest_url: str = DEFAULT_MANIFEST_URL,
        aws_endpoint: str | None = None,
        request_timeout: float = 20.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._session = session
        self.host = app_board_host(host)
        self.username = username
        self._password = password
        self.manifest_url = manifest_url
        self.aws_endpoint = aws_endpoint.rstrip("/") if aws_endpoint else None
        self._timeout = aiohttp.ClientTimeout(total=request_timeout)
        self._clock = clock
        self.manifest: Manifest | None = None
        self.user: User | None = None
        self.identity_id: str | None = None
        self._token: str | None = None
        self._token_expires = 0.0
        self._token_margin = MAX_TOKEN_MARGIN
        self._refresh_token: str | None = None
        self._generation = 0  # counts tokens, so that a renewal happens once for many callers
        self._token_lock = asyncio.Lock()
        self._manifest_lock = asyncio.Lock()
        # The cloud refused this password: never send it again (Cognito locks accounts that
        # keep trying); only reauth, with a new client, lifts it.
        self._rejected: MicAuthError | None = None
        self._blocked_until = 0.0  # a server's Retry-After, honoured for every request
        self.requests = 0
        self.sign_ins = 0
        self.refreshes = 0
        self.skipped_things = 0  # unreadable rows in the last things list

    # --- bootstrap ---------------------------------------------------------------------------
    @property
    def credentials_rejected(self) -> bool:
        return self._rejected is not None

    async def async_get_manifest(self) -> Manifest:
        """The stack behind the App Board host: read once, then kept."""
        async with self._manifest_lock:
            if self.manifest is None:
                self.manifest = await self._read_manifest()
            return self.manifest

    async def _read_manifest(self) -> Manifest:
        status, body = await self._send(
            "GET", self.manifest_url, params={HOSTNAME_PARAM: self.host}, unreadable_ok=True
        )
        if status in (400, 404):
            raise MicManifestError(
                ManifestProblem.UNKNOWN_HOST, f"{ErrorBody.parse(body).message} ({status})"
            )
        if status != 200:
            raise MicManifestError(ManifestProblem.UNUSABLE, f"manifest answered HTTP {status}")
        metadata_url = Manifest.metadata_url(body)
        status, metadata = await self._send("GET", metadata_url, unreadable_ok=True)
        if status != 200:
            raise MicManifestError(
                ManifestProblem.UNUSABLE, f"metadata/manifest answered HTTP {status}"
            )
        with _reading("manifest"):
            return Manifest.parse(body, metadata)

    # --- tokens ------------------------------------------------------------------------------
    async def async_login(self) -> User:
        """Read the manifests (once) and sign in (unless signed in already); the user."""
        await self._ensure_token()
        if self.user is None:  # pragma: no cover - a session always comes with its user
            raise MicResponseError("signed in without a user")
        return self.user

    async def _ensure_token(self, *, stale: int | None = None) -> None:
        """A valid token: kept, refreshed or signed in for. `stale`: the generation of a token
        the cloud refused; renewed unless another caller renewed it meanwhile."""
        async with self._token_lock:
            if self._rejected is not None:
                # A fresh error each time: re-raising one instance would grow its traceback.
                raise MicAuthError(str(self._rejected))
            await self.async_get_manifest()
            fresh = self._token is not None and (
                self._clock() < self._token_expires - self._token_margin
            )
            if fresh and (stale is None or stale != self._generation):
                return
            if self._refresh_token is not None and await self._renew():
                return
            await self._sign_in()

    def _api_headers(self) -> dict[str, str]:
        assert self.manifest is not None
        return {HEADER_API_KEY: self.manifest.api_key}

    def _url(self, path: str) -> str:
        assert self.manifest is not None
        return self.manifest.api_base + path

    async def _sign_in(self) -> None:
        status, body = await self._send(
            "POST",
            self._url(LOGIN_PATH),
            json=login_body(self.username, self._password),
            headers=self._api_headers(),
        )
        if status in (400, 401):
            self._forget_tokens()
            message = ErrorBody.parse(body).message
            self._rejected = MicAuthError(f"MIC rejected the sign-in: {message}")
            raise MicAuthError(str(self._rejected))
        if status == 403:  # the API key: the stack may have a new one by the next attempt
            self.manifest = None
            raise MicConnectionError("MIC refused the API key of its manifest (HTTP 403)")
        if status != 200:
            raise request_error(status, body)
        with _reading("login answer"):
            session = Session.parse(body, with_user=True)
        self.user = session.user
        self._store(session)
        self.sign_ins += 1

    async def _renew(self) -> bool:
        """Renew with the refresh token; False when the cloud refuses it (expired, revoked)."""
        assert self._refresh_token is not None
        status, body = await self._send(
            "POST",
            self._url(REFRESH_PATH),
            json=refresh_body(self._refresh_token),
            headers=self._api_headers(),
        )
        if status != 200:
            _LOGGER.debug(
                "MIC refused the refresh token (HTTP %s: %s); signing in again",
                status,
                ErrorBody.parse(body).message,
            )
            self._refresh_token = None
            return False
        with _reading("refresh answer"):
            session = Session.parse(body, with_user=False)
        self._store(session)
        self.refreshes += 1
        return True

    def _store(self, session: Session) -> None:
        lifetime = token_lifetime(session.token, time.time())
        self._token = session.token
        self._token_expires = self._clock() + lifetime
        self._token_margin = min(MAX_TOKEN_MARGIN, lifetime * 0.2)
        self._generation += 1
        if session.refresh_token is not None:  # a refresh may not hand out a new one
            self._refresh_token = session.refresh_token
        if session.identity_id is not None:
            self.identity_id = session.identity_id

    def _forget_tokens(self) -> None:
        self._token = self._refresh_token = None
        self._token_expires = 0.0

    # --- transport ---------------------------------------------------------------------------
    async def _send(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        json: Any = None,
        data: str | None = None,
        headers: Mapping[str, str] | None = None,
        unreadable_ok: bool = False,
    ) -> tuple[int, Any]:
        """One HTTP exchange; transport failures, 5xx and unreadable answers become
        MicConnectionError, a 429 MicRateLimitError (which holds every request until then).
        `unreadable_ok`: an unreadable body comes back as None (the manifests judge it)."""
        path = urlsplit(url).path
        if (wait := self._blocked_until - self._clock()) > 0:
            raise MicRateLimitError(f"{method} {path} held back", wait)
        self.requests += 1
        try:
            async with self._session.request(
                method,
                url,
                params=params,
                json=json,
                data=data,
                headers=headers,
                timeout=self._timeout,
            ) as response:
                status = response.status
                header = response.headers.get("Retry-After")
                text = await response.text(errors="replace")
        except (aiohttp.ClientError, TimeoutError, UnicodeError, ValueError) as err:
            raise MicConnectionError(f"{method} {path} failed: {err!r:.200}") from err
        if status == 429:
            delay = retry_after(header, datetime.now(UTC))
            if delay is not None:
                self._blocked_until = self._clock() + delay
            _LOGGER.warning("MIC asks to wait (HTTP 429 on %s %s)", method, path)
            raise MicRateLimitError(f"{method} {path} answered HTTP 429", delay)
        if status >= 500:
            raise MicConnectionError(f"{method} {path} answered HTTP {status}")
        try:
            body = _read_body(text)
        except RecursionError as err:
            if status < 300 and not unreadable_ok:
                raise MicTooDeepError(f"{method} {path} answered JSON nested too deep") from err
            body = None
        except ValueError as err:
            if status < 300 and not unreadable_ok:
                raise MicConnectionError(f"{method} {path} answered unreadable JSON") from err
            body = None
        return status, body

    async def _api(self, method: str, path: str, *, json: Any = None) -> tuple[int, Any]:
        """An authenticated call. A refused token (401, or 403 without a LocalizableError) is
        renewed once; a refused renewal is an auth error, a refused renewed token transient."""
        generation: int | None = None
        for _ in range(2):
            await self._ensure_token(stale=generation)
            generation = self._generation
            headers = {
                **self._api_headers(),
                HEADER_AUTHORIZATION: str(self._token),
                HEADER_IDENTITY: self.identity_id or "",
            }
            status, body = await self._send(method, self._url(path), json=json, headers=headers)
            if status != 401 and not (status == 403 and ErrorBody.parse(body).key is None):
                return status, body
            _LOGGER.debug("%s %s answered HTTP %s; renewing the token once", method, path, status)
        if status == 403:  # not the token, then perhaps the API key: read the manifest again
            self.manifest = None
        raise MicConnectionError(f"{method} {path}: MIC refused a freshly issued token")

    async def _call(self, method: str, path: str, *, json: Any = None) -> Any:
        """An authenticated call that must succeed: its body, or the cloud's refusal."""
        status, body = await self._api(method, path, json=json)
        if not 200 <= status < 300:
            raise request_error(status, body)
        return body

    async def _graphql(self, query: str, variables: Mapping[str, object]) -> GraphQLAnswer:
        answer = GraphQLAnswer.parse(
            await self._call("POST", GRAPHQL_PATH, json=graphql_body(query, variables))
        )
        if not answer.data and answer.errors:
            first = answer.errors[0]
            raise request_error(200, {"message": {"message": first.message,
                                                  "messageKey": first.key}})  # fmt: skip
        return answer

    # --- things ------------------------------------------------------------------------------
    async def _pages(
        self, read_page: Callable[[int, int], Awaitable[ThingPage]], size: int, what: str
    ) -> list[Thing]:
        """Every page of a things list: until a short page, the total, or MAX_PAGES."""
        things: dict[str, Thing] = {}
        skipped = start = 0
        for _ in range(MAX_PAGES):
            page = await self._isolating(read_page, size, start)
            if page.rows > 1 and page.skipped == page.rows:
                raise MicTooDeepError(f"the {what} is nested too deep to read, every row of it")
            for thing in page.things:
                things.setdefault(thing.name, thing)
            skipped += page.skipped
            start += page.rows
            if page.rows < size or (page.total is not None and start >= page.total):
                break
        if skipped and skipped != self.skipped_things:
            _LOGGER.warning("Skipped %d unreadable thing(s) in the MIC %s", skipped, what)
        self.skipped_things = skipped
        return list(things.values())

    async def _isolating(
        self, read_page: Callable[[int, int], Awaitable[ThingPage]], size: int, start: int
    ) -> ThingPage:
        """A page; one the cloud sends nested too deep to read is read again in halves, down to
        the one row to blame, which is skipped: a broken thing harms only itself."""
        try:
            return await read_page(size, start)
        except MicTooDeepError:
            if size == 1:
                return ThingPage(things=[], rows=1, total=None, skipped=1)
        half = size // 2
        first = await self._isolating(read_page, half, start)
        if first.rows < half:
            return first  # the end of the list
        second = await self._isolating(read_page, size - half, start + half)
        return ThingPage(
            things=first.things + second.things,
            rows=first.rows + second.rows,
            total=second.total if second.total is not None else first.total,
            skipped=first.skipped + second.skipped,
        )

    async def async_get_things(self) -> list[Thing]:
        """Every thing the user sees (allThings, all pages). An unreadable row is skipped."""

        async def page(size: int, start: int) -> ThingPage:
            answer = await self._graphql(ALL_THINGS_QUERY, all_things_variables(size, start))
            with _reading("things list"):
                return parse_all_things(answer.data)

        return await self._pages(page, PAGE_SIZE, "things list")

    async def async_find_things(
        self, query: Mapping[str, object], *, size: int = 100
    ) -> list[Thing]:
        """`POST /things/find` with an Elasticsearch query: every match, `size` per page."""
        size = max(1, size)

        async def page(size: int, start: int) -> ThingPage:
            body = await self._call("POST", FIND_THINGS_PATH, json=find_body(query, size, start))
            with _reading("things search"):
                return parse_found_things(body)

        return await self._pages(page, size, "things search")

    async def async_get_thing_details(self, names: Sequence[str]) -> dict[str, ThingDetails]:
        """Each thing's shadow and topic path: aliased `thing(thingName)` queries, BATCH_SIZE
        per request. Absent things are left out; so is an unreadable one (logged)."""
        found: dict[str, ThingDetails] = {}
        unreadable: list[str] = []
        for batch in _chunks(_unique(names), BATCH_SIZE):
            answer = await self._graphql(thing_details_query(len(batch)), aliased_variables(batch))
            for index, name in enumerate(batch):
                raw = answer.data.get(alias(index))
                if raw is None:
                    continue
                details = ThingDetails.parse(raw, fallback_name=name)
                if details is None:
                    unreadable.append(name)
                    continue
                found[name] = details
        if unreadable:
            _LOGGER.warning("Skipped unreadable MIC thing details of %s", ", ".join(unreadable))
        return found

    async def async_get_thing_types(self, ids: Iterable[str]) -> dict[str, ThingType]:
        """Thing types: GraphQL's `thingTypeResources` (aliased batches) with the richer
        `GET /thingtypes` rows (labels, min/max/step, options) merged over them. A type
        neither knows is left out."""
        wanted = _unique(ids)
        if not wanted:
            return {}
        rest: dict[str, ThingType] = {}
        try:
            body = await self._call("GET", THING_TYPES_PATH)
            with _reading("thing types"):
                rest = parse_thing_types(body)
        except (MicRequestError, MicResponseError) as err:
            _LOGGER.debug("No thing types from GET /thingtypes (%s); GraphQL's only", err)
        graph: dict[str, ThingType] = {}
        for batch in _chunks(wanted, BATCH_SIZE):
            answer = await self._graphql(
                thing_type_resources_query(len(batch)), aliased_variables(batch)
            )
            for index, type_id in enumerate(batch):
                thing_type = ThingType.from_graphql(type_id, answer.data.get(alias(index)))
                if thing_type is not None:
                    graph[type_id] = thing_type
        merged: dict[str, ThingType] = {}
        for type_id in wanted:
            rich, basic = rest.get(type_id), graph.get(type_id)
            if rich is not None and basic is not None:
                merged[type_id] = rich.merged_over(basic)
            elif rich is not None or basic is not None:
                merged[type_id] = rich or basic  # type: ignore[assignment]
        return merged

    async def async_find_observations(
        self,
        thing_names: Sequence[str],
        start: datetime,
        end: datetime,
        *,
        page_size: int = MAX_OBSERVATION_PAGE,
    ) -> list[Observation]:
        """The things' recorded reports between `start` and `end`, all pages, oldest first."""
        names = _unique(thing_names)
        if not names:
            return []
        size = min(max(1, page_size), MAX_OBSERVATION_PAGE)
        found: list[Observation] = []
        offset = 0
        for _ in range(MAX_PAGES):
            body = await self._call(
                "POST", FIND_OBSERVATIONS_PATH,
                json=observations_body(names, start, end, size, offset),
            )  # fmt: skip
            with _reading("observations"):
                observations, rows, total = parse_observations(body)
            found += observations
            offset += rows
            if rows < size or (total is not None and offset >= total):
                break
        return sorted(found, key=lambda observation: observation.timestamp)

    # --- push credentials --------------------------------------------------------------------
    @property
    def cognito_url(self) -> str:
        if self.aws_endpoint:
            return self.aws_endpoint + "/"
        region = self.manifest.region if self.manifest else "eu-west-1"
        return f"https://cognito-identity.{region}.amazonaws.com/"

    @property
    def mqtt_url(self) -> str:
        """The websocket before signing: the IoT endpoint, or the AWS endpoint override's."""
        if self.aws_endpoint:
            parts = urlsplit(self.aws_endpoint)
            scheme = "wss" if parts.scheme == "https" else "ws"
            return f"{scheme}://{parts.netloc}{parts.path.rstrip('/')}/mqtt"
        if self.manifest is None:
            raise MicConnectionError("no manifest read yet")
        return f"wss://{self.manifest.iot_endpoint.lower()}/mqtt"

    async def async_get_aws_credentials(self) -> AwsCredentials:
        """Temporary AWS credentials for the MQTT websocket (Cognito GetCredentialsForIdentity
        with the id token). A refused token or identity is renewed once."""
        generation: int | None = None
        for _ in range(2):
            await self._ensure_token(stale=generation)
            generation = self._generation
            assert self.manifest is not None
            if self.identity_id is None or self._token is None:
                raise MicResponseError("signed in without a Cognito identity")
            body = cognito_body(
                self.identity_id, self.manifest.region, self.manifest.user_pool, self._token
            )
            status, answer = await self._send(
                "POST",
                self.cognito_url,
                data=json.dumps(body),
                headers={HEADER_AMZ_TARGET: COGNITO_TARGET, "Content-Type": COGNITO_CONTENT_TYPE},
            )
            if status == 200:
                with _reading("Cognito credentials"):
                    return AwsCredentials.parse(answer, datetime.now(UTC))
            error = ErrorBody.parse(answer)
            if error.key in COGNITO_THROTTLED:
                raise MicRateLimitError(f"Cognito: {error.message}", None)
            if error.key not in (COGNITO_NOT_AUTHORIZED, COGNITO_NOT_FOUND):
                raise request_error(status, answer)
            _LOGGER.debug("Cognito refused the token (%s); renewing it once", error.key)
        raise MicConnectionError(f"Cognito refused a freshly issued token: {error.message}")

    def websocket_url(self, credentials: AwsCredentials, now: datetime | None = None) -> str:
        """The MQTT websocket URL, SigV4-presigned with `credentials` at `now` (wall clock)."""
        region = self.manifest.region if self.manifest else "eu-west-1"
        return presign_url(
            self.mqtt_url,
            access_key=credentials.access_key_id,
            secret_key=credentials.secret_key,
            session_token=credentials.session_token,
            region=region,
            now=now or datetime.now(UTC),
        )


def _read_body(text: str) -> Any:
    """JSON of bounded size and depth (None for an empty body); ValueError when it is no JSON,
    RecursionError when nested too deep. The
    standard library's reader: it reads NaN and Infinity, which a thing may report, and the
    models drop that value alone (a stricter reader would lose the whole answer)."""
    if len(text) > MAX_BODY:
        raise ValueError(f"{len(text)} characters")
    body = json.loads(text) if text.strip() else None
    if not nested_within(body, MAX_JSON_DEPTH):
        raise RecursionError("nested too deep")
    return body
