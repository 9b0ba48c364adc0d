"""GET /metadata/swagger: the API's own Swagger 2.0 description (the paths this stack serves)."""

from __future__ import annotations

from typing import Any

from .model import Stack

# path -> method -> (summary, authenticated)
PATHS: dict[str, dict[str, tuple[str, bool]]] = {
    "/auth/login": {"post": ("Log in with user name and password", False)},
    "/auth/refresh": {"post": ("A new id token for a refresh token", False)},
    "/graphql": {"post": ("Query things and thing types (GraphQL)", True)},
    "/thingtypes": {"get": ("The thing types the user can see", True)},
    "/things/find": {"post": ("Search things (Elasticsearch query)", True)},
    "/things/{thingName}": {
        "get": ("One thing", True),
        "put": ("Update a thing's label", True),
        "delete": ("Remove a thing", True),
    },
    "/observations/find": {"post": ("Search observations (Elasticsearch query)", True)},
    "/metadata/manifest": {"get": ("The stack's manifest", False)},
    "/metadata/swagger": {"get": ("This document", False)},
}


def _operation(path: str, summary: str, authenticated: bool) -> dict[str, Any]:
    parameters: list[dict[str, Any]] = []
    if "{thingName}" in path:
        parameters.append({"name": "thingName", "in": "path", "required": True, "type": "string"})
    security: list[dict[str, list[str]]] = [{"api_key": []}]
    if authenticated:
        security.append({"authorizer": []})
    return {
        "summary": summary,
        "produces": ["application/json"],
        "parameters": parameters,
        "responses": {"200": {"description": "OK"}, "400": {"description": "LocalizableError"}},
        "security": security,
    }


def document(stack: Stack, host: str, scheme: str) -> dict[str, Any]:
    return {
        "swagger": "2.0",
        "info": {"title": f"{stack.name}-cloud-rest-api", "version": "1.0"},
        "host": host,
        "basePath": f"/{stack.name}",
        "schemes": [scheme],
        "securityDefinitions": {
            "api_key": {"type": "apiKey", "name": "x-api-key", "in": "header"},
            "authorizer": {"type": "apiKey", "name": "Authorization", "in": "header"},
        },
        "paths": {
            path: {
                method: _operation(path, summary, authenticated)
                for method, (summary, authenticated) in methods.items()
            }
            for path, methods in PATHS.items()
        },
    }
