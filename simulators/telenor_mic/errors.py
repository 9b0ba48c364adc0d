"""MIC's error bodies: API Gateway's own (`{"message": "Forbidden"}`) in front of the API, and the
Cloud API's LocalizableError (`{"message": {"name", "message", "messageKey", ...}}`) from it."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

FORBIDDEN = "Forbidden"
UNAUTHORIZED = "Unauthorized"
TOKEN_EXPIRED = "The incoming token has expired"  # noqa: S105  (API Gateway's message)
MISSING_TOKEN = "Missing Authentication Token"  # noqa: S105  (an unknown path, to API Gateway)
INVALID_BODY = "Invalid request body"
INTERNAL = "Internal server error"


class ApiError(web.HTTPException):
    """An error answer with a JSON body, raised from anywhere inside a handler."""

    def __init__(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        self.status_code = status
        super().__init__(text=json.dumps(body), content_type="application/json", headers=headers)


def gateway_error(status: int, message: str) -> ApiError:
    return ApiError(status, {"message": message})


def localizable(
    message: str,
    key: str,
    *,
    status: int = 400,
    params: dict[str, Any] | None = None,
    prop: str | None = None,
) -> ApiError:
    body: dict[str, Any] = {"name": "LocalizableError", "message": message, "messageKey": key}
    if params is not None:
        body["messageParams"] = params
    if prop is not None:
        body["property"] = prop
    return ApiError(status, {"message": body})


def thing_not_found(name: str) -> ApiError:
    return localizable(
        f"Thing with thingName {name} not found",
        "THING_NOT_FOUND",
        status=404,
        params={"thingName": name},
    )


def not_authorized(operation: str, object_type: str, status: int) -> ApiError:
    return localizable(
        f"Not authorized to {operation} {object_type}",
        "NOT_AUTHORIZED",
        status=status,
        params={"operation": operation, "objectType": object_type},
    )


def invalid_query(reason: str) -> ApiError:
    return localizable(reason, "INVALID_QUERY")
