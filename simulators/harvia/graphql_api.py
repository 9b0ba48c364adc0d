"""GraphQL schemas and resolvers of the device, data and events services (the part clients use)."""

from __future__ import annotations

import json
from typing import Any

from graphql import GraphQLError

from .cloud import Account, HarviaCloud
from .sauna import CommandRejectedError, Sauna

COMMON = """
scalar AWSJSON
scalar AWSDateTime
"""

DEVICE_SDL = (
    COMMON
    + """
enum Command_Type { ADJUST_DURATION REMAINING_TIME AFTER_HEATER EXT_SWITCH FAN HEATER IR_HEATER
  LIGHTS RESTART SAUNA STEAMER TRACE_LOG UPDATE VAPORIZER }
enum VisibleReason { Organization Contract CanSee Unknown }
input Command { type: Command_Type! }
type Attribute { key: String! value: String }
type Device { id: String! type: String! attr: [Attribute!]! roles: [String!]! via: VisibleReason! }
type Devices { devices: [Device!]! nextToken: String }
type DeviceConnectionState { connected: Boolean! updatedTimestamp: String! }
type DeviceState {
  deviceId: ID! shadowName: String desired: AWSJSON reported: AWSJSON timestamp: Float
  version: Int clientToken: String connectionState: DeviceConnectionState metadata: AWSJSON
}
type DeviceStateUpdateNotice { receiver: ID! item: DeviceState }
type CommandResponse { response: Boolean! failureReason: String }
type Query {
  devicesGet(deviceId: ID!): Device
  usersDevicesList(nextToken: String): Devices
  devicesStatesGet(deviceId: ID!, shadowName: String): DeviceState
}
type Mutation {
  devicesCommandsSend(
    deviceId: ID!, command: Command!, subId: String, params: AWSJSON
  ): CommandResponse
}
type Subscription { devicesStatesUpdateFeed(receiver: ID!): DeviceStateUpdateNotice }
"""
)

DATA_SDL = (
    COMMON
    + """
type MeasurementItem { deviceId: String! subId: String timestamp: String! sessionId: String
  type: String data: AWSJSON }
type MeasurementItems { measurementItems: [MeasurementItem]! nextToken: String }
type MeasurementUpdateNotice { receiver: ID! item: MeasurementItem }
type Query {
  devicesMeasurementsLatest(deviceId: String!): [MeasurementItem]
}
type Subscription { devicesMeasurementsUpdateFeed(receiver: ID!): MeasurementUpdateNotice }
"""
)

EVENTS_SDL = (
    COMMON
    + """
type Event {
  deviceId: ID! subId: String type: String! severity: String timestamp: String! data: AWSJSON
}
type EventNotice { receiver: ID! item: Event }
type Query { eventsLatest(deviceId: ID!): [Event] }
type Subscription { eventsFeed(receiver: ID!): EventNotice }
"""
)


def can_receive(cloud: HarviaCloud, email: str, _field: str, receiver: str) -> bool:
    """Device feeds are keyed by device id. Subscribing with one's cognito:username (as the
    document suggests) is accepted, but nothing is ever published to it."""
    account = cloud.accounts[email.lower()]
    return receiver in account.device_ids or receiver == account.username


class _Root:
    def __init__(self, cloud: HarviaCloud, email: str) -> None:
        self.cloud = cloud
        self.account: Account = cloud.accounts[email.lower()]

    def _sauna(self, device_id: str) -> Sauna:
        sauna = self.cloud.sauna_for(self.account, device_id)
        if sauna is None:
            raise GraphQLError("Device not found")
        return sauna


class DeviceRoot(_Root):
    def devicesGet(self, _info: Any, deviceId: str) -> dict[str, Any]:
        return _device(self._sauna(deviceId))

    def usersDevicesList(self, _info: Any, nextToken: str | None = None) -> dict[str, Any]:
        return {
            "devices": [_device(s) for s in self.cloud.visible(self.account, None)],
            "nextToken": None,
        }

    def devicesStatesGet(
        self, _info: Any, deviceId: str, shadowName: str | None = None
    ) -> dict[str, Any]:
        sauna = self._sauna(deviceId)
        now = self.cloud.ctx.clock.now()
        sauna.step(now)
        cabin = None if sauna.is_sensor else sauna.cabin(shadowName or "C1")
        item: dict[str, Any] = self.cloud.state_notice(sauna, cabin, now)["item"]
        return item

    def devicesCommandsSend(
        self,
        _info: Any,
        deviceId: str,
        command: dict[str, Any],
        subId: str | None = None,
        params: str | None = None,
    ) -> dict[str, Any]:
        sauna = self._sauna(deviceId)
        try:
            state = json.loads(params).get("state", True) if params else True
            cabin = sauna.cabin(subId or "C1")
            self.cloud.command(sauna, cabin, command["type"], state)
        except CommandRejectedError as err:
            return {"response": False, "failureReason": err.failure_reason or err.message}
        except (KeyError, ValueError, AttributeError):
            return {"response": False, "failureReason": "Invalid command"}
        return {"response": True, "failureReason": None}


class DataRoot(_Root):
    def devicesMeasurementsLatest(self, _info: Any, deviceId: str) -> list[dict[str, Any]]:
        sauna = self._sauna(deviceId)
        return [
            self.cloud.measurement(sauna, cabin, *cabin.history[-1])
            for cabin in sauna.cabins
            if cabin.history
        ]


class EventsRoot(_Root):
    def eventsLatest(self, _info: Any, deviceId: str) -> list[dict[str, Any]]:
        self._sauna(deviceId)
        return [e for e in self.cloud.events if e["deviceId"] == deviceId]


def _device(sauna: Sauna) -> dict[str, Any]:
    return {
        "id": sauna.device_id,
        "type": sauna.device_type,
        "attr": sauna.attributes(),
        "roles": ["owner"],
        "via": "CanSee",
    }
