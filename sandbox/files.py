"""Slack's file upload, in the three steps ``slack_sdk``'s ``files_upload_v2`` takes.

1. ``files.getUploadURLExternal`` (``filename``, ``length`` in bytes) reserves a file id and
   answers the URL to send the bytes to;
2. the bytes are POSTed to that URL: not a Web API method, a plain upload;
3. ``files.completeUploadExternal`` (``files`` as a JSON list of ``{"id", "title"}``, and
   ``channel_id``, ``initial_comment``, ``thread_ts``) finishes the files and shares them
   in the channel as one message.

Both the sandbox's stand-in and the tests' fake Slack keep their uploads in an ``Uploads``
and so refuse the same things: a reservation without a file name or a whole positive length
(``invalid_arguments``), bytes sent to a URL that was never given or already used (HTTP
404) or other than the length reserved (HTTP 400, the stand-ins' reading: the reservation
fixes the size), a completion naming a file that was never reserved or is already complete
(``file_not_found``) or one whose bytes never came (``invalid_arguments``), and a channel
that is not a conversation id: ``completeUploadExternal`` does not turn a user id into a DM
as ``chat.postMessage`` does, so a ``U…`` there is ``channel_not_found``, and a
``thread_ts`` that is no message of the channel ``thread_not_found`` (the caller knows its
channels and messages).
"""

from __future__ import annotations

import json
import mimetypes
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# Slack's upload ceiling for one file.
MAX_FILE_BYTES = 1024 * 1024 * 1024


@dataclass
class Upload:
    """One reserved file: what was promised, what arrived, and whether it is complete."""

    id: str
    filename: str
    length: int
    data: bytes | None = None
    title: str = ""
    completed: bool = False
    alt_txt: str = ""  # what a screen reader says of an image

    @property
    def mimetype(self) -> str:
        return mimetypes.guess_type(self.filename)[0] or "application/octet-stream"

    def shown(self, file_url: str) -> dict[str, Any]:
        """The file as a message's ``files`` lists it (Slack's file object, in short)."""
        return {"id": self.id, "name": self.filename, "title": self.title or self.filename,
                "mimetype": self.mimetype, "filetype": self.filename.rpartition(".")[2],
                "size": len(self.data or b""), "url_private": file_url,
                **({"alt_txt": self.alt_txt} if self.alt_txt else {})}


def _refused(error: str, *problems: str) -> dict[str, Any]:
    answer: dict[str, Any] = {"ok": False, "error": error}
    if problems:
        answer["response_metadata"] = {"messages": [f"[ERROR] {p}" for p in problems]}
    return answer


def _listed_files(raw: Any) -> list[dict[str, Any]] | None:
    listed = raw
    if isinstance(raw, str):
        try:
            listed = json.loads(raw)
        except ValueError:
            return None
    if not isinstance(listed, list) or not listed:
        return None
    if not all(isinstance(f, dict) and isinstance(f.get("id"), str) for f in listed):
        return None
    return listed


@dataclass(frozen=True)
class Shared:
    """What a successful completion shares: the files, where, and the words with them."""

    files: list[Upload]
    channel: str | None
    thread_ts: str | None
    comment: str


class Uploads:
    """The files of one workspace, from reservation to completion; thread-safe."""

    def __init__(self, upload_url: Callable[[str], str], new_id: Callable[[], str]) -> None:
        self._upload_url, self._new_id = upload_url, new_id
        self._lock = threading.Lock()
        self.files: dict[str, Upload] = {}

    def get(self, file_id: str) -> Upload | None:
        """A complete file by id (None if unknown or not yet complete)."""
        with self._lock:
            found = self.files.get(file_id)
        return found if found is not None and found.completed else None

    def reserve(self, body: dict[str, Any]) -> dict[str, Any]:
        """Slack's answer to ``files.getUploadURLExternal``."""
        filename = str(body.get("filename") or "").strip()
        length_text = str(body.get("length") or "").strip()
        problems = [] if filename else ["missing required field: filename"]
        if not length_text.isdigit() or not 0 < int(length_text) <= MAX_FILE_BYTES:
            problems.append(f"length must be a whole number of bytes from 1 to "
                            f"{MAX_FILE_BYTES}: {length_text or '(none)'}")
        if problems:
            return _refused("invalid_arguments", *problems)
        with self._lock:
            file_id = self._new_id()
            self.files[file_id] = Upload(file_id, filename, int(length_text),
                                         alt_txt=str(body.get("alt_txt") or ""))
        return {"ok": True, "upload_url": self._upload_url(file_id), "file_id": file_id}

    def receive(self, file_id: str, data: bytes) -> tuple[int, str]:
        """The upload URL's answer (HTTP status, text) to ``data`` sent for ``file_id``."""
        with self._lock:
            upload = self.files.get(file_id)
            if upload is None or upload.completed or upload.data is not None:
                return 404, "no upload is waiting at this URL"
            if len(data) != upload.length:
                return 400, (f"{len(data)} bytes arrived; files.getUploadURLExternal "
                             f"reserved {upload.length}")
            upload.data = data
        return 200, f"OK - {len(data)}"

    def complete(self, body: dict[str, Any],
                 place_refusal: Callable[[str, str | None], str | None]
                 ) -> tuple[dict[str, Any], Shared | None]:
        """Slack's answer to ``files.completeUploadExternal``, and what it shares.

        ``place_refusal(channel, thread_ts)`` is Slack's error for sharing there (an unknown
        channel, a thread parent that is not there), or None.
        """
        listed = _listed_files(body.get("files"))
        if listed is None:
            return _refused("invalid_arguments", "files must be a JSON list of objects "
                                                 "with an id"), None
        channel = str(body.get("channel_id") or "") or None
        thread_ts = str(body.get("thread_ts") or "") or None
        if channel is not None and (error := place_refusal(channel, thread_ts)) is not None:
            return _refused(error), None
        with self._lock:
            uploads = [self.files.get(str(item["id"])) for item in listed]
            if any(u is None or u.completed for u in uploads):
                return _refused("file_not_found"), None
            missing = [u.id for u in uploads if u is not None and u.data is None]
            if missing:
                return _refused("invalid_arguments", "no bytes were uploaded for "
                                + ", ".join(missing)), None
            done = [u for u in uploads if u is not None]
            for upload, item in zip(done, listed, strict=True):
                upload.title, upload.completed = str(item.get("title") or ""), True
        shared = Shared(done, channel, thread_ts, str(body.get("initial_comment") or ""))
        return {"ok": True, "files": [{"id": u.id, "title": u.title or u.filename}
                                      for u in done]}, shared
