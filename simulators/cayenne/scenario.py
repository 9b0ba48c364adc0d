"""Cayenne scenario files: accounts with their app, things, channels and rules."""

from __future__ import annotations

import voluptuous as vol

BEHAVIOURS = ("constant", "drift", "daylight", "battery", "noise", "actuator")
STATUSES = ("ACTIVE", "DEACTIVATED", "BLOCKED")

CHANNEL_SCHEMA = vol.Schema(
    {
        vol.Required("channel"): vol.Coerce(str),
        vol.Required("type"): str,  # data type as the platform names it: temp, rel_hum, relay ...
        vol.Optional("unit", default="null"): vol.Any(None, str),
        vol.Optional("name"): str,
        vol.Optional("id"): str,
        vol.Optional("behaviour", default="constant"): vol.In(BEHAVIOURS),
        vol.Optional("value", default=0.0): vol.Coerce(float),  # start or centre value
        vol.Optional("amplitude", default=0.0): vol.Coerce(float),
        vol.Optional("period_s", default=86400.0): vol.All(vol.Coerce(float), vol.Range(min=1)),
        vol.Optional("drain_per_day", default=0.0): vol.Coerce(float),
        vol.Optional("min"): vol.Coerce(float),
        vol.Optional("max"): vol.Coerce(float),
        vol.Optional("decimals", default=1): vol.All(int, vol.Range(min=0, max=6)),
    }
)
THING_SCHEMA = vol.Schema(
    {
        vol.Required("name"): str,
        vol.Optional("id"): str,
        vol.Optional("device_type_id", default="generic"): str,
        vol.Optional("hardware_id"): str,
        vol.Optional("parent"): str,  # name or id of the parent thing
        vol.Optional("status", default="ACTIVE"): vol.In(STATUSES),
        vol.Optional("online", default=True): bool,
        # a thing reports on a cycle: values change only every `report_every_s`
        vol.Optional("report_every_s", default=30.0): vol.All(vol.Coerce(float), vol.Range(min=1)),
        vol.Optional("properties", default=dict): {str: object},
        vol.Optional("channels", default=list): [CHANNEL_SCHEMA],
    }
)
RULE_SCHEMA = vol.Schema(
    {
        vol.Required("title"): str,
        vol.Optional("id"): str,
        vol.Optional("enabled", default=True): bool,
        vol.Optional("triggers", default=list): [dict],
        vol.Optional("actions", default=list): [dict],
        vol.Optional("notifications", default=list): [dict],
    }
)
ACCOUNT_SCHEMA = vol.Schema(
    {
        vol.Required("email"): str,
        vol.Required("password"): str,
        vol.Required("app_key"): str,  # the OpenID client id
        vol.Required("app_secret"): str,  # the OpenID client secret
        vol.Optional("id"): str,
        vol.Optional("first_name", default=""): str,
        vol.Optional("last_name", default=""): str,
        vol.Optional("demo_entry", default=True): bool,
        vol.Optional("things", default=list): [THING_SCHEMA],
        vol.Optional("rules", default=list): [RULE_SCHEMA],
    }
)
SCENARIO_SCHEMA = vol.Schema(
    {
        vol.Optional("name"): str,
        # Keycloak's defaults: five minutes for the access token, thirty for the refresh token
        vol.Optional("access_token_lifetime", default=300): vol.All(int, vol.Range(min=5)),
        vol.Optional("refresh_token_lifetime", default=1800): vol.All(int, vol.Range(min=10)),
        vol.Required("accounts"): [ACCOUNT_SCHEMA],
    }
)
