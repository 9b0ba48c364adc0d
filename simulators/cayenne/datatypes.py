"""`GET /v1.1/ui/datatypes`: the data types things report, with their units and labels.

No document shows this answer; community code reads unit labels from it. We serve a list of
`{"name", "data_type", "units": [{"unit", "label", "symbol"}]}`, one entry per data type, the
units in the spelling MQTT payloads use (`temp,c=21.5`), the first unit the default. Cayenne's
"no unit" is the unit `null` (analog sensors, counters); digital types have the unit `d`.
"""

from __future__ import annotations

from typing import Any

_DIGITAL = ("d", "Digital (0/1)", "")
_NULL = ("null", "Analog", "")
_PERCENT = ("p", "Percent (%)", "%")

# data type -> (name, units as (unit, label, symbol))
DATA_TYPES: dict[str, tuple[str, tuple[tuple[str, str, str], ...]]] = {
    "temp": (
        "Temperature",
        (("c", "Celsius", "°C"), ("f", "Fahrenheit", "°F"), ("k", "Kelvin", "K")),
    ),
    "rel_hum": ("Relative Humidity", (_PERCENT,)),
    "lum": ("Luminosity", (("lux", "Lux", "lx"),)),
    "bp": ("Barometric Pressure", (("hpa", "Hectopascal", "hPa"),)),
    "press": ("Pressure", (_NULL,)),
    "batt": ("Battery", (_PERCENT, ("v", "Volts", "V"))),
    "voltage": ("Voltage", (("v", "Volts", "V"), ("mv", "Millivolts", "mV"))),
    "current": ("Current", (("a", "Ampere", "A"),)),
    "pow": ("Power", (("w", "Watts", "W"),)),
    "energy": ("Energy", (("kwh", "Kilowatt Hour", "kWh"),)),
    "co2": ("Carbon Dioxide", (("ppm", "Parts per million", "ppm"),)),
    "soil_moist": ("Soil Moisture", (_PERCENT,)),
    "rain_level": ("Rain Level", (("mm", "Millimeter", "mm"),)),
    "wind_speed": ("Wind Speed", (("kmh", "Kilometer per hour", "km/h"),)),
    "prox": ("Proximity", (_DIGITAL,)),
    "motion": ("Motion", (_DIGITAL,)),
    "digital_sensor": ("Digital Sensor", (_DIGITAL,)),
    "analog_sensor": ("Analog Sensor", (_NULL,)),
    "counter": ("Counter", (_NULL,)),
    "rssi": ("Received signal strength indicator", (("dbm", "dBm", "dBm"),)),
    "snr": ("Signal Noise Ratio", (("db", "Decibels", "dB"),)),
    "gps": ("GPS", (("m", "Meters", "m"),)),
    "digital_actuator": ("Digital Actuator", (_DIGITAL,)),
    "analog_actuator": ("Analog Actuator", (_NULL,)),
    "relay": ("Relay", (_DIGITAL,)),
    "switch": ("Switch", (_DIGITAL,)),
    "valve": ("Valve", (_DIGITAL,)),
    "motor": ("Motor", (_PERCENT,)),
    "lt_switch_act": ("Light Switch", (_DIGITAL,)),
    "lt_lum": ("Light Dimmer", (_PERCENT,)),
    "hvac_temp": ("HVAC Temperature", (("c", "Celsius", "°C"), ("f", "Fahrenheit", "°F"))),
}


def datatypes_json() -> list[dict[str, Any]]:
    return [
        {
            "name": name,
            "data_type": data_type,
            "units": [
                {"unit": unit, "label": label, "symbol": symbol} for unit, label, symbol in units
            ],
        }
        for data_type, (name, units) in DATA_TYPES.items()
    ]
