"""Config flow: sign in with the Cayenne account and the App Key and Secret of its app."""

from __future__ import annotations

from collections.abc import Mapping
import logging
from typing import Any

from homeassistant.config_entries import ConfigEntry, ConfigFlow, ConfigFlowResult
from homeassistant.const import CONF_EMAIL, CONF_PASSWORD
from homeassistant.helpers.selector import (
    BooleanSelector,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
import voluptuous as vol

from .api import (
    DEFAULT_API_URL,
    DEFAULT_MQTT_HOST,
    DEFAULT_MQTT_PORT,
    AuthFlow,
    CayenneAuthError,
    CayenneConnectionError,
    CayenneRateLimitError,
    CayenneResponseError,
)
from .client_factory import client_for
from .const import (
    CONF_API_URL,
    CONF_APP_KEY,
    CONF_APP_SECRET,
    CONF_AUTH_FLOW,
    CONF_AUTH_URL,
    CONF_MQTT_HOST,
    CONF_MQTT_PORT,
    CONF_MQTT_TLS,
    DOMAIN,
)

_LOGGER = logging.getLogger(__name__)

EMAIL = TextSelector(TextSelectorConfig(type=TextSelectorType.EMAIL, autocomplete="username"))
PASSWORD = TextSelector(
    TextSelectorConfig(type=TextSelectorType.PASSWORD, autocomplete="current-password")
)
TEXT = TextSelector()
SECRET = TextSelector(TextSelectorConfig(type=TextSelectorType.PASSWORD))
URL = TextSelector(TextSelectorConfig(type=TextSelectorType.URL))
AUTH_FLOW = SelectSelector(
    SelectSelectorConfig(
        options=[flow.value for flow in AuthFlow],
        translation_key=CONF_AUTH_FLOW,
        mode=SelectSelectorMode.DROPDOWN,
    )
)
PORT = NumberSelector(NumberSelectorConfig(min=1, max=65535, mode=NumberSelectorMode.BOX))
# The fields only advanced mode (and reconfigure) shows, with what they mean when left out.
ADVANCED_DEFAULTS: dict[str, Any] = {
    CONF_AUTH_FLOW: AuthFlow.OPENID.value,
    CONF_API_URL: DEFAULT_API_URL,
    CONF_MQTT_HOST: DEFAULT_MQTT_HOST,
    CONF_MQTT_PORT: DEFAULT_MQTT_PORT,
    CONF_MQTT_TLS: False,
}


def _schema(*, account: bool, advanced: bool) -> vol.Schema:
    fields: dict[vol.Marker, Any] = {}
    if account:
        fields[vol.Required(CONF_EMAIL)] = EMAIL
    fields[vol.Required(CONF_PASSWORD)] = PASSWORD
    fields[vol.Required(CONF_APP_KEY)] = TEXT
    fields[vol.Required(CONF_APP_SECRET)] = SECRET
    if advanced:
        fields.update(
            {
                vol.Required(CONF_AUTH_FLOW): AUTH_FLOW,
                vol.Optional(CONF_AUTH_URL): URL,
                vol.Required(CONF_API_URL): URL,
                vol.Required(CONF_MQTT_HOST): TEXT,
                vol.Required(CONF_MQTT_PORT): PORT,
                vol.Required(CONF_MQTT_TLS): BooleanSelector(),
            }
        )
    return vol.Schema(fields)


def _entry_data(user_input: Mapping[str, Any]) -> dict[str, Any]:
    """The entry's data: the answers, with the defaults of fields the form did not show."""
    data = {**ADVANCED_DEFAULTS, **user_input}
    data[CONF_MQTT_PORT] = int(data[CONF_MQTT_PORT])
    if not data.get(CONF_AUTH_URL):
        data.pop(CONF_AUTH_URL, None)
    return data


class CayenneConfigFlow(ConfigFlow, domain=DOMAIN):
    """One entry per Cayenne account."""

    VERSION = 1

    async def _sign_in(self, data: Mapping[str, Any]) -> tuple[dict[str, str], str | None]:
        """Sign in and read the things; returns (errors, the account's id)."""
        client = client_for(self.hass, data)
        try:
            await client.async_login()
            await client.async_get_things()
        except CayenneAuthError:
            return {"base": "invalid_auth"}, None
        except CayenneRateLimitError:
            return {"base": "rate_limited"}, None
        except CayenneResponseError as err:
            _LOGGER.warning("Cayenne answered in a way this integration cannot read: %s", err)
            return {"base": "invalid_response"}, None
        except CayenneConnectionError:
            return {"base": "cannot_connect"}, None
        except Exception:
            _LOGGER.exception("Unexpected error signing in to Cayenne")
            return {"base": "unknown"}, None
        return {}, client.account_id or str(data[CONF_EMAIL]).lower()

    def _form(
        self,
        step_id: str,
        *,
        account: bool,
        advanced: bool,
        suggested: Mapping[str, Any],
        errors: dict[str, str],
        placeholders: dict[str, str] | None = None,
    ) -> ConfigFlowResult:
        shown = {**ADVANCED_DEFAULTS, **suggested}
        return self.async_show_form(
            step_id=step_id,
            data_schema=self.add_suggested_values_to_schema(
                _schema(account=account, advanced=advanced),
                {k: v for k, v in shown.items() if k not in (CONF_PASSWORD, CONF_APP_SECRET)},
            ),
            errors=errors,
            description_placeholders=placeholders,
        )

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        errors: dict[str, str] = {}
        if user_input is not None:
            data = _entry_data(user_input)
            errors, account_id = await self._sign_in(data)
            if not errors:
                await self.async_set_unique_id(account_id)
                self._abort_if_unique_id_configured()
                return self.async_create_entry(title=data[CONF_EMAIL], data=data)
        return self._form(
            "user",
            account=True,
            advanced=self.show_advanced_options,
            suggested=user_input or {},
            errors=errors,
        )

    async def _async_update_existing(
        self,
        entry: ConfigEntry,
        step_id: str,
        user_input: dict[str, Any] | None,
        *,
        account: bool,
        advanced: bool,
    ) -> ConfigFlowResult:
        """Reauth and reconfigure: new credentials (or addresses) for the same account."""
        errors: dict[str, str] = {}
        if user_input is not None:
            data = _entry_data({**entry.data, **user_input})
            errors, account_id = await self._sign_in(data)
            if not errors:
                await self.async_set_unique_id(account_id)
                self._abort_if_unique_id_mismatch(reason="wrong_account")
                return self.async_update_reload_and_abort(entry, data=data, title=data[CONF_EMAIL])
        return self._form(
            step_id,
            account=account,
            advanced=advanced,
            suggested=user_input or entry.data,
            errors=errors,
            placeholders={"account": entry.title},
        )

    async def async_step_reauth(self, entry_data: Mapping[str, Any]) -> ConfigFlowResult:
        return await self.async_step_reauth_confirm()

    async def async_step_reauth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        return await self._async_update_existing(
            self._get_reauth_entry(), "reauth_confirm", user_input, account=False, advanced=False
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        return await self._async_update_existing(
            self._get_reconfigure_entry(), "reconfigure", user_input, account=True, advanced=True
        )
