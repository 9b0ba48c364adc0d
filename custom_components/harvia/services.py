"""The start_session action: temperature, humidity, duration and profile in one call."""

from __future__ import annotations

from homeassistant.components.climate import DOMAIN as CLIMATE_DOMAIN
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import config_validation as cv, service
from homeassistant.helpers.typing import VolDictType
import voluptuous as vol

from .const import (
    ATTR_DURATION,
    ATTR_HUMIDITY,
    ATTR_PROFILE,
    ATTR_TEMPERATURE,
    DOMAIN,
    SERVICE_START_SESSION,
)

# The envelope of what the action takes (services.yaml shows the same ranges); a heater's own
# limits are checked by the climate entity, with a message that names them.
START_SESSION_SCHEMA: VolDictType = {
    vol.Optional(ATTR_TEMPERATURE): vol.All(vol.Coerce(float), vol.Range(min=0, max=130)),
    vol.Optional(ATTR_HUMIDITY): vol.All(vol.Coerce(float), vol.Range(min=0, max=100)),
    vol.Optional(ATTR_DURATION): vol.All(vol.Coerce(int), vol.Range(min=1, max=1440)),
    vol.Optional(ATTR_PROFILE): cv.string,
}


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    service.async_register_platform_entity_service(
        hass,
        DOMAIN,
        SERVICE_START_SESSION,
        entity_domain=CLIMATE_DOMAIN,
        schema=START_SESSION_SCHEMA,
        func="async_start_session",
    )
