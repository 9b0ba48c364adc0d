"""Cayenne scenario files: accounts with their app, things, channels, rules and jobs."""

from __future__ import annotations

from typing import Any

import voluptuous as vol

# How a channel's value moves on the simulated clock (things.py):
# constant, drift (a slow wave), daylight (lux over the day), battery (drains), noise (jitters
# around `value`), actuator (what commands set), events (0, and 1 on about 10 % of report cycles:
# motion), counter (grows by `rate_per_hour`: energy, pulses), track (a GPS position going round
# a loop of `radius_m` around `lat`/`lng`, one lap per `period_s`).
BEHAVIOURS = (
    "constant",
    "drift",
    "daylight",
    "battery",
    "noise",
    "actuator",
    "events",
    "counter",
    "track",
)
STATUSES = ("ACTIVE", "DEACTIVATED", "BLOCKED")
# How a thing writes its values on MQTT: `temp,c=21.5`, `Temp,c=21.5`, `21.5`, or one data/json
# message for all its channels.
MQTT_FORMATS = ("typed", "capitalised", "bare", "json")

CHANNEL_SCHEMA = vol.Schema(
    {
        vol.Required("channel"): vol.Coerce(str),
        vol.Required("type"): str,  # data type as the platform names it: temp, rel_hum, relay ...
        vol.Optional("unit", default="null"): vol.Any(None, str),
        vol.Optional("name"): str,
        vol.Optional("id"): str,
        vol.Optional("behaviour", default="constant"): vol.In(BEHAVIOURS),
        # start or centre value; a GPS channel's altitude in metres
        vol.Optional("value", default=0.0): vol.Coerce(float),
        vol.Optional("amplitude", default=0.0): vol.Coerce(float),
        vol.Optional("period_s", default=86400.0): vol.All(vol.Coerce(float), vol.Range(min=1)),
        vol.Optional("drain_per_day", default=0.0): vol.Coerce(float),
        vol.Optional("rate_per_hour", default=1.0): vol.Coerce(float),  # counter
        vol.Optional("lat", default=0.0): vol.All(vol.Coerce(float), vol.Range(min=-90, max=90)),
        vol.Optional("lng", default=0.0): vol.All(vol.Coerce(float), vol.Range(min=-180, max=180)),
        vol.Optional("radius_m", default=250.0): vol.All(vol.Coerce(float), vol.Range(min=0)),
        vol.Optional("min"): vol.Coerce(float),
        vol.Optional("max"): vol.Coerce(float),
        vol.Optional("decimals", default=1): vol.All(int, vol.Range(min=0, max=6)),
        # the thing answers every command on this channel with `error,seq=...`
        vol.Optional("refuse_commands", default=False): bool,
    }
)
_THING_FIELDS: dict[Any, Any] = {
    vol.Optional("id"): str,
    vol.Optional("device_type_id", default="generic"): str,
    vol.Optional("hardware_id"): str,
    vol.Optional("parent"): str,  # name or id of the parent thing
    vol.Optional("status", default="ACTIVE"): vol.In(STATUSES),
    vol.Optional("online", default=True): bool,
    # a thing reports on a cycle: values change only every `report_every_s`
    vol.Optional("report_every_s", default=30.0): vol.All(vol.Coerce(float), vol.Range(min=1)),
    vol.Optional("mqtt_format", default="typed"): vol.In(MQTT_FORMATS),
    # simulated seconds after the start before the thing exists (not listed, not reporting)
    vol.Optional("appears_after_s"): vol.All(vol.Coerce(float), vol.Range(min=0)),
    # simulated seconds after the start when the thing is removed (DEACTIVATED)
    vol.Optional("removed_after_s"): vol.All(vol.Coerce(float), vol.Range(min=0)),
    vol.Optional("properties", default=dict): {str: object},
    vol.Optional("channels", default=list): [CHANNEL_SCHEMA],
}
THING_SCHEMA = vol.Schema({vol.Required("name"): str, **_THING_FIELDS})
# Many things from one template: `name` is a format string with `n` (1, 2, ...), ids derive from
# the names, so they stay the same from run to run.
FLEET_SCHEMA = vol.Schema(
    {
        vol.Required("count"): vol.All(int, vol.Range(min=1, max=5000)),
        vol.Optional("name", default="Sensor {n:03d}"): str,
        **{key: value for key, value in _THING_FIELDS.items() if str(key) not in ("id",)},
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
# A job's `config` in the platform's words (interval jobs repeat every `interval` `unit`s from
# `start_date`, date jobs run once at it; times are the `tz` zone's wall clock).
SCHEDULE_SCHEMA = vol.Schema(
    {
        vol.Optional("type", default="interval"): vol.In(("interval", "date")),
        vol.Optional("interval", default=1): vol.All(int, vol.Range(min=1)),
        vol.Optional("unit", default="day"): vol.In(("minute", "hour", "day", "month", "year")),
        vol.Required("start_date"): vol.All(
            vol.Coerce(str), vol.Match(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$")
        ),
        vol.Optional("tz", default="UTC"): str,
    }
)
JOB_SCHEMA = vol.Schema(
    {
        vol.Required("title"): str,
        vol.Optional("id"): str,
        vol.Optional("enabled", default=True): bool,  # the platform calls it `active`
        vol.Required("schedule"): SCHEDULE_SCHEMA,
        vol.Optional("actions", default=list): [dict],
        vol.Optional("notifications", default=list): [dict],
        vol.Optional("http_push", default=list): [dict],
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
        vol.Optional("fleet"): FLEET_SCHEMA,
        vol.Optional("rules", default=list): [RULE_SCHEMA],
        vol.Optional("jobs", default=list): [JOB_SCHEMA],
    }
)
SCENARIO_SCHEMA = vol.Schema(
    {
        vol.Optional("name"): str,
        # Keycloak's defaults: five minutes for the access token, thirty for the refresh token
        vol.Optional("access_token_lifetime", default=300): vol.All(int, vol.Range(min=5)),
        vol.Optional("refresh_token_lifetime", default=1800): vol.All(int, vol.Range(min=10)),
        # the embedded MQTT broker's port on 127.0.0.1; 0 picks a free one
        vol.Optional("mqtt_port", default=0): vol.All(int, vol.Range(min=0, max=65535)),
        vol.Required("accounts"): [ACCOUNT_SCHEMA],
    }
)
