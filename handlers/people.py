"""People on Slack: a Slack user id becomes a person id coming in, and back going out.

The core and the view models only know person ids (``cases.people``). Coming in,
``handlers.identity`` asks ``SlackPeople.person_for`` for the person behind a Slack id.
Going out, every Web API call and every ack passes through ``SlackPeople.to_slack``,
the one lookup: a mention ``<@P-…>`` becomes ``<@U…>`` (or the person's display name
when they have no Slack account), and a person id given as a message's ``channel``,
``user``, ``user_id`` or a user-select's ``initial_user`` becomes their Slack id.
User text never carries ``<@``: builders escape it to ``&lt;@``.
"""

from __future__ import annotations

import json
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from typing import Any, cast

from slack_bolt import Ack, BoltContext
from slack_bolt.response import BoltResponse

from cases.people import PERSON_ID, AccountKind, Person
from cases.services import ComplaintsDesk
from handlers.blocks._common import escape
from handlers.slack_client import with_json_text

_MENTION = re.compile(r"<@(P-[0-9a-f]{10})>")
_PERSON_KEYS = frozenset({"channel", "user", "user_id", "initial_user", "users"})
# Where a person id is found in the JSON text of a payload (``json.dumps`` with its default
# separators): the whole value of a person key, or a mention in any string. A key is where
# its opening quote follows ``{`` or ``, ``: inside a string every quote is escaped.
_ID_IN_JSON = re.compile(r"P-[0-9a-f]{10}")
_KEY_BEFORE = {f'"{key}": "': len(key) + 5 for key in _PERSON_KEYS}
CACHE_SIZE = 4096


