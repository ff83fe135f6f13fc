"""The workspace's messages and Home tabs kept in a JSON file beside the database.

The bot's database remembers which Slack message is each case's card (it updates it with
chat.update), so the stand-in must remember the messages across a restart too: it saves
them (with the files shared in them, and the mailbox) when the sandbox stops and loads them
when it starts. Modals and ephemerals are screen state and, as in Slack, do not survive.
"""

from __future__ import annotations

import base64
import json
from dataclasses import asdict
from datetime import datetime
from pathlib import Path

from sandbox.files import Upload
from sandbox.model import Posted
from sandbox.workspace import Workspace


def save(workspace: Workspace, path: Path, clock: datetime) -> None:
    """Write the messages, Home tabs, files, mailbox and demo clock's time to ``path``."""
    files = {f.id: {"filename": f.filename, "title": f.title,
                    "data": base64.b64encode(f.data or b"").decode()}
             for f in workspace.uploads.files.values() if f.completed}
    mail = [{"sender": m.sender, "recipients": list(m.recipients),
             "raw": base64.b64encode(m.raw).decode()} for m in workspace.mailbox.all()]
    state = {"messages": [asdict(m) for m in workspace.messages.values()],
             "homes": workspace.homes, "files": files, "mail": mail,
             "clock": clock.isoformat()}
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
    for file_id, item in state.get("files", {}).items():
        data = base64.b64decode(item["data"])
        workspace.uploads.files[file_id] = Upload(file_id, item["filename"], len(data), data,
                                                  item["title"], completed=True)
    for item in state.get("mail", []):
        workspace.mailbox.deliver(item["sender"], item["recipients"],
                                  base64.b64decode(item["raw"]))
    return datetime.fromisoformat(state["clock"]) if state.get("clock") else None
