"""The stand-in's file uploads (files_upload_v2): a letter to post, shared in a DM.

Slack's three steps: ``files.getUploadURLExternal`` hands out an upload URL, the bytes are
POSTed there (``/upload/<file id>`` on the sandbox's own server), ``files.completeUpload
External`` shares the files in a channel. The sandbox shows each shared file as a line in
that channel (its name and size); the bytes stay on the bot's side and are not kept here.
"""

from __future__ import annotations

import itertools
import json
from typing import Any

UPLOAD_PATH = "/upload/"


class FileShares:
    """Mixed into ``sandbox.workspace.Workspace``: the files.* methods the bot calls."""

    _file_ids = itertools.count(1)

    def _uploads(self) -> dict[str, int]:
        found: dict[str, int] = self.__dict__.setdefault("_upload_sizes", {})
        return found

    def _api_files_getUploadURLExternal(self, body: dict[str, Any]) -> dict[str, Any]:
        if not body.get("filename") or not str(body.get("length") or "").isdigit():
            return {"ok": False, "error": "invalid_arguments"}
        file_id = f"FSANDBOX{next(self._file_ids):05d}"
        self._uploads()[file_id] = -1  # handed out, nothing received yet
        # The web layer puts its own address in front of the path (it knows the host).
        return {"ok": True, "file_id": file_id, "upload_url": f"{UPLOAD_PATH}{file_id}"}

    def receive_upload(self, file_id: str, data: bytes) -> bool:
        """The bytes POSTed to an upload URL; False for one never handed out."""
        uploads = self._uploads()
        if file_id not in uploads:
            return False
        uploads[file_id] = len(data)
        return True

    def _api_files_completeUploadExternal(self, body: dict[str, Any]) -> dict[str, Any]:
        files = body.get("files")
        files = json.loads(files) if isinstance(files, str) else files
        uploads = self._uploads()
        if not isinstance(files, list) or not files or any(
                uploads.get(str(f.get("id")), -1) < 0 for f in files):
            return {"ok": False, "error": "file_not_found"}
        lines = [str(body.get("initial_comment") or "")] + [
            f":page_facing_up: {f.get('title') or f['id']} "
            f"({max(1, uploads[str(f['id'])] // 1024)} KB; the sandbox does not keep files)"
            for f in files]
        posted: dict[str, Any] = self._api_chat_postMessage(  # type: ignore[attr-defined]
            {"channel": body.get("channel_id"), "text": "\n".join(filter(None, lines))})
        if not posted.get("ok"):
            return posted
        return {"ok": True, "files": [{"id": f["id"], "title": f.get("title")} for f in files]}
