"""Config flow: sign in to a MIC App Board with its host name, a user name and a password."""

from __future__ import annotations

from collections.abc import Mapping
import logging
from typing import Any

from homeassistant.config_entries import ConfigEntry, ConfigFlow, ConfigFlowResult
from homeassistant.const import CONF_HOST, CONF_PASSWORD, CONF_USERNAME
from homeassistant.helpers.selector import (
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
import voluptuous as vol

from .api import (
    DEFAULT_MANIFEST_URL,
    ManifestProblem,
    MicAuthError,
    MicConnectionError,
    MicError,
    MicManifestError,
    MicRateLimitError,
)
from .client_factory import client_for, entry_unique_id, normalized_host
from .const import CONF_AWS_ENDPOINT, CONF_MANIFEST_URL, DOMAIN

_LOGGER = logging.getLogger(__name__)

HOST = TextSelector(TextSelectorConfig(type=TextSelectorType.TEXT))
USERNAME = TextSelector(TextSelectorConfig(type=TextSelectorType.TEXT, autocomplete="username"))
PASSWORD = TextSelector(
    TextSelectorConfig(type=TextSelectorType.PASSWORD, autocomplete="current-password")
)
URL = TextSelector(TextSelectorConfig(type=TextSelectorType.URL))


def _schema(*, account: bool, advanced: bool) -> vol.Schema:
    fields: dict[vol.Marker, Any] = {}
    if account:
        fields[vol.Required(CONF_HOST)] = HOST
        fields[vol.Required(CONF_USERNAME)] = USERNAME
    fields[vol.Required(CONF_PASSWORD)] = PASSWORD
    if advanced:
        fields[vol.Required(CONF_MANIFEST_URL)] = URL
        fields[vol.Optional(CONF_AWS_ENDPOINT)] = URL
    return vol.Schema(fields)


def _entry_data(user_input: Mapping[str, Any]) -> dict[str, Any]:
    """The entry's data: the answers, tidied, with the defaults of fields the form did not show."""
    data = {CONF_MANIFEST_URL: DEFAULT_MANIFEST_URL, **user_input}
    data[CONF_HOST] = normalized_host(data[CONF_HOST])
    data[CONF_USERNAME] = str(data[CONF_USERNAME]).strip()
    if not data.get(CONF_AWS_ENDPOINT):
        data.pop(CONF_AWS_ENDPOINT, None)
    return data


def _errors_for(err: MicError) -> dict[str, str]:
    """The form's error for what the cloud answered."""
    if isinstance(err, MicAuthError):
        return {"base": "invalid_auth"}
    if isinstance(err, MicManifestError) and err.reason is ManifestProblem.UNKNOWN_HOST:
        return {CONF_HOST: "unknown_host"}
    if isinstance(err, MicRateLimitError):  # before its base class, MicConnectionError
        return {"base": "rate_limited"}
    if isinstance(err, MicConnectionError):
        return {"base": "cannot_connect"}
    _LOGGER.warning("MIC answered in a way this integration cannot read: %s", err)
    return {"base": "invalid_response"}


def _title(data: Mapping[str, Any]) -> str:
    return f"{data[CONF_USERNAME]} @ {data[CONF_HOST]}"


class TelenorMicConfigFlow(ConfigFlow, domain=DOMAIN):
    """One entry per App Board host and user."""

    VERSION = 1

    async def _sign_in(self, data: Mapping[str, Any]) -> dict[str, str]:
        """Read the manifest, sign in and list the things; returns the form's errors."""
        client = client_for(self.hass, data)
        try:
            await client.async_login()
            await client.async_get_things()
        except MicError as err:
            return _errors_for(err)
        except Exception:
            _LOGGER.exception("Unexpected error signing in to Telenor MIC")
            return {"base": "unknown"}
        return {}

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
        shown = {CONF_MANIFEST_URL: DEFAULT_MANIFEST_URL, **suggested}
        return self.async_show_form(
            step_id=step_id,
            data_schema=self.add_suggested_values_to_schema(
                _schema(account=account, advanced=advanced),
                {k: v for k, v in shown.items() if k != CONF_PASSWORD},
            ),
            errors=errors,
            description_placeholders=placeholders,
        )

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        errors: dict[str, str] = {}
        if user_input is not None:
            data = _entry_data(user_input)
            await self.async_set_unique_id(entry_unique_id(data))
            self._abort_if_unique_id_configured()
            errors = await self._sign_in(data)
            if not errors:
                return self.async_create_entry(title=_title(data), data=data)
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
    ) -> ConfigFlowResult:
        """Reauth and reconfigure: a new password (or addresses) for the same host and user."""
        errors: dict[str, str] = {}
        if user_input is not None:
            data = _entry_data({**entry.data, **user_input})
            await self.async_set_unique_id(entry_unique_id(data))
            self._abort_if_unique_id_mismatch(reason="wrong_account")
            errors = await self._sign_in(data)
            if not errors:
                return self.async_update_reload_and_abort(entry, data=data, title=_title(data))
        return self._form(
            step_id,
            account=account,
            advanced=account,
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
            self._get_reauth_entry(), "reauth_confirm", user_input, account=False
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        return await self._async_update_existing(
            self._get_reconfigure_entry(), "reconfigure", user_input, account=True
        )
