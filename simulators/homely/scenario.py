"""Homely scenario files: users, their homes and the devices in them."""

from __future__ import annotations

import voluptuous as vol

from .devices import KINDS

ALARM_STATES = (
    "DISARMED",
    "ARMED_AWAY",
    "ARMED_NIGHT",
    "ARMED_STAY",
    "ARMED_PARTLY",
    "BREACHED",
)

DEVICE_SCHEMA = vol.Schema(
    {
        vol.Required("kind"): vol.In(KINDS),
        vol.Optional("name"): str,
        vol.Optional("id"): str,
        vol.Optional("serial"): str,
        vol.Optional("room", default=""): str,
        vol.Optional("count", default=1): vol.All(int, vol.Range(min=1, max=500)),
        vol.Optional("online", default=True): bool,
        vol.Optional("battery_voltage"): vol.Coerce(float),
        vol.Optional("battery_drain_per_day", default=0.0): vol.Coerce(float),
        vol.Optional("demand_w", default=1500.0): vol.Coerce(float),
        vol.Optional("exported_w", default=0.0): vol.Coerce(float),
        vol.Optional("motion_per_hour", default=0.0): vol.Coerce(float),
        # states as the cloud shows them before anything happened: {feature: {state: value}}
        vol.Optional("states", default=dict): {str: {str: object}},
        # states that come as `{}` (no value at all), e.g. ["battery.defect"]
        vol.Optional("empty_states", default=list): [str],
    }
)
HOME_SCHEMA = vol.Schema(
    {
        vol.Required("name"): str,
        vol.Optional("id"): str,
        vol.Optional("gateway_serial"): str,
        vol.Optional("alarm_state", default="DISARMED"): str,
        vol.Optional("exit_delay_s", default=30): vol.All(vol.Coerce(float), vol.Range(min=0)),
        # as seen live: the final state of an arming is followed by its pending state, stamped
        # 51 ms after it (ARMED_NIGHT at 23.605Z, then ARM_NIGHT_PENDING at 23.656Z)
        vol.Optional("late_pending", default=False): bool,
        # features whose changes this installation does not stream (a poll still shows them)
        vol.Optional("unstreamed_features", default=list): [str],
        vol.Optional("devices", default=list): [DEVICE_SCHEMA],
    }
)
USER_SCHEMA = vol.Schema(
    {
        vol.Required("username"): str,
        vol.Required("password"): str,
        vol.Optional("name"): str,
        vol.Required("homes"): [str],  # home names or ids, as ADMIN
        # false: the demo leaves the user's homes for its user to add by hand (try_it_entries)
        vol.Optional("demo_entry", default=True): bool,
    }
)
RATE_LIMIT_SCHEMA = vol.Schema(
    {
        vol.Required("requests"): vol.All(int, vol.Range(min=1)),
        vol.Optional("window_s", default=60): vol.All(vol.Coerce(float), vol.Range(min=1)),
        vol.Optional("retry_after_s", default=30): vol.All(int, vol.Range(min=1)),
        # how long a client that hit the limit stays blocked (longer than it is told)
        vol.Optional("block_s", default=120): vol.All(vol.Coerce(float), vol.Range(min=0)),
    }
)
SCENARIO_SCHEMA = vol.Schema(
    {
        vol.Optional("name"): str,
        vol.Optional("access_token_lifetime", default=60): vol.All(int, vol.Range(min=5)),
        vol.Optional("refresh_token_lifetime", default=1800): vol.All(int, vol.Range(min=10)),
        vol.Optional("rate_limit"): vol.Any(None, RATE_LIMIT_SCHEMA),
        # `data` as the live cloud sends it, `payload` as the document says
        vol.Optional("event_payload_key", default="data"): vol.In(("data", "payload")),
        # `full`: gatewayId, rootLocationId, partnerCode and a singular `change`;
        # `minimal`: deviceId and changes only
        vol.Optional("event_shape", default="full"): vol.In(("full", "minimal")),
        # What the live cloud sends where it differs from the document:
        # token responses without `refresh_expires_in` (the refresh token still expires)
        vol.Optional("token_refresh_expires_in", default=True): bool,
        # `partnerCode` on every location, and its value in full device events (default 1)
        vol.Optional("partner_code"): vol.Any(None, int),
        # `eventId` of alarm events: a UUID, or an integer as the live cloud sends it
        vol.Optional("alarm_event_id", default="uuid"): vol.In(("uuid", "integer")),
        # exit delay states: `live` ARM_AWAY_PENDING, `documented` ARMED_AWAY_PENDING
        vol.Optional("alarm_pending_names", default="live"): vol.In(("live", "documented")),
        # `live`: the states real units report beyond the document (see devices.LIVE_STATES)
        vol.Optional("device_shape", default="documented"): vol.In(("documented", "live")),
        vol.Required("users"): [USER_SCHEMA],
        vol.Required("homes"): [HOME_SCHEMA],
    }
)
