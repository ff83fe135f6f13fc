"""A ``slack_sdk.WebClient`` that keeps its HTTP connections to Slack open between calls.

slack_sdk's own client sends each Web API call through ``urllib``, on a new TCP (and TLS)
connection that it closes after the answer: about 1 ms of CPU per call in connecting and
tearing down alone, on a bot that makes one or more calls per request under one GIL
(``bench/README.md``, "Third round"). This client overrides only the public
``WebClient.api_call``: JSON and form calls go over a small pool of kept-alive HTTP/1.1
connections; anything else (file uploads, basic auth, a proxy, binary answers) goes to
slack_sdk as before. What callers rely on is kept: a ``SlackResponse`` (``validate()``:
``SlackApiError`` on ``ok: false`` or an HTTP error), the answer's headers with
``Retry-After`` on a 429, the client's retry handlers, its timeout, and a transparent
reconnect when Slack has closed a connection that sat idle.
"""

from __future__ import annotations

import http.client
import json as jsonlib
import ssl
import threading
import time
from typing import Any
from urllib.parse import urlencode, urljoin, urlsplit

from slack_sdk import WebClient
from slack_sdk.http_retry import HttpRequest as RetryHttpRequest
from slack_sdk.http_retry import HttpResponse as RetryHttpResponse
from slack_sdk.http_retry import RetryState
from slack_sdk.web import SlackResponse

# What a kept connection that the other end has since closed looks like: the request could
# not be sent, or the answer ended before its first byte. Sent again once on a new connection
# (as xmlrpc.client does), not counted as a retry; a reset after the request went (the
# server may have acted on it) is left to the retry handlers, as slack_sdk does.
SEND_FAILED = (ConnectionResetError, BrokenPipeError, ConnectionAbortedError)
IDLE_SECONDS = 30.0  # a connection idle longer is closed rather than reused
MAX_IDLE = 8  # connections kept open while idle
_BINARY = frozenset({"admin.analytics.getFile"})  # answers a gzip file, not JSON


class JSONObject(dict[str, Any]):
    """A dict that carries its own JSON text (``json.dumps`` of it, default separators).

    ``KeepAliveWebClient`` sends the text instead of encoding the dict again: a modal
    is written out as JSON once per call, by ``SlackPeople.call_arguments``, not twice.
    Nothing may change it once made (it is read, passed on and sent as it is).
    """

    __slots__ = ("json_text",)

    def __init__(self, value: dict[str, Any], json_text: str) -> None:
        super().__init__(value)
        self.json_text = json_text


class JSONArray(list[Any]):
    """A list that carries its own JSON text, as ``JSONObject``."""

    __slots__ = ("json_text",)

    def __init__(self, value: list[Any], json_text: str) -> None:
        super().__init__(value)
        self.json_text = json_text


def with_json_text(value: Any, json_text: str) -> Any:
    """``value`` (as ``json.loads(json_text)`` gave it) carrying ``json_text`` if it is an
    object or an array; anything else as it is."""
    if isinstance(value, dict):
        return JSONObject(value, json_text)
    if isinstance(value, list):
        return JSONArray(value, json_text)
    return value


def json_body(body: dict[str, Any]) -> str:
    """``json.dumps(body)``, with each top-level value that carries its JSON text spliced
    in as that text rather than encoded again (only the order of the keys differs)."""
    plain: dict[str, Any] = {}
    spliced: list[str] = []
    for key, value in body.items():
        text = getattr(value, "json_text", None) if isinstance(value, dict | list) else None
        if isinstance(text, str):
            spliced.append(f"{jsonlib.dumps(key)}: {text}")
        else:
            plain[key] = value
    encoded = jsonlib.dumps(plain)
    if not spliced:
        return encoded
    return encoded[:-1] + (", " if plain else "") + ", ".join(spliced) + "}"


