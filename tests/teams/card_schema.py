"""Adaptive Cards checked against Microsoft's official Adaptive Cards 1.5 JSON schema.

The schema is ``schema/adaptive-card-1.5.0.json`` beside this file, unchanged from the
microsoft/AdaptiveCards repository (provenance and licence in ``schema/``). It names JSON
Schema draft-06; the validator is the one for the draft it names, and its ``$ref``s are all
internal (``#/definitions/...``), resolved against the file itself.

One value is added in memory, not in the file: ``"filtered"`` as an ``Input.ChoiceSet``
style. The generated 1.5 file lists only ``compact`` and ``expanded``, while the same
repository's schema source (``schemas/src/enums/ChoiceInputStyle.json``) gives ``filtered``
as a 1.5 value, the 1.6 schema has it, and Teams renders it as a type-ahead (the person
pickers use it). Nothing else is loosened.

``validate`` also checks, after the schema, three things the schema cannot say and Teams or
this bot rely on:
- the card declares version "1.5" (the schema takes any string; this is the version checked);
- no two elements or actions share an ``id`` (Teams would submit one value for both);
- every action has a title, and every ``Action.Execute`` a verb (the bot routes on it).
"""

from __future__ import annotations

import copy
import json
from collections import defaultdict
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
from jsonschema.exceptions import ValidationError, best_match

SCHEMA_FILE = Path(__file__).parent / "schema" / "adaptive-card-1.5.0.json"
CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"


@cache
def official_schema() -> dict[str, Any]:
    """The shipped file, parsed; the ``filtered`` choice style added (see the docstring)."""
    schema: dict[str, Any] = copy.deepcopy(json.loads(SCHEMA_FILE.read_text("utf-8")))
    styles = schema["definitions"]["ChoiceInputStyle"]["anyOf"][0]["enum"]
    assert styles == ["compact", "expanded"], styles  # the file as shipped
    styles.append("filtered")
    return schema


@cache
def _validator() -> jsonschema.protocols.Validator:
    schema = official_schema()
    cls = jsonschema.validators.validator_for(schema, default=None)
    assert cls is jsonschema.Draft6Validator, cls  # "$schema": draft-06
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def _where(error: ValidationError) -> str:
    out = "card"
    for part in error.absolute_path:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def _wrong_type(error: ValidationError) -> bool:
    """An ``anyOf`` branch failing because it is for another ``type``."""
    path = list(error.relative_path)
    return (error.validator == "enum" and path == ["type"]) or (
        error.validator == "required" and not path and "'type'" in error.message)


def _enums(error: ValidationError) -> list[Any]:
    """The values the ``enum``s under this error allow (a style, a colour ...)."""
    out: list[Any] = []
    for sub in error.context or []:
        if sub.validator == "enum":
            out += [v for v in sub.validator_value if v not in out]
        out += [v for v in _enums(sub) if v not in out]
    return out


def _explain(error: ValidationError) -> list[str]:
    """The error, followed down ``anyOf`` into the branch for the element's own ``type``."""
    if error.validator == "anyOf" and error.context:
        branches: dict[Any, list[ValidationError]] = defaultdict(list)
        for sub in error.context:
            branches[sub.relative_schema_path[0]].append(sub)
        own = [errs for errs in branches.values() if not any(_wrong_type(e) for e in errs)]
        instance = error.instance
        if isinstance(instance, dict) and not own and len(branches) > 1:
            if "type" not in instance:
                return [f"{_where(error)}: no 'type'"]
            return [f"{_where(error)}: unknown type {instance['type']!r} here"]
        if len(own) == 1:
            return [line for sub in own[0] for line in _explain(sub)]
        allowed = _enums(error)
        if allowed and not isinstance(instance, dict):
            return [f"{_where(error)}: {instance!r} is not one of {allowed}"]
        error = best_match(error.context)
    typed = error.instance.get("type") if isinstance(error.instance, dict) else None
    return [f"{_where(error)}{f' ({typed})' if typed else ''}: {error.message}"]


def schema_problems(card: Any) -> list[str]:
    """Why the official schema rejects ``card`` (empty: it does not)."""
    errors = sorted(_validator().iter_errors(card), key=lambda e: list(map(str, e.path)))
    return [line for error in errors for line in _explain(error)]


def _nodes(item: Any) -> Iterator[dict[str, Any]]:
    """Every element and action in the card (an action's ``data`` is not looked into)."""
    if isinstance(item, dict):
        if "type" in item:
            yield item
        for key, value in item.items():
            if key != "data":
                yield from _nodes(value)
    elif isinstance(item, list):
        for value in item:
            yield from _nodes(value)


def bot_problems(card: dict[str, Any]) -> list[str]:
    """The checks beyond the schema (see the module docstring)."""
    out = [] if card.get("version") == "1.5" else [f"version {card.get('version')!r}"]
    seen: set[str] = set()
    for node in _nodes(card):
        kind, ident = str(node["type"]), node.get("id")
        if ident is not None:
            out += [f"duplicate id {ident!r}"] if ident in seen else []
            seen.add(ident)
        if kind.startswith("Action.") and not node.get("title"):
            out.append(f"{kind} without a title")
        if kind == "Action.Execute" and not node.get("verb"):
            out.append(f"Action.Execute {node.get('title')!r} without a verb")
    return out


def validate(card: Any) -> None:
    """AssertionError naming everything the Adaptive Cards 1.5 schema (or the checks
    beyond it) rejects in ``card``."""
    problems = schema_problems(card) or bot_problems(card)
    assert not problems, "not a valid Adaptive Card 1.5:\n  " + "\n  ".join(problems)


def cards_in(payload: Any) -> Iterator[dict[str, Any]]:
    """Every Adaptive Card in an activity or invoke answer: attachments, dialogs
    (``task.value.card``), ``Action.Execute`` answers (``value``); not the cards inside
    a card (``Action.ShowCard``), which are checked as part of it."""
    if isinstance(payload, dict):
        if payload.get("type") == "AdaptiveCard":
            yield payload
            return
        for value in payload.values():
            yield from cards_in(value)
    elif isinstance(payload, list):
        for value in payload:
            yield from cards_in(value)


def problems_in(payload: Any) -> list[str]:
    """What ``validate`` says of each card in ``payload``, one string a card."""
    out = []
    for card in cards_in(payload):
        try:
            validate(card)
        except AssertionError as err:
            out.append(str(err))
    return out
