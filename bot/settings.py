"""One Settings object, read from the environment and an optional .env file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from cases.delivery import DEFAULT_SURFACES
from cases.roles import Role

TEAMS = "teams"  # the surface name (teams.TEAMS; bot/settings imports no adapter)
BOT_FRAMEWORK_METADATA = "https://login.botframework.com/v1/.well-known/openidconfiguration"

UserList = Annotated[list[str], NoDecode]
NameList = Annotated[list[str], NoDecode]  # comma-separated in the environment


class Settings(BaseSettings):
    """Every setting the bot reads. Built once in ``bot/`` and passed down."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8",
                                      extra="ignore", case_sensitive=False)

    database_url: str = Field(default="sqlite:///complaints.sqlite3",
                              description="SQLAlchemy URL; SQLite file in the working directory "
                                          "by default, or postgresql+psycopg://...")
    complaints_policy_file: Path | None = Field(
        default=None, description="TOML file overriding the procedure's default time limits")
    complaints_customer_services: UserList = Field(default_factory=list)
    complaints_directors: UserList = Field(default_factory=list)
    complaints_hr_managers: UserList = Field(default_factory=list)
    complaints_surfaces: NameList = Field(
        default_factory=lambda: list(DEFAULT_SURFACES),
        description="where messages go, comma-separated: each needs a deliverer (slack)")

    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_api_url: str | None = Field(
        default=None, description="Slack Web API base URL; empty means Slack's own")
    complaints_cs_channel: str | None = None
    complaints_directors_channel: str | None = None
    complaints_templates_dir: Path | None = Field(
        default=None, description="folder of letter templates overriding the shipped ones")
    complaints_smtp_url: SecretStr | None = Field(
        default=None, description="smtp://user:password@host:port (smtps:// for TLS, "
                                  "?starttls=1); empty: no email, post or phone only")
    complaints_mail_from: str | None = Field(
        default=None, description="From address of letters sent by email")

    # Microsoft Teams: the Agents SDK's own setting names for the bot's Entra app.
    connections__service_connection__settings__clientid: str | None = None
    connections__service_connection__settings__clientsecret: SecretStr | None = None
    connections__service_connection__settings__tenantid: str | None = None
    complaints_teams_openid_metadata_url: str = Field(
        default=BOT_FRAMEWORK_METADATA,
        description="OpenID metadata whose keys sign Bot Framework tokens (sovereign clouds, "
                    "local tests)")
    complaints_teams_anonymous: bool = Field(
        default=False, description="accept requests without a token: Agents Playground only")
    complaints_teams_cs_channel: str | None = None
    complaints_teams_directors_channel: str | None = None

    @field_validator("complaints_customer_services", "complaints_directors",
                     "complaints_hr_managers", "complaints_surfaces", mode="before")
    @classmethod
    def _comma_separated(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("complaints_policy_file", "slack_api_url", "complaints_cs_channel",
                     "complaints_directors_channel", "slack_bot_token", "slack_signing_secret",
                     "slack_app_token", "complaints_templates_dir", "complaints_smtp_url",
                     "complaints_mail_from", "connections__service_connection__settings__clientid",
                     "connections__service_connection__settings__clientsecret",
                     "connections__service_connection__settings__tenantid",
                     "complaints_teams_cs_channel", "complaints_teams_directors_channel",
                     mode="before")
    @classmethod
    def _blank_is_unset(cls, value: Any) -> Any:
        if isinstance(value, str) and not value.strip():
            return None
        return value

    def bootstrap_roles(self) -> dict[Role, list[str]]:
        """Roles to grant at start, from COMPLAINTS_CUSTOMER_SERVICES and friends."""
        return {
            Role.CUSTOMER_SERVICES: list(self.complaints_customer_services),
            Role.DIRECTOR: list(self.complaints_directors),
            Role.HR_MANAGER: list(self.complaints_hr_managers),
        }

    @model_validator(mode="after")
    def _teams_joins_the_surfaces(self) -> Settings:
        # Unless COMPLAINTS_SURFACES says otherwise, every notice also goes to Teams once
        # Teams is configured (and only there when Slack is not).
        if "complaints_surfaces" not in self.model_fields_set and self.teams_configured():
            chat = [TEAMS] if self.slack_bot_token is None else [*DEFAULT_SURFACES, TEAMS]
            object.__setattr__(self, "complaints_surfaces", chat)
        return self

    def teams_configured(self) -> bool:
        """Are the Teams credentials (the SDK's CONNECTIONS__… settings) given?"""
        return self.connections__service_connection__settings__clientid is not None

    def teams_app_id(self) -> str:
        return self.connections__service_connection__settings__clientid or ""

    def missing_for_teams(self) -> list[str]:
        """Names of the settings still needed to serve Teams."""
        prefix = "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__"
        missing = []
        if self.connections__service_connection__settings__clientsecret is None:
            missing.append(prefix + "CLIENTSECRET")
        if self.connections__service_connection__settings__tenantid is None:
            missing.append(prefix + "TENANTID")
        if self.complaints_teams_cs_channel is None:
            missing.append("COMPLAINTS_TEAMS_CS_CHANNEL")
        if self.complaints_teams_directors_channel is None:
            missing.append("COMPLAINTS_TEAMS_DIRECTORS_CHANNEL")
        return missing

    def missing_for_slack(self) -> list[str]:
        """Names of the settings still needed to talk to Slack, in the mode chosen."""
        missing = []
        if self.slack_bot_token is None:
            missing.append("SLACK_BOT_TOKEN")
        if self.slack_app_token is None and self.slack_signing_secret is None:
            missing.append("SLACK_SIGNING_SECRET (HTTP mode) or SLACK_APP_TOKEN (Socket Mode)")
        if self.complaints_cs_channel is None:
            missing.append("COMPLAINTS_CS_CHANNEL")
        if self.complaints_directors_channel is None:
            missing.append("COMPLAINTS_DIRECTORS_CHANNEL")
        return missing