class KeepAliveWebClient(WebClient):
    """``WebClient`` reusing kept-alive connections for JSON and form API calls."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        url = urlsplit(self.base_url)
        self._https = url.scheme == "https"
        self._usable = url.scheme in ("http", "https") and bool(url.hostname)
        self._host = url.hostname or ""
        self._port = url.port
        self._lock = threading.Lock()
        self._idle: list[tuple[float, http.client.HTTPConnection]] = []
        self.connections_opened = 0  # for tests and benchmarks

    def api_call(
            self, api_method: str, *, http_verb: str = "POST", files: dict[str, Any] | None = None,
            data: dict[str, Any] | None = None, params: dict[str, Any] | None = None,
            json: dict[str, Any] | None = None, headers: dict[str, Any] | None = None,
            auth: dict[str, Any] | None = None) -> SlackResponse:
        """As ``WebClient.api_call``; JSON and form calls over a kept-alive connection."""
        if not self._handles(api_method, http_verb, files, data, params, json, auth):
            return super().api_call(api_method, http_verb=http_verb, files=files, data=data,
                                    params=params, json=json, headers=headers, auth=auth)
        token, body_json, form = self._arguments(data, params, json)
        # slack_sdk's order: the client's headers (its User-Agent) over the call's.
        request_headers = {"Content-Type": "application/x-www-form-urlencoded",
                           **(headers or {}), **self.headers}
        if token:
            request_headers["Authorization"] = f"Bearer {token}"
        if body_json:  # slack_sdk sends JSON when there is any, else the form
            body = json_body(body_json).encode("utf-8")
            request_headers["Content-Type"] = "application/json;charset=utf-8"
        else:
            body = urlencode(form).encode("utf-8") if form else b""
        url = urljoin(self.base_url, api_method)
        status, answer_headers, raw = self._send(url, body, request_headers, form)
        response = SlackResponse(
            client=self, http_verb="POST", api_url=url,
            req_args={"headers": request_headers, "data": {}, "params": form, "files": None,
                      "json": body_json},
            data=self._parse(raw, answer_headers), headers=answer_headers,
            status_code=status)
        return response.validate()  # type: ignore[no-untyped-call, no-any-return]

    @property
    def idle_connections(self) -> int:
        """Connections open and waiting for the next call."""
        with self._lock:
            return len(self._idle)

    def close(self) -> None:
        """Close the idle connections (those in use close when their call ends)."""
        with self._lock:
            idle, self._idle = self._idle, []
        for _, conn in idle:
            conn.close()

    # ---- what goes where ------------------------------------------------------------------

    def _handles(self, api_method: str, http_verb: str, files: Any, data: Any, params: Any,
                 json: Any, auth: Any) -> bool:
        plain = all(v is None or isinstance(v, dict) for v in (data, params, json))
        binary = isinstance(data, dict) and any(
            isinstance(v, bytes | bytearray) or hasattr(v, "read") for v in data.values())
        return (self._usable and plain and not binary and files is None and auth is None
                and self.proxy is None and api_method not in _BINARY
                and not (json is not None and http_verb != "POST"))  # slack_sdk refuses it

    def _arguments(self, data: dict[str, Any] | None, params: dict[str, Any] | None,
                   json: dict[str, Any] | None
                   ) -> tuple[str | None, dict[str, Any] | None, dict[str, Any]]:
        """The token, the JSON body and the form fields, by slack_sdk's rules: None values
        dropped, the client's default params added, a ``token`` argument taking the place
        of the client's, booleans in the form as "1"/"0"."""
        token = self.token
        given = [{k: v for k, v in d.items() if v is not None} if d is not None else None
                 for d in (params, data)]
        for fields in given:
            for name, value in self.default_params.items():
                if fields is not None:
                    fields.setdefault(name, value)
        if given[0] is not None and "token" in given[0]:
            token = given[0].pop("token")
        form = {**(given[0] or {}), **(given[1] or {})}
        body = None
        if json is not None:
            body = {**self.default_params, **json}
            if "token" in body:
                token = body.pop("token")
        form = {k: ("1" if v else "0") if isinstance(v, bool) else v for k, v in form.items()}
        return token, body, form

    @staticmethod
    def _parse(raw: bytes, headers: dict[str, str]) -> dict[str, Any]:
        charset = "utf-8"
        for key, value in headers.items():
            if key.lower() == "content-type" and "charset=" in value:
                charset = value.split("charset=", 1)[1].split(";")[0].strip() or charset
        text = raw.decode(charset, "replace")
        try:
            parsed = jsonlib.loads(text)
        except ValueError:
            parsed = None
        if not isinstance(parsed, dict):  # as slack_sdk: an answer that is not an object
            return {"ok": False, "error": f"Received a response in a non-JSON format: "
                                          f"{text[:100]}"}
        return parsed

    # ---- sending, with the client's retry handlers ----------------------------------------

    def _send(self, url: str, body: bytes, headers: dict[str, str], form: dict[str, Any]
              ) -> tuple[int, dict[str, str], bytes]:
        state = RetryState()
        retry_request = RetryHttpRequest(method="POST", url=url, headers={
            k: [str(v)] for k, v in headers.items()}, body_params=form, data=body)
        while True:
            state.next_attempt_requested = False
            try:
                status, answer_headers, raw = self._exchange(url, body, headers)
            except Exception as error:
                self._retry_or_raise(state, retry_request, None, error)
                continue
            if status == 429:  # both spellings, as slack_sdk gives them
                for a, b in (("Retry-After", "retry-after"), ("retry-after", "Retry-After")):
                    if a in answer_headers and b not in answer_headers:
                        answer_headers[b] = answer_headers[a]
            response = RetryHttpResponse(status_code=status, headers={
                k: [v] for k, v in answer_headers.items()}, data=raw)
            for handler in self.retry_handlers:
                if handler.can_retry(state=state, request=retry_request, response=response):
                    handler.prepare_for_next_attempt(state=state, request=retry_request,
                                                     response=response)
                    break
            if not state.next_attempt_requested:
                return status, answer_headers, raw

    def _retry_or_raise(self, state: RetryState, request: RetryHttpRequest,
                        response: RetryHttpResponse | None, error: Exception) -> None:
        for handler in self.retry_handlers:
            if handler.can_retry(state=state, request=request, response=response, error=error):
                handler.prepare_for_next_attempt(state=state, request=request,
                                                 response=response, error=error)
                return
        raise error

    def _exchange(self, url: str, body: bytes, headers: dict[str, str]
                  ) -> tuple[int, dict[str, str], bytes]:
        """One request and its answer, on a kept connection if there is one."""
        path = urlsplit(url)
        target = path.path + (f"?{path.query}" if path.query else "")
        conn, reused = self._take()
        while True:
            stage = "send"
            try:
                conn.request("POST", target, body=body, headers=headers)
                stage = "answer"
                answer = conn.getresponse()
                raw = answer.read()
            except BaseException as error:
                conn.close()
                stale = isinstance(error, http.client.RemoteDisconnected) or (
                    stage == "send" and isinstance(error, SEND_FAILED))
                if not (reused and stale):
                    raise
                conn, reused = self._connect(), False  # closed while idle: once more
                continue
            break
        self._give_back(conn, keep=not answer.will_close)
        return answer.status, dict(answer.getheaders()), raw

    def _take(self) -> tuple[http.client.HTTPConnection, bool]:
        now = time.monotonic()
        with self._lock:
            while self._idle:
                since, conn = self._idle.pop()
                if now - since < IDLE_SECONDS:
                    return conn, True
                conn.close()
        return self._connect(), False

    def _connect(self) -> http.client.HTTPConnection:
        with self._lock:
            self.connections_opened += 1
        if self._https:
            context = self.ssl or ssl.create_default_context()
            return http.client.HTTPSConnection(self._host, self._port, timeout=self.timeout,
                                               context=context)
        return http.client.HTTPConnection(self._host, self._port, timeout=self.timeout)

    def _give_back(self, conn: http.client.HTTPConnection, *, keep: bool) -> None:
        if keep:
            with self._lock:
                if len(self._idle) < MAX_IDLE:
                    self._idle.append((time.monotonic(), conn))
                    return
        conn.close()
