"""Bootstrap: the manifest service (App Board host name -> stack), each stack's
/metadata/manifest (its API key) and /metadata/swagger."""

from __future__ import annotations

from aiohttp import web

from . import swagger
from .cloud import MicCloud
from .model import Stack

MANIFEST_PATHS = ("/prod/manifest", "/prod/manifest/", "/Prod/manifest", "/Prod/manifest/")


class Bootstrap:
    def __init__(self, cloud: MicCloud) -> None:
        self.cloud = cloud
        self.ctx = cloud.ctx

    async def manifest(self, request: web.Request) -> web.Response:
        hostname = request.query.get("hostname", "")
        stack = self.cloud.stack_for_host(hostname) if hostname else None
        if stack is None:
            return web.json_response(
                {"message": f"Manifest not found for hostname {hostname}"}, status=404
            )
        return web.json_response(
            {
                "ApiGatewayRootUrl": self.ctx.base_url,
                "StackName": stack.name,
                "Region": stack.region,
                "IdentityPool": stack.identity_pool,
                "UserPool": stack.user_pool,
                "IotEndpoint": f"{stack.iot_endpoint}.iot.{stack.region}.amazonaws.com",
                "IotEndpointATS": stack.iot_host,
            }
        )

    async def stack_manifest(self, _request: web.Request, stack: Stack) -> web.Response:
        return web.json_response(
            {
                "ApiKey": stack.api_key,
                "IotEndpointATS": stack.iot_host,
                "Region": stack.region,
                stack.dialect.user_pool_key: stack.user_pool,
            }
        )

    async def swagger(self, request: web.Request, stack: Stack) -> web.Response:
        return web.json_response(swagger.document(stack, request.host, request.scheme))
