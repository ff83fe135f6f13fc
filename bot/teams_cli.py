"""`complaints-bot teams package`: the Teams app package for upload."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def cmd_teams_package(args: argparse.Namespace) -> int:
    from bot.cli import _settings
    from bot.cli_ops import CliError
    from teams.package import package

    settings = _settings()
    app_id = args.app_id or settings.teams_app_id()
    if not app_id:
        raise CliError("teams package: the bot's app id is needed: set "
                       "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTID or pass --app-id")
    out = Path(args.out)
    out.write_bytes(package(app_id, domain=args.domain))
    print(f"wrote {out} (manifest.json, color.png, outline.png): upload it in Teams under "
          "Apps > Manage your apps > Upload an app")
    return 0


def add_teams_parser(sub: Any) -> None:
    teams = sub.add_parser("teams", help="Microsoft Teams: the app package")
    teams_sub = teams.add_subparsers(dest="teams_command", required=True)
    pkg = teams_sub.add_parser("package", help="write the Teams app package (a zip)")
    pkg.add_argument("--out", default="complaints-desk-teams.zip", help="zip file to write")
    pkg.add_argument("--app-id", help="the bot's app id (default: CLIENTID's setting)")
    pkg.add_argument("--domain", help="the bot's public host name, for validDomains")
    pkg.set_defaults(func=cmd_teams_package)
