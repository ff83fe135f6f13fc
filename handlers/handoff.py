"""Listeners run on a pool thread; the request thread answers Slack the moment one acks.

Bolt's threaded runner (``process_before_response=False``) hands a listener to its executor
and then polls for the ack every 10 ms (``slack_bolt/listener/thread_runner.py``): every
answer waited 5 ms on average for the poll, 12 ms was the floor of a request at one client,
and under load each request thread woke a hundred times a second wanting the GIL
(bench/README.md, "Fifth round"). The app runs with ``process_before_response=True``
instead, so bolt calls its listener in the request thread and answers with the ack once the
listener returns; each listener is wrapped here so that it returns as soon as it acks. The
wrapper starts the listener on the pool and waits on an event that its ack sets; the work
after the ack (opening a modal, posting an answer) goes on in the pool thread.

Errors are answered as bolt's threaded runner answered them, from another thread: an error
raised before the ack (or by the ack itself) is raised again in the request thread, where
bolt gives it to the app's error handler with a ``response`` to answer Slack with; an error
after the ack goes to the same handler from the pool thread, with no response to answer.
A listener that has not acked in 3 s is left to finish, and bolt answers the request as
unhandled (404, logged), as it does for a listener that returns without acking. Bolt's
listener start and completion handlers (the defaults here, which do nothing) now run in the
request thread around the wait, not around the whole listener.

A routed button may be marked to ack first (``Routes.action(..., acks_first=True)``): its
request is answered with an empty ack at once, as an event's is, without waiting for a pool
thread to start the listener (under load, waiting for that thread's turn at the GIL).

Over HTTP, such work after an answer that is already decided (an event's, an acks-first
button's) need not change threads at all: the WSGI app opens ``deferring()`` around bolt's
dispatch, and the work is kept to run in the request thread once the answer has been
written to Slack (PEP 3333: a server sends each block it is given before asking for the
next). That saves the pool's hand-off, about 55 µs of CPU a request on the benchmark's
machine (bench/README.md, tenth round). Socket Mode, and any dispatch outside
``deferring()``, hand the work to the pool as before.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Executor
from contextlib import contextmanager
from functools import partial
from typing import Any

from slack_bolt import Ack, App
from slack_bolt.kwargs_injection import Args
from slack_bolt.response import BoltResponse

ACK_TIMEOUT = 3.0  # seconds: Slack stops waiting for an answer after 3
# At most this many of the HTTP server's request threads (16) run work kept for after an
# answer at once, so a slow Slack API cannot leave none free to answer the next request.
DEFERRED_MAX = 8

AckFn = Callable[..., Any]  # bolt's ack, or one that also tells the request thread
Work = Callable[[Args, AckFn], Any]  # a listener, given bolt's arguments and the ack to call


class _Answer:
    """Who answers the request: the ack, an error before it, or the request thread's timeout.

    Exactly one of them does; whichever comes first wins, under the lock.
    """

    def __init__(self, ack: Ack) -> None:
        self._bolt_ack = ack
        self._lock = threading.Lock()
        self._decided = False
        self.ready = threading.Event()
        self.error: Exception | None = None

    def ack(self, *args: Any, **kwargs: Any) -> BoltResponse:
        # An ack that raises (bad arguments, a person id it could not translate) has not
        # answered: the error goes on to fail(), and the error handler answers instead.
        response: BoltResponse = self._bolt_ack(*args, **kwargs)
        self._decide()
        return response

    def _decide(self, error: Exception | None = None) -> bool:
        with self._lock:
            if self._decided:
                return False
            self._decided = True
            self.error = error
        self.ready.set()
        return True

    def fail(self, error: Exception) -> bool:
        """The listener raised: True if the request thread will raise it (no ack yet)."""
        return self._decide(error)

    def finished(self) -> None:
        """The listener returned; if it never acked, the request thread stops waiting."""
        self._decide()

    def give_up(self) -> bool:
        """The request thread waited long enough: True unless an answer just came."""
        return self._decide()


def _answered(*args: Any, **kwargs: Any) -> None:
    """The ack of a listener whose request was answered before it ran: nothing to do."""


class HandOff:
    """Wraps listeners so that bolt, calling them in the request thread, gets their ack fast."""

    def __init__(self, app: App, executor: Executor, ack_timeout: float = ACK_TIMEOUT,
                 deferred_max: int = DEFERRED_MAX) -> None:
        self._app = app
        self._executor = executor
        self._ack_timeout = ack_timeout
        # Request threads that may be running deferred work at once; past that, the pool's.
        self._deferrable = threading.BoundedSemaphore(deferred_max)
        self._running = 0  # listeners submitted and not yet finished
        self._changed = threading.Condition()
        self._local = threading.local()  # .kept: work deferred in this thread, if deferring

    def wait_idle(self, timeout: float) -> bool:
        """Wait until no listener is running (nor waiting for a thread); False on timeout.

        Shutdown waits here before outbox delivery stops, so that what the last listeners
        queue is delivered by this process.
        """
        with self._changed:
            return self._changed.wait_for(lambda: self._running == 0, timeout)

    def _submit(self, run: Callable[..., None], *args: Any) -> None:
        with self._changed:
            self._running += 1
        try:
            self._executor.submit(self._counted, run, *args)
        except BaseException:
            self._finished()
            raise

    @contextmanager
    def deferring(self) -> Iterator[list[Callable[[], None]]]:
        """Within it, in this thread, work after a decided answer is kept, not handed to the
        pool: the list it gives holds it, each item counted as running until it has run.
        The caller runs every item, once the answer is sent, even if sending it failed."""
        kept: list[Callable[[], None]] = []
        self._local.kept = kept
        try:
            yield kept
        except BaseException:
            # The answer will not be sent by the caller: the work goes to the pool, as it
            # would have without deferring, rather than being lost (and counted forever).
            self.hand_over(kept)
            raise
        finally:
            self._local.kept = None

    def hand_over(self, kept: list[Callable[[], None]]) -> None:
        """Work kept that this thread will not run after all: to the pool (here, if the
        pool takes no more)."""
        while kept:
            work = kept.pop(0)
            try:
                self._executor.submit(work)
            except RuntimeError:  # shut down
                work()

    def _after(self, run: Callable[..., None], *args: Any) -> None:
        """Work after the answer: kept for this thread if it is deferring and fewer than
        ``deferred_max`` threads are running such work, else the pool's."""
        kept = getattr(self._local, "kept", None)
        if kept is None or not self._deferrable.acquire(blocking=False):
            self._submit(run, *args)
            return
        with self._changed:
            self._running += 1
        kept.append(partial(self._counted, self._released, run, *args))

    def _released(self, run: Callable[..., None], *args: Any) -> None:
        try:
            run(*args)
        finally:
            self._deferrable.release()

    def _counted(self, run: Callable[..., None], *args: Any) -> None:
        try:
            run(*args)
        finally:
            self._finished()

    def _finished(self) -> None:
        with self._changed:
            self._running -= 1
            if self._running == 0:
                self._changed.notify_all()

    def acking(self, work: Work, name: str,
               acks_first: Callable[[Args], bool] | None = None,
               answers_last: Callable[[Args], bool] | None = None) -> Callable[[Args], None]:
        """A bolt listener that returns once ``work`` has acked (or failed before it).

        ``acks_first``: for the requests it says yes to, Slack is answered at once and
        ``work`` runs after, as ``acked`` does (its ``ack`` then does nothing).
        ``answers_last``: for the requests it says yes to, ``work`` runs here, in the
        request thread, and Slack is answered once it returns (it acks as it ends)."""

        def listener(args: Args) -> None:
            if answers_last is not None and answers_last(args):
                self._run_here(work, args)
                return
            if acks_first is not None and acks_first(args):
                # Queued first: if it cannot be (shutting down), Slack is not told it was.
                self._after(self._run_after_ack, work, args)
                args.ack()
                return
            answer = _Answer(args.ack)
            self._submit(self._run, work, args, answer)
            if not answer.ready.wait(self._ack_timeout) and answer.give_up():
                return  # no ack in time: bolt logs it, as its own runner did
            if answer.error is not None:
                raise answer.error  # before the ack: bolt's error handler answers Slack

        listener.__name__ = name
        return listener

    def acked(self, work: Work, name: str) -> Callable[[Args], None]:
        """A bolt listener for events: Slack is answered at once, ``work`` runs after."""

        def listener(args: Args) -> None:
            args.ack()
            self._after(self._run_after_ack, work, args)

        listener.__name__ = name
        return listener

    def _run(self, work: Work, args: Args, answer: _Answer) -> None:
        try:
            work(args, answer.ack)
        except Exception as error:
            if not answer.fail(error):
                self._report(error, args)
        finally:
            answer.finished()

    def _run_here(self, work: Work, args: Args) -> None:
        answer = _Answer(args.ack)
        try:
            work(args, answer.ack)
        except Exception as error:
            if answer.fail(error):
                raise  # before the ack: bolt's error handler answers Slack
            self._report(error, args)

    def _run_after_ack(self, work: Work, args: Args) -> None:
        try:
            work(args, _answered)
        except Exception as error:
            self._report(error, args)

    def _report(self, error: Exception, args: Args) -> None:
        """An error after Slack was answered: the app's error handler, with nothing to answer."""
        self._app.listener_runner.listener_error_handler.handle(
            error=error, request=args.request, response=None)
