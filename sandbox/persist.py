"""The workspace's messages and Home tabs kept in a JSON file beside the database.

The bot's database remembers which Slack message is each case's card (it updates it with
chat.update), so the stand-in must remember the messages across a restart too: it saves
them when the sandbox stops and loads them when it starts. Modals and ephemerals are
screen state and, as in Slack, do not survive.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import datetime
from pathlib import Path

from sandbox.workspace import Posted, Workspace


def save(workspace: Workspace, path: Path, clock: datetime) -> None:
    """Write the messages, Home tabs and the demo clock's time to ``path`` (atomically)."""
    state = {"messages": [asdict(m) for m in workspace.messages.values()],
             "homes": workspace.homes, "clock": clock.isoformat()}
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(state), encoding="utf-8")
    temporary.replace(path)


def load(workspace: Workspace, path: Path) -> datetime | None:
    """Restore what ``save`` wrote and return the demo clock's time then (None if unsaved)."""
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    for item in state.get("messages", []):
        posted = Posted(**item)
        workspace.messages[(posted.channel, posted.ts)] = posted
    workspace.homes.update(state.get("homes", {}))
    return datetime.fromisoformat(state["clock"]) if state.get("clock") else None
