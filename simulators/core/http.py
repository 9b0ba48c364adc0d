"""Reading request bodies and answering with JSON errors, the same way in every simulator."""

from __future__ import annotations

from collections.abc import Mapping
import json
from typing import Any

from aiohttp import web
import voluptuous as vol


class InvalidBodyError(ValueError):
    """The body is not JSON, not a JSON object, or not what the endpoint's schema wants."""


async def json_body(
    request: web.Request, schema: vol.Schema | None = None, *, empty_is_object: bool = False
) -> dict[str, Any]:
    """The request's JSON object, validated by `schema` when one is given.

    `empty_is_object` reads a request without a body as `{}` (admin endpoints whose fields are
    all optional). Raises InvalidBodyError; each caller answers it in its cloud's own shape.
    """
    if empty_is_object and not request.can_read_body:
        raw: Any = {}
    else:
        try:
            raw = await request.json()
        except ValueError:
            raise InvalidBodyError("Invalid JSON body") from None
    if not isinstance(raw, dict):
        raise InvalidBodyError("Body must be an object")
    if schema is None:
        return raw
    try:
        validated: dict[str, Any] = schema(raw)
    except vol.Invalid as err:
        raise InvalidBodyError(f"invalid request: {err}") from err
    return validated


async def admin_body(request: web.Request, schema: vol.Schema | None = None) -> dict[str, Any]:
    """The body of a simulator's own /_sim endpoint; a bad one is a plain-text 400."""
    try:
        return await json_body(request, schema, empty_is_object=True)
    except InvalidBodyError as err:
        raise web.HTTPBadRequest(text=str(err)) from err


def json_error(status: int, body: Any, *, headers: Mapping[str, str] | None = None) -> web.Response:
    """An error response carrying the cloud's JSON error body, to return from a handler."""
    return web.json_response(body, status=status, headers=headers)


def json_http_error(cls: type[web.HTTPError], body: Any) -> web.HTTPError:
    """The same error as an exception, to raise from helpers deep inside a handler."""
    return cls(text=json.dumps(body), content_type="application/json")
