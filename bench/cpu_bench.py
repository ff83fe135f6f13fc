"""CPU per call of the bot's hot paths, in process (issue #17, third round).

    .venv/bin/python -m bench.cpu_bench                 # SQLite temp file
    .venv/bin/python -m bench.cpu_bench --pg postgresql+psycopg://postgres@127.0.0.1:5432/test

``http_bench`` says how much CPU a request costs the server in all; this says where, one
piece at a time, timed with ``time.thread_time`` (the calling thread's CPU only: the
database server's and the fake Slack's own work are not counted, and other processes on
the machine barely move it). Each figure is the median of ``--rounds`` rounds of
``--calls`` calls (after a warm-up round):

- ``log_complaint``: the intake use case (validate, store the case, number it, queue its
  outbox rows), as the intake modal's submission runs it before the ack;
- ``view_details``: View details with its communications log (a read, then the view
  recorded in the history);
- ``get_case``: one case load;
- ``raw body -> BoltRequest``: the HTTP server's checks and parsing of a 16 kB intake
  ``view_submission`` until bolt has its request (``bot.server.bolt_request``);
- ``views.open``: one call of the bot's Slack client against the fake Slack
  (``tests/slack/fake_slack.py``) on loopback, and the same call from a plain
  ``slack_sdk.WebClient`` beside it.
"""

from __future__ import annotations

import argparse
import io
import statistics
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from bench.sweep_bench import scratch_database
from bot.container import Container
from bot.settings import Settings
from cases.intake import parse_intake
from storage import migrate
from storage.repositories import bootstrap_roles
from tests.slack.fake_slack import FakeSlack
from tests.slack.harness import GOOD_INTAKE
from tests.slack.signing import signed_headers, view_submission_body

CS = "U0CS00001"
SECRET = "bench-signing-secret-0123456789abcdef"
TOKEN = "xoxb-test-token"
MODAL = {"type": "modal", "title": {"type": "plain_text", "text": "Bench"},
         "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 200}}] * 20}


def cpu_ms(fn: Callable[[], Any], calls: int, rounds: int) -> float:
    """Median over ``rounds`` of the calling thread's CPU ms per call of ``fn``."""
    for _ in range(max(1, calls // 5)):
        fn()
    per_round = []
    for _ in range(rounds):
        start = time.thread_time()
        for _ in range(calls):
            fn()
        per_round.append((time.thread_time() - start) * 1000 / calls)
    return statistics.median(per_round)


def _intake() -> dict[str, Any]:
    received = datetime.now().astimezone() - timedelta(minutes=5)
    data = {**GOOD_INTAKE, "received_at": received.isoformat(),
            "checklist": {k: True for k in GOOD_INTAKE["checklist"]}}
    return parse_intake(data).model_dump(mode="json")


def use_cases(url: str, calls: int, rounds: int) -> dict[str, float]:
    settings = Settings(database_url=url, complaints_customer_services=[CS],
                        slack_bot_token=None)
    migrate.upgrade(url)
    container = Container(settings)
    bootstrap_roles(container.uow, settings.bootstrap_roles())
    desk, data = container.desk, _intake()
    case = desk.log_complaint(data, logged_by=CS, intake_key=uuid.uuid4().hex)
    assert case.id is not None
    case_id = case.id
    try:
        return {
            "log_complaint": cpu_ms(lambda: desk.log_complaint(
                data, logged_by=CS, intake_key=uuid.uuid4().hex), calls, rounds),
            "view_details": cpu_ms(lambda: desk.view_details(case_id, actor=CS, letters=True),
                                   calls, rounds),
            "get_case": cpu_ms(lambda: desk.get_case(case_id), calls, rounds),
        }
    finally:
        container.engine.dispose()


def raw_body(calls: int, rounds: int) -> dict[str, float]:
    from bot import server

    state = {"facts": {"facts": {"type": "plain_text_input", "value": "x" * 14_000}}}
    body = view_submission_body("intake_modal", state, user_id=CS)
    headers = signed_headers(body, SECRET, int(time.time()))

    def once() -> Any:
        environ = {"REQUEST_METHOD": "POST", "PATH_INFO": "/slack/events",
                   "CONTENT_TYPE": headers["Content-Type"], "QUERY_STRING": "",
                   "CONTENT_LENGTH": str(len(body)), "wsgi.input": io.BytesIO(body),
                   "HTTP_X_SLACK_REQUEST_TIMESTAMP": headers["X-Slack-Request-Timestamp"],
                   "HTTP_X_SLACK_SIGNATURE": headers["X-Slack-Signature"]}
        return server.bolt_request(environ, SECRET)

    return {f"raw body -> BoltRequest ({len(body) // 1000} kB)": cpu_ms(once, calls, rounds)}


def views_open(calls: int, rounds: int) -> dict[str, float]:
    from slack_sdk import WebClient

    from bot.runtime import web_client

    with FakeSlack(token=TOKEN) as fake:
        clients = {"views.open, the bot's client": web_client(TOKEN, fake.base_url),
                   "views.open, plain WebClient": WebClient(token=TOKEN,
                                                            base_url=fake.base_url)}
        return {name: cpu_ms(lambda c=client: c.views_open(  # type: ignore[misc]
                    trigger_id=fake.issue_trigger_id(), view=MODAL), calls, rounds)
                for name, client in clients.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", help="also on PostgreSQL at this URL (a scratch schema)")
    parser.add_argument("--calls", type=int, default=100, help="calls per round")
    parser.add_argument("--rounds", type=int, default=5, help="rounds (the median is shown)")
    args = parser.parse_args(argv)
    figures: dict[str, float] = {}
    for db, pg in (("SQLite", None), ("PostgreSQL", args.pg)):
        if db == "PostgreSQL" and not pg:
            continue
        with scratch_database(pg) as url:
            for name, ms in use_cases(url, args.calls, args.rounds).items():
                figures[f"{name} ({db})"] = ms
    figures.update(raw_body(args.calls * 5, args.rounds))
    figures.update(views_open(args.calls, args.rounds))
    width = max(map(len, figures))
    for name, ms in figures.items():
        print(f"{name:<{width}}  {ms:6.3f} ms CPU")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
