"""Config flow: sign in with the Homely app's username and password, then choose a home."""

from __future__ import annotations

from collections.abc import Mapping
import logging
from typing import Any

from homeassistant.config_entries import (
    SOURCE_INTEGRATION_DISCOVERY,
    ConfigEntry,
    ConfigFlow,
    ConfigFlowResult,
)
from homeassistant.const import CONF_NAME, CONF_PASSWORD, CONF_USERNAME
from homeassistant.helpers.selector import (
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
import voluptuous as vol

from .api import (
    DEFAULT_BASE_URL,
    HomelyAuthError,
    HomelyConnectionError,
    HomelyRateLimitError,
    HomelyRequestError,
    Location,
)
from .client_factory import client_for
from .const import CONF_BASE_URL, CONF_LOCATION_ID, DOMAIN

_LOGGER = logging.getLogger(__name__)

USERNAME = TextSelector(TextSelectorConfig(type=TextSelectorType.EMAIL, autocomplete="username"))
PASSWORD = TextSelector(
    TextSelectorConfig(type=TextSelectorType.PASSWORD, autocomplete="current-password")
)
URL = TextSelector(TextSelectorConfig(type=TextSelectorType.URL))


class HomelyConfigFlow(ConfigFlow, domain=DOMAIN):
    """One entry per home; the same account can add each of its homes."""

    VERSION = 1

    def __init__(self) -> None:
        self._credentials: dict[str, Any] = {}
        self._homes: dict[str, Location] = {}

    async def _sign_in(self, data: Mapping[str, Any]) -> tuple[dict[str, str], list[Location]]:
        """Sign in and list the homes; returns (errors, homes)."""
        client = client_for(self.hass, data)
        try:
            await client.async_login()
            return {}, await client.async_get_locations()
        except HomelyAuthError:
            return {"base": "invalid_auth"}, []
        except HomelyRateLimitError:
            return {"base": "rate_limited"}, []
        except HomelyRequestError as err:
            _LOGGER.warning("Homely refused the sign-in request as malformed: %s", err)
            return {"base": "unknown"}, []
        except HomelyConnectionError:
            return {"base": "cannot_connect"}, []
        except Exception:
            _LOGGER.exception("Unexpected error signing in to Homely")
            return {"base": "unknown"}, []

    def _credential_schema(self, defaults: Mapping[str, Any], *, with_url: bool) -> vol.Schema:
        fields: dict[vol.Marker, Any] = {
            vol.Required(
                CONF_USERNAME, default=defaults.get(CONF_USERNAME, vol.UNDEFINED)
            ): USERNAME,
            vol.Required(CONF_PASSWORD): PASSWORD,
        }
        if with_url:
            fields[
                vol.Optional(CONF_BASE_URL, default=defaults.get(CONF_BASE_URL, DEFAULT_BASE_URL))
            ] = URL
        return vol.Schema(fields)

    # --- a new home -------------------------------------------------------------------------------
    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        errors: dict[str, str] = {}
        if user_input is not None:
            errors, homes = await self._sign_in(user_input)
            if not errors:
                if not homes:
                    return self.async_abort(reason="no_homes")
                configured = self._async_current_ids(include_ignore=False)
                self._credentials = dict(user_input)
                self._homes = {h.location_id: h for h in homes if h.location_id not in configured}
                if not self._homes:
                    return self.async_abort(reason="all_homes_configured")
                if len(self._homes) == 1:
                    return await self._async_create_home(next(iter(self._homes)))
                return await self.async_step_home()
        return self.async_show_form(
            step_id="user",
            data_schema=self.add_suggested_values_to_schema(
                self._credential_schema({}, with_url=self.show_advanced_options),
                {k: v for k, v in (user_input or {}).items() if k != CONF_PASSWORD},
            ),
            errors=errors,
        )

    async def async_step_home(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        if user_input is not None:
            chosen = user_input[CONF_LOCATION_ID]
            for other in self._homes:
                if other != chosen:
                    self._offer_home(other)
            return await self._async_create_home(chosen)
        options = [
            SelectOptionDict(value=home.location_id, label=home.name)
            for home in self._homes.values()
        ]
        return self.async_show_form(
            step_id="home",
            data_schema=vol.Schema(
                {
                    vol.Required(CONF_LOCATION_ID): SelectSelector(
                        SelectSelectorConfig(options=options)
                    )
                }
            ),
        )

    def _offer_home(self, location_id: str) -> None:
        """The remaining homes of the account show up as discovered, one click each to add."""
        self.hass.async_create_task(
            self.hass.config_entries.flow.async_init(
                DOMAIN,
                context={"source": SOURCE_INTEGRATION_DISCOVERY},
                data={
                    **self._credentials,
                    CONF_LOCATION_ID: location_id,
                    CONF_NAME: self._homes[location_id].name,
                },
            ),
            eager_start=False,
        )

    async def _async_create_home(self, location_id: str) -> ConfigFlowResult:
        await self.async_set_unique_id(location_id)
        self._abort_if_unique_id_configured()
        return self.async_create_entry(
            title=self._homes[location_id].name,
            data={**self._credentials, CONF_LOCATION_ID: location_id},
        )

    async def async_step_integration_discovery(
        self, discovery_info: dict[str, Any]
    ) -> ConfigFlowResult:
        location_id = discovery_info[CONF_LOCATION_ID]
        await self.async_set_unique_id(location_id)
        self._abort_if_unique_id_configured()
        self._credentials = {
            k: v for k, v in discovery_info.items() if k not in (CONF_NAME, CONF_LOCATION_ID)
        }
        self._homes = {location_id: Location(location_id, discovery_info[CONF_NAME])}
        self.context["title_placeholders"] = {"name": discovery_info[CONF_NAME]}
        return await self.async_step_discovery_confirm()

    async def async_step_discovery_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        location_id = next(iter(self._homes))
        if user_input is not None:
            return await self._async_create_home(location_id)
        return self.async_show_form(
            step_id="discovery_confirm",
            description_placeholders={"name": self._homes[location_id].name},
        )

    # --- an existing home -------------------------------------------------------------------------
    async def _async_update_existing(
        self, entry: ConfigEntry, step_id: str, user_input: dict[str, Any] | None
    ) -> ConfigFlowResult:
        """Reauth and reconfigure: new credentials that must still reach this entry's home."""
        errors: dict[str, str] = {}
        if user_input is not None:
            data = {**entry.data, **user_input}
            errors, homes = await self._sign_in(data)
            if not errors and not any(h.location_id == data[CONF_LOCATION_ID] for h in homes):
                errors = {"base": "home_not_found"}
            if not errors:
                return self.async_update_reload_and_abort(entry, data=data)
        return self.async_show_form(
            step_id=step_id,
            data_schema=self._credential_schema(
                user_input or entry.data, with_url=step_id == "reconfigure"
            ),
            description_placeholders={"home": entry.title},
            errors=errors,
        )

    async def async_step_reauth(self, entry_data: Mapping[str, Any]) -> ConfigFlowResult:
        return await self.async_step_reauth_confirm()

    async def async_step_reauth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        return await self._async_update_existing(
            self._get_reauth_entry(), "reauth_confirm", user_input
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        return await self._async_update_existing(
            self._get_reconfigure_entry(), "reconfigure", user_input
        )
