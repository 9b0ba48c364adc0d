"""Config flow: sign in with the MyHarvia e-mail and password."""

from __future__ import annotations

from collections.abc import Mapping
import logging
from typing import Any

from homeassistant.config_entries import ConfigFlow, ConfigFlowResult
from homeassistant.const import CONF_EMAIL, CONF_PASSWORD
from homeassistant.helpers.selector import (
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
import voluptuous as vol

from .api import (
    DEFAULT_DISCOVERY_URL,
    HarviaAuthError,
    HarviaConnectionError,
    HarviaNoPasswordError,
)
from .client_factory import client_for
from .const import CONF_DISCOVERY_URL, CONF_REFRESH_TOKEN, DOMAIN

_LOGGER = logging.getLogger(__name__)

EMAIL = TextSelector(TextSelectorConfig(type=TextSelectorType.EMAIL, autocomplete="username"))
PASSWORD = TextSelector(
    TextSelectorConfig(type=TextSelectorType.PASSWORD, autocomplete="current-password")
)
URL = TextSelector(TextSelectorConfig(type=TextSelectorType.URL))


class HarviaConfigFlow(ConfigFlow, domain=DOMAIN):
    """Set up a MyHarvia account."""

    VERSION = 1

    async def _validate(
        self, data: dict[str, Any]
    ) -> tuple[dict[str, str], dict[str, Any], str | None]:
        """Sign in; returns (errors, entry data with the refresh token, account id)."""
        client = client_for(self.hass, {**data, CONF_REFRESH_TOKEN: ""})
        try:
            await client.async_login()
        except HarviaNoPasswordError:
            return {"base": "no_password"}, data, None
        except HarviaAuthError:
            return {"base": "invalid_auth"}, data, None
        except HarviaConnectionError:
            return {"base": "cannot_connect"}, data, None
        except Exception:
            _LOGGER.exception("Unexpected error signing in to MyHarvia")
            return {"base": "unknown"}, data, None
        account = client.username or data[CONF_EMAIL].lower()
        return {}, {**data, CONF_REFRESH_TOKEN: client.refresh_token}, account

    def _schema(self, defaults: Mapping[str, Any], *, with_url: bool) -> vol.Schema:
        fields: dict[vol.Marker, Any] = {
            vol.Required(CONF_EMAIL, default=defaults.get(CONF_EMAIL, vol.UNDEFINED)): EMAIL,
            vol.Required(CONF_PASSWORD): PASSWORD,
        }
        if with_url:
            fields[
                vol.Optional(
                    CONF_DISCOVERY_URL,
                    default=defaults.get(CONF_DISCOVERY_URL, DEFAULT_DISCOVERY_URL),
                )
            ] = URL
        return vol.Schema(fields)

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        errors: dict[str, str] = {}
        if user_input is not None:
            errors, data, account = await self._validate(user_input)
            if not errors:
                await self.async_set_unique_id(account)
                self._abort_if_unique_id_configured()
                return self.async_create_entry(title=user_input[CONF_EMAIL], data=data)
        return self.async_show_form(
            step_id="user",
            data_schema=self.add_suggested_values_to_schema(
                self._schema({}, with_url=self.show_advanced_options), user_input or {}
            ),
            errors=errors,
        )

    async def async_step_reauth(self, entry_data: Mapping[str, Any]) -> ConfigFlowResult:
        return await self.async_step_reauth_confirm()

    async def async_step_reauth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        entry = self._get_reauth_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            errors, data, account = await self._validate({**entry.data, **user_input})
            if not errors:
                await self.async_set_unique_id(account)
                self._abort_if_unique_id_mismatch(reason="wrong_account")
                return self.async_update_reload_and_abort(entry, data=data)
        return self.async_show_form(
            step_id="reauth_confirm",
            data_schema=vol.Schema({vol.Required(CONF_PASSWORD): PASSWORD}),
            description_placeholders={"email": entry.data[CONF_EMAIL]},
            errors=errors,
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        entry = self._get_reconfigure_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            errors, data, account = await self._validate(user_input)
            if not errors:
                await self.async_set_unique_id(account)
                self._abort_if_unique_id_mismatch(reason="wrong_account")
                return self.async_update_reload_and_abort(
                    entry, title=user_input[CONF_EMAIL], data=data
                )
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=self._schema(user_input or entry.data, with_url=True),
            errors=errors,
        )