class _Lru:
    """A small thread-safe LRU of facts that never change (an account has one person)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[str, str] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> str | None:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: str, value: str) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)


class SlackPeople:
    """Slack id <-> person id, cached per process (links are never undone)."""

    def __init__(self, desk: ComplaintsDesk, cache_size: int = CACHE_SIZE) -> None:
        self.desk = desk
        self._persons = _Lru(cache_size)  # Slack id -> person id
        self._slack = _Lru(cache_size)  # person id -> Slack id

    def person_for(self, slack_id: str, display_name: str | None = None) -> str:
        """The person id of a Slack user, created on first sight with their name."""
        known = self._persons.get(slack_id)
        if known is not None:
            return known
        person = self.desk.person_for_account(AccountKind.SLACK, slack_id,
                                              display_name or "")
        self._persons.put(slack_id, person.id)
        self._slack.put(person.id, slack_id)
        return str(person.id)

    def resolve(self, person_ids: Iterable[str]) -> dict[str, Person | str]:
        """Each person id's Slack id (a str) or, without a Slack account, the Person."""
        out: dict[str, Person | str] = {}
        missing: list[str] = []
        for pid in dict.fromkeys(person_ids):
            cached = self._slack.get(pid)
            if cached is not None:
                out[pid] = cached
            else:
                missing.append(pid)
        if missing:
            for pid, person in self.desk.people(missing).items():
                account = person.account(AccountKind.SLACK)
                if account is None:
                    out[pid] = person
                    continue
                self._slack.put(pid, account.external_id)
                self._persons.put(account.external_id, pid)
                out[pid] = account.external_id
        return out

    def slack_id(self, person_id: str) -> str | None:
        """The Slack id to reach ``person_id`` (a Slack id is its own); None if none."""
        if not PERSON_ID.fullmatch(person_id):
            return person_id
        found = self.resolve([person_id]).get(person_id)
        return found if isinstance(found, str) else None

    def to_slack(self, payload: Any) -> Any:
        """``payload`` with every person id turned into what Slack understands: plain
        dicts and lists (Block Kit objects by their ``to_dict``), copied, never shared.

        Every Web API call passes here, and a modal is hundreds of values: written out
        as JSON, found and replaced there and read back (all three in C but the
        finding), it costs half to two thirds of walking it in Python. A payload that
        is not JSON (a file's bytes) is walked instead.
        """
        try:
            text = json.dumps(payload, default=_block_kit_dict)
        except (TypeError, ValueError):
            return self._walked(payload)
        return json.loads(self._translated(text))

    def call_arguments(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        """A Web API call's keyword arguments as ``to_slack`` gives them, each object or
        list value carrying the JSON text it was read back from
        (``handlers.slack_client.JSONObject``), so the client sends that text instead of
        encoding the value a second time.

        A value that already carries its text (the blank intake modal, made once a
        second) and names nobody is passed on as it is: not written out, not read back.
        Nor is one that is plain JSON already (dicts and lists, as the View details modal
        is built) and names nobody: it is written out once and carries that text.
        """
        scalars: dict[str, Any] = {}
        out: dict[str, Any] = {}
        for key, value in kwargs.items():
            text = getattr(value, "json_text", None) if isinstance(value, dict | list) else None
            plain = False
            if not isinstance(text, str):
                if value is None or isinstance(value, str | int | float):
                    scalars[key] = value
                    continue
                text, plain = _plain_json(value)
                if text is None:
                    return cast(dict[str, Any], self.to_slack(kwargs))
            elif "P-" not in text:
                out[key] = value
                continue
            translated = self._translated(text)
            out[key] = (with_json_text(value, text) if plain and translated is text
                        else with_json_text(json.loads(translated), translated))
        if scalars:
            out.update(self.to_slack(scalars))
        return {key: out[key] for key in kwargs}

    def _translated(self, text: str) -> str:
        """JSON ``text`` with every person id replaced (``to_slack``)."""
        places = _people_in_json(text) if "P-" in text else []
        if not places:
            return text
        found = self.resolve(pid for _, _, pid, _ in places)
        pieces, done = [], 0
        for start, end, pid, mention in places:
            pieces.append(text[done:start])
            if mention:
                pieces.append(json.dumps(_mention(pid, found))[1:-1])
            else:
                slack = found.get(pid)
                pieces.append(slack if isinstance(slack, str) else pid)
            done = end
        pieces.append(text[done:])
        return "".join(pieces)

    def _walked(self, payload: Any) -> Any:
        ids: list[str] = []
        plain = _plain(payload, ids)
        if not ids:
            return plain
        found = self.resolve(ids)
        return _replace(plain, found)


def _plain_json(value: Any) -> tuple[str | None, bool]:
    """``value`` written out as JSON, and whether it was plain JSON already (no Block Kit
    objects in it); (None, False) if it cannot be written out at all."""
    try:
        return json.dumps(value), True
    except (TypeError, ValueError):
        pass
    try:
        return json.dumps(value, default=_block_kit_dict), False
    except (TypeError, ValueError):
        return None, False


def _block_kit_dict(value: Any) -> Any:
    to_dict = getattr(value, "to_dict", None)
    if callable(to_dict):
        return to_dict()
    raise TypeError(f"{type(value).__name__} is not JSON")


def _people_in_json(text: str) -> list[tuple[int, int, str, bool]]:
    """(start, end, person id, is a mention) of each place in JSON ``text`` where a person
    id is to be replaced: a mention ``<@P-…>`` (the whole of it), or a person key's value."""
    places = []
    for match in _ID_IN_JSON.finditer(text):
        start, end = match.span()
        if text[start - 2:start] == "<@" and text[end:end + 1] == ">":
            places.append((start - 2, end + 1, match.group(), True))
            continue
        if text[end:end + 1] != '"':
            continue
        for before, length in _KEY_BEFORE.items():
            key = start - length  # where the key's opening quote would be
            if key >= 1 and text[key:start] == before and (
                    text[key - 1] == "{" or text[key - 2:key] == ", "):
                places.append((start, end, match.group(), False))
                break
    return places


def _plain(value: Any, ids: list[str], key: str | None = None) -> Any:
    """Block Kit objects as dicts, containers copied, so they can be rewritten; the person
    ids found on the way (a person key's value, mentions in text) are added to ``ids``.

    One walk for both: every Web API call passes here (a modal is hundreds of values),
    so the common leaves are tested first.
    """
    if isinstance(value, str):
        if key in _PERSON_KEYS and PERSON_ID.fullmatch(value):
            ids.append(value)
        elif "<@P-" in value:
            ids.extend(_MENTION.findall(value))
        return value
    if isinstance(value, dict):
        return {k: _plain(v, ids, k) for k, v in value.items()}
    if isinstance(value, _SEQUENCES):
        return [_plain(v, ids) for v in value]
    if value is None or isinstance(value, _SCALARS):
        return value
    to_dict = getattr(value, "to_dict", None)
    if callable(to_dict):
        return _plain(to_dict(), ids, key)
    return value


_SEQUENCES = (list, tuple)
_SCALARS = (bool, int, float)


def _replace(value: Any, found: Mapping[str, Person | str], key: str | None = None) -> Any:
    if isinstance(value, str):
        if key in _PERSON_KEYS and PERSON_ID.fullmatch(value):
            slack = found.get(value)
            return slack if isinstance(slack, str) else value
        if "<@P-" in value:
            return _MENTION.sub(lambda m: _mention(m.group(1), found), value)
        return value
    if isinstance(value, dict):
        return {k: _replace(v, found, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_replace(v, found) for v in value]
    return value


def _mention(person_id: str, found: Mapping[str, Person | str]) -> str:
    who = found.get(person_id)
    if isinstance(who, str):
        return f"<@{who}>"
    return escape(who.display_name) if who is not None else "_someone_"


class PeopleClient:
    """A Web API client whose every call's arguments pass through ``to_slack``."""

    def __init__(self, client: Any, people: SlackPeople) -> None:
        self._client = client
        self._people = people

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._client, name)
        if not callable(attribute) or name.startswith("_"):
            return attribute

        def call(*args: Any, **kwargs: Any) -> Any:
            return attribute(*args, **self._people.call_arguments(kwargs))
        return call


class PeopleAck(Ack):
    """bolt's ack, answering Slack with Slack ids."""

    def __init__(self, people: SlackPeople) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._people = people

    def __call__(self, text: str | dict[str, Any] = "",  # type: ignore[override]
                 **kwargs: Any) -> BoltResponse:
        text = self._people.to_slack(text)
        return super().__call__(text, **self._people.to_slack(kwargs))


def speak_slack(people: SlackPeople) -> Callable[[BoltContext, Callable[[], Any]], Any]:
    """bolt middleware: listeners get a client and an ack that translate person ids."""

    def middleware(context: BoltContext, next: Callable[[], Any]) -> Any:  # noqa: A002
        context["client"] = PeopleClient(context.client, people)
        context["ack"] = PeopleAck(people)
        return next()
    return middleware
