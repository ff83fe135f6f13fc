"""Listeners found by id: one bolt listener per kind of payload, a table behind each.

Bolt tries its listeners in order, and asks each one's matcher (building its keyword
arguments) until one matches: with a listener per button and per modal, a click on View
details was matched against 33 listeners first, 0.47 ms of CPU per click (bench/README.md,
"Profile for the next change"). Here the families register into tables instead; bolt holds
one listener for block actions, one for modal submissions and one for shortcuts, each
matching only the ids in its table (by one regular expression), and the listener picks its
handler from the table by the payload's id. A payload no table knows matches no listener,
so bolt answers it as before (404, "unhandled request" logged).

Commands and events are few; each is its own bolt listener. Every listener, routed or
not, is wrapped by ``handlers.handoff``: bolt gets it back as soon as it acks, and the rest
of its work goes on in a pool thread (or, for work after an answer already sent over HTTP,
in the request thread; a submission that answers last runs there whole). The error handler
goes to bolt as it is.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from slack_bolt import App
from slack_bolt.kwargs_injection import Args

from handlers.handoff import AckFn, HandOff

Handler = TypeVar("Handler", bound=Callable[..., Any])

# What bolt can give a listener: the names ``Args`` holds (``req`` is also ``request``).
_ARG_NAMES = (frozenset(inspect.signature(Args.__init__).parameters) - {"self", "kwargs"}
              | {"request", "response"})


@dataclass(frozen=True)
class _Route:
    handler: Callable[..., Any]
    arg_names: tuple[str, ...]
    # Slack is answered (an empty ack) before the handler runs: see ``Routes.action``.
    acks_first: bool = False
    # The handler runs in the request thread; its ack is its last act: see ``Routes.view``.
    answers_last: bool = False

    def __call__(self, args: Args, ack: AckFn) -> Any:
        """The handler, given what it asks for of ``args`` and ``ack`` as its ack."""
        return self.handler(**{name: ack if name == "ack" else getattr(args, name)
                               for name in self.arg_names})


def _route(handler: Callable[..., Any], *, acks_first: bool = False,
           answers_last: bool = False) -> _Route:
    names = tuple(inspect.signature(handler).parameters)
    unknown = [n for n in names if n not in _ARG_NAMES]
    if unknown:
        raise TypeError(f"{handler.__name__} asks for {', '.join(unknown)}, which bolt "
                        "does not give listeners")
    return _Route(handler, names, acks_first, answers_last)


class _Table:
    """The listeners of one kind of payload, by the id at ``args.<payload>[<id_field>]``."""

    def __init__(self, kind: str, payload: str, id_field: str) -> None:
        self.kind = kind
        self.payload = payload
        self.id_field = id_field
        self.routes: dict[str, _Route] = {}

    def add(self, key: str, handler: Callable[..., Any], *, acks_first: bool = False,
            answers_last: bool = False) -> None:
        if not isinstance(key, str) or not key:
            raise TypeError(f"a {self.kind} is routed by its id, a non-empty string: {key!r}")
        if key in self.routes:
            raise ValueError(f"two listeners for the {self.kind} {key!r}")
        self.routes[key] = _route(handler, acks_first=acks_first, answers_last=answers_last)

    def pattern(self) -> re.Pattern[str]:
        return _exactly(self.routes)

    def _of(self, args: Args) -> _Route:
        payload = getattr(args, self.payload)
        assert payload is not None  # bolt matched this kind of payload
        return self.routes[payload[self.id_field]]

    def acks_first(self, args: Args) -> bool:
        """Whether the payload's route is answered before it runs."""
        return self._of(args).acks_first

    def answers_last(self, args: Args) -> bool:
        """Whether the payload's route runs in the request thread, answering as it ends."""
        return self._of(args).answers_last

    def work(self, args: Args, ack: AckFn) -> Any:
        """The route for the payload's id, run."""
        return self._of(args)(args, ack)


