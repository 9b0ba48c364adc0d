"""Telenor MIC scenario files: stacks (one customer installation each) with their App Board
host names, keys, dialect, domain tree, thing types, users and things.

Names that other entries refer to (domains, thing type ids, resources) are checked here, so
`python -m simulators check` finds a broken reference before a simulator starts.
"""

from __future__ import annotations

from typing import Any

import voluptuous as vol

# How a resource's value moves on the simulated clock (signals.py): constant (also every settable
# resource: it holds what was last set), drift (a slow wave), noise (jitters around `value`),
# battery (drains by `drain_per_day`), track (a position going round a loop), flow (a pump's
# output: `value` at full speed, scaled by the thing's `speed` and zero while `on` is false).
BEHAVIOURS = ("constant", "drift", "noise", "battery", "track", "flow")
# How a position is written: "59.91,10.75", {"lat", "lon"} or {"lat", "lng"}.
POSITION_FORMATS = ("string", "lat_lon", "lat_lng")
KNOWN_TYPES = ("boolean", "integer", "number", "string", "position")
ROOT_DOMAIN = "root"
_NAME = vol.Match(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")  # domain and thing names are topic levels

# Where stacks differ in what they send; both shapes of each are documented MIC behaviour.
DIALECT_SCHEMA = vol.Schema(
    {
        # /metadata/manifest names the user pool `UserPool` or `UserPoolId`
        vol.Optional("user_pool_key", default="UserPool"): vol.In(("UserPool", "UserPoolId")),
        # GraphQL's JSON scalar (state, shadow) as a JSON object or as a string holding one
        vol.Optional("json_scalar", default="object"): vol.In(("object", "string")),
        # lastHeardFrom as epoch milliseconds in a string, or ISO 8601
        vol.Optional("last_heard_from", default="epoch_ms"): vol.In(("epoch_ms", "iso")),
        # things/find hits.total as {"value": n} (Elasticsearch 7) or a bare number (6)
        vol.Optional("hits_total", default="object"): vol.In(("object", "number")),
        # thing-update messages with metadata and version, or bare (state and timestamp only)
        vol.Optional("thing_update", default="full"): vol.In(("full", "bare")),
        # a read-only role's write answers 400 (the documented generic status) or 403
        vol.Optional("not_authorized_status", default=400): vol.In((400, 403)),
    }
)
RESOURCE_SCHEMA = vol.Schema(
    {
        vol.Required("name"): _NAME,
        # boolean, integer, number, string, position; any other string is a type the client
        # does not know (MIC lets thing types carry their own)
        vol.Required("type"): str,
        vol.Optional("label"): str,
        vol.Optional("unit"): str,
        vol.Optional("settable", default=False): bool,
        vol.Optional("min"): vol.Coerce(float),
        vol.Optional("max"): vol.Coerce(float),
        vol.Optional("step"): vol.All(vol.Coerce(float), vol.Range(min=0, min_included=False)),
        vol.Optional("values"): [str],  # a string resource's choices
    }
)
THING_TYPE_SCHEMA = vol.Schema(
    {
        vol.Required("id"): vol.Coerce(str),
        vol.Required("label"): str,
        vol.Optional("description", default=""): str,
        vol.Optional("domain", default=ROOT_DOMAIN): str,
        vol.Required("resources"): [RESOURCE_SCHEMA],
    }
)
VALUE = vol.Any(bool, int, float, str)
SIGNAL_SCHEMA = vol.Schema(
    {
        vol.Optional("behaviour", default="constant"): vol.In(BEHAVIOURS),
        vol.Optional("value"): VALUE,  # start, centre or held value; flow: output at full speed
        vol.Optional("amplitude", default=0.0): vol.Coerce(float),
        vol.Optional("period_s", default=86400.0): vol.All(vol.Coerce(float), vol.Range(min=1)),
        vol.Optional("drain_per_day", default=0.0): vol.Coerce(float),
        vol.Optional("decimals", default=1): vol.All(int, vol.Range(min=0, max=6)),
        vol.Optional("lat", default=0.0): vol.All(vol.Coerce(float), vol.Range(min=-90, max=90)),
        vol.Optional("lng", default=0.0): vol.All(vol.Coerce(float), vol.Range(min=-180, max=180)),
        vol.Optional("radius_m", default=300.0): vol.All(vol.Coerce(float), vol.Range(min=0)),
        vol.Optional("format", default="string"): vol.In(POSITION_FORMATS),
    }
)
_THING_FIELDS: dict[Any, Any] = {
    vol.Optional("label"): str,
    vol.Required("domain"): _NAME,
    vol.Required("thing_type"): vol.Coerce(str),
    # a thing reports its sensor values once a cycle
    vol.Optional("report_every_s", default=60.0): vol.All(vol.Coerce(float), vol.Range(min=1)),
    # where in its cycle it reports (a fleet spreads its things over the cycle)
    vol.Optional("phase_s", default=0.0): vol.All(vol.Coerce(float), vol.Range(min=0)),
    # simulated seconds after the start when the thing goes silent (no reports, desired pending)
    vol.Optional("silent_after_s"): vol.All(vol.Coerce(float), vol.Range(min=0)),
    vol.Optional("resources", default=dict): {str: SIGNAL_SCHEMA},
}
THING_SCHEMA = vol.Schema({vol.Required("name"): _NAME, **_THING_FIELDS})
# Many things from one template: `name` and `label` are format strings with `n` (1, 2, ...).
FLEET_SCHEMA = vol.Schema(
    {
        vol.Required("count"): vol.All(int, vol.Range(min=1, max=5000)),
        vol.Optional("name", default="thing-{n:04d}"): str,
        **_THING_FIELDS,
    }
)
USER_SCHEMA = vol.Schema(
    {
        vol.Required("username"): str,
        vol.Required("password"): str,
        vol.Optional("role", default="ReadWrite"): vol.In(("ReadWrite", "ReadOnly")),
        vol.Optional("domain", default=ROOT_DOMAIN): str,
        vol.Optional("first_name", default=""): str,
        vol.Optional("last_name", default=""): str,
        vol.Optional("email", default=""): str,
        # True: the demo adds this account itself; False: left for the demo's user to try
        vol.Optional("demo_entry", default=True): bool,
    }
)
DOMAIN_SCHEMA = vol.Schema({vol.Required("name"): _NAME, vol.Optional("parent"): str})
STACK_SCHEMA = vol.Schema(
    {
        vol.Required("name"): _NAME,  # StackName: the first path level of the API
        vol.Required("hostnames"): vol.All([str], vol.Length(min=1)),  # App Board hosts
        vol.Optional("region", default="eu-west-1"): str,
        vol.Required("api_key"): str,
        vol.Required("user_pool"): str,  # eu-west-1_XXXXXXXXX
        vol.Required("identity_pool"): str,  # eu-west-1:<uuid>
        vol.Required("iot_endpoint"): str,  # the <id> of <id>-ats.iot.<region>.amazonaws.com
        vol.Optional("dialect", default=dict): DIALECT_SCHEMA,
        vol.Optional("domains", default=list): [DOMAIN_SCHEMA],
        vol.Optional("thing_types", default=list): [THING_TYPE_SCHEMA],
        vol.Optional("users", default=list): [USER_SCHEMA],
        vol.Optional("things", default=list): [THING_SCHEMA],
        vol.Optional("fleet"): FLEET_SCHEMA,
    }
)


def expand_fleet(spec: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The things of a `fleet:` template, spread evenly over their report cycle."""
    if spec is None:
        return []
    template = {k: v for k, v in spec.items() if k not in ("count", "name", "label")}
    count = spec["count"]
    return [
        {
            **template,
            "name": spec["name"].format(n=n),
            **({"label": spec["label"].format(n=n)} if "label" in spec else {}),
            "phase_s": spec["report_every_s"] * (n - 1) / count,
        }
        for n in range(1, count + 1)
    ]


def _check_stack(stack: dict[str, Any]) -> None:
    domains = {ROOT_DOMAIN}
    for domain in stack["domains"]:
        if domain["name"] in domains:
            raise vol.Invalid(f"domain {domain['name']!r} is declared twice")
        if domain.get("parent", ROOT_DOMAIN) not in domains:
            raise vol.Invalid(f"domain {domain['name']!r}: declare its parent before it")
        domains.add(domain["name"])
    types: dict[str, set[str]] = {}
    for thing_type in stack["thing_types"]:
        if thing_type["domain"] not in domains:
            raise vol.Invalid(f"thing type {thing_type['id']}: no domain {thing_type['domain']!r}")
        types[thing_type["id"]] = {r["name"] for r in thing_type["resources"]}
    for user in stack["users"]:
        if user["domain"] not in domains:
            raise vol.Invalid(f"user {user['username']}: no domain {user['domain']!r}")
    for thing in [*stack["things"], *expand_fleet(stack.get("fleet"))]:
        where = f"thing {thing['name']}"
        if thing["domain"] not in domains - {ROOT_DOMAIN}:
            raise vol.Invalid(f"{where}: no domain {thing['domain']!r} (things live below root)")
        if thing["thing_type"] not in types:
            raise vol.Invalid(f"{where}: no thing type {thing['thing_type']!r}")
        unknown = set(thing["resources"]) - types[thing["thing_type"]]
        if unknown:
            raise vol.Invalid(f"{where}: its type has no resource {sorted(unknown)}")


def _check_references(data: dict[str, Any]) -> dict[str, Any]:
    seen: dict[str, set[str]] = {"stack": set(), "host": set(), "user": set(), "thing": set()}

    def once(kind: str, name: str) -> None:
        if name.lower() in seen[kind]:
            raise vol.Invalid(f"{kind} {name!r} appears twice (names are unique per scenario)")
        seen[kind].add(name.lower())

    for stack in data["stacks"]:
        once("stack", stack["name"])
        for host in stack["hostnames"]:
            once("host", host)
        for user in stack["users"]:
            once("user", user["username"])
        for thing in [*stack["things"], *expand_fleet(stack.get("fleet"))]:
            once("thing", thing["name"])
        _check_stack(stack)
    return data


SCENARIO_SCHEMA = vol.Schema(
    vol.All(
        {
            vol.Optional("name"): str,
            # Cognito's defaults: the id token lasts an hour, the refresh token thirty days
            vol.Optional("id_token_lifetime", default=3600): vol.All(int, vol.Range(min=5)),
            vol.Optional("refresh_token_lifetime", default=30 * 86400): vol.All(
                int, vol.Range(min=10)
            ),
            # GetCredentialsForIdentity's AWS credentials (an hour at Cognito)
            vol.Optional("aws_credentials_lifetime", default=3600): vol.All(int, vol.Range(min=5)),
            # observations the scenario's things have before the simulator starts
            vol.Optional("history_hours", default=24.0): vol.All(
                vol.Coerce(float), vol.Range(min=0, max=24 * 31)
            ),
            vol.Required("stacks"): vol.All([STACK_SCHEMA], vol.Length(min=1)),
        },
        _check_references,
    )
)
