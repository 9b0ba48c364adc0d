"""Running a cloud action for an entity or a service call, with translated errors."""

from __future__ import annotations

from collections.abc import Awaitable

from homeassistant.exceptions import HomeAssistantError, ServiceValidationError

from .api import (
    HarviaAuthError,
    HarviaCommandError,
    HarviaConnectionError,
    HarviaDeviceUnavailableError,
    HarviaInvalidValueError,
    HarviaRemoteNotAllowedError,
    HarviaUnsupportedError,
)
from .const import DOMAIN
from .coordinator import HarviaCoordinator


async def run_command(coordinator: HarviaCoordinator, action: Awaitable[None], sauna: str) -> None:
    """Await `action`; every failure becomes a translated Home Assistant error."""
    placeholders = {"sauna": sauna}
    try:
        await action
    except HarviaInvalidValueError as err:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="invalid_value",
            translation_placeholders={**placeholders, "message": err.message},
        ) from err
    except HarviaUnsupportedError as err:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="unsupported",
            translation_placeholders=placeholders,
        ) from err
    except HarviaRemoteNotAllowedError as err:
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="remote_not_allowed",
            translation_placeholders=placeholders,
        ) from err
    except HarviaDeviceUnavailableError as err:
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="device_unavailable",
            translation_placeholders=placeholders,
        ) from err
    except HarviaCommandError as err:
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="command_failed",
            translation_placeholders={**placeholders, "message": err.message},
        ) from err
    except HarviaAuthError as err:
        coordinator.config_entry.async_start_reauth(coordinator.hass)
        raise HomeAssistantError(translation_domain=DOMAIN, translation_key="auth_failed") from err
    except HarviaConnectionError as err:
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="cannot_connect",
            translation_placeholders=placeholders,
        ) from err
    if not coordinator.push_connected:
        await coordinator.async_request_refresh()  # no push to tell us the outcome