def _exactly(keys: Iterable[str]) -> re.Pattern[str]:
    """Matches exactly one of ``keys`` (bolt matches a pattern with ``search``)."""
    return re.compile("^(?:" + "|".join(re.escape(k) for k in sorted(keys)) + ")$")


class Routes:
    """Where listener families register; ``install`` hands the tables to a bolt App.

    ``action``, ``view``, ``shortcut``, ``command`` and ``event`` take an id (a string) and
    decorate a listener as bolt's would, with the same keyword arguments; ``error`` is
    bolt's own.
    """

    def __init__(self, app: App, handoff: HandOff) -> None:
        self._app = app
        self._handoff = handoff
        self._actions = _Table("button or menu action", "action", "action_id")
        self._views = _Table("modal submission", "view", "callback_id")
        self._shortcuts = _Table("shortcut", "shortcut", "callback_id")
        self._installed = False
        self.error = app.error

    def action(self, action_id: str, *, acks_first: bool = False
               ) -> Callable[[Handler], Handler]:
        """``acks_first``: the request thread answers Slack with an empty ack before the
        handler runs, and the handler's own ``ack()`` does nothing. For a button whose
        handler acks first thing anyway, that saves the wait for a pool thread to start
        it (View details). An error in such a handler is reported as one after the ack.
        """
        return self._adder(self._actions, action_id, acks_first=acks_first)

    def view(self, callback_id: str, *, answers_last: bool = False
             ) -> Callable[[Handler], Handler]:
        """``answers_last``: the handler acks as the last thing it does that takes time
        (``handlers.answers.answer_submission``: it validates and records, then answers
        with the outcome), so it runs in the request thread, without a pool thread to
        wait for: Slack has its answer when the handler returns, as it would have at the
        ack. An error after the ack is reported as one after the ack, as ever."""
        return self._adder(self._views, callback_id, answers_last=answers_last)

    def shortcut(self, callback_id: str) -> Callable[[Handler], Handler]:
        return self._adder(self._shortcuts, callback_id)

    def command(self, name: str, *, acks_first: Callable[[Args], bool] | None = None
                ) -> Callable[[Handler], Handler]:
        """A slash command's listener; it acks as bolt's would (once answered).

        ``acks_first``: the requests it says yes to are answered with an empty ack before
        the handler runs, as ``action(..., acks_first=True)`` buttons are (a command whose
        answer for them is an empty ack, given first, with nothing to refuse before it)."""
        def wrap(route: _Route, handler_name: str) -> Callable[[Args], None]:
            return self._handoff.acking(route, handler_name, acks_first=acks_first)

        return self._direct(self._app.command(name), wrap)

    def event(self, name: str) -> Callable[[Handler], Handler]:
        """An Events API listener: Slack is answered at once (bolt acks events itself)."""
        return self._direct(self._app.event(name), self._handoff.acked)

    @staticmethod
    def _direct(listen: Callable[[Callable[[Args], None]], Any],
                wrap: Callable[[_Route, str], Callable[[Args], None]]
                ) -> Callable[[Handler], Handler]:
        """A handler given to bolt as its own listener (no table), through the hand-off."""

        def add(handler: Handler) -> Handler:
            listen(wrap(_route(handler), handler.__name__))
            return handler

        return add

    def _adder(self, table: _Table, key: str, *, acks_first: bool = False,
               answers_last: bool = False) -> Callable[[Handler], Handler]:
        if self._installed:
            raise RuntimeError("listeners are registered before the routes are installed")

        def add(handler: Handler) -> Handler:
            table.add(key, handler, acks_first=acks_first, answers_last=answers_last)
            return handler

        return add

    def install(self) -> None:
        """One bolt listener per table that has routes; call once, after registering."""
        if self._installed:
            raise RuntimeError("the routes are installed already")
        self._installed = True
        for table, listen in ((self._actions, self._app.block_action),
                              (self._views, self._app.view_submission),
                              (self._shortcuts, self._app.shortcut)):
            if table.routes:
                listen(table.pattern())(self._handoff.acking(
                    table.work, f"route_{table.payload}", acks_first=table.acks_first,
                    answers_last=table.answers_last))
