"""HTTP latency benchmark: the bot in HTTP mode vs a bare bolt app that only acks.

    .venv/bin/python -m bench.http_bench                 # 200 requests per op and level
    .venv/bin/python -m bench.http_bench --requests 50   # quicker

Both servers run as subprocesses, as production runs them: the bot is
``complaints-bot run --host 127.0.0.1 --port 0`` configured through environment variables
(SQLite file in a temp dir, Slack Web API = the fake Slack server from
``tests/slack/fake_slack.py`` on loopback, outbox delivery and the scheduler running); the
bare app is a bolt ``App`` with the same signing secret whose listeners only ``ack()``,
behind the same cheroot WSGI server (16 threads). The client (this process) sends signed
requests shaped like Slack's over real HTTP on 127.0.0.1, one connection per request, from
1 and from 20 threads, and times each request from connect to the last byte of the answer.

Operations: ``/complaint new`` (ack, then views.open), the intake ``view_submission`` (a
fresh view id each time, so each one validates and stores a new case before the ack) and a
card button (View details by a customer-services user). The bot's outbox keeps delivering
(paced at about one post per second per channel) while later phases run, as in production;
the figures at the end say how much was still pending.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from tests.slack.fake_slack import FakeSlack
from tests.slack.harness import GOOD_INTAKE, fill
from tests.slack.signing import (
    block_actions_body,
    signed_headers,
    slash_command_body,
    view_submission_body,
)

ROOT = Path(__file__).resolve().parents[1]
SECRET = "bench-signing-secret-0123456789abcdef"
TOKEN = "xoxb-test-token"
CS_CHANNEL = "C0CS00001"
DIRECTORS_CHANNEL = "C0DIR0001"
CS_AGENTS = ["U0CS00001", "U0CS00002"]
DIRECTORS = ["U0DIR0001"]
PATH = "/slack/events"
# Ids as handlers/ids.py defines them; the bare app registers the same ones.
COMMAND = "/complaint"
INTAKE_CALLBACK = "intake_modal"
VIEW_DETAILS = "case_view_details"
OPS = ("/complaint new", "intake submit", "button: View details")
TARGET_P99_MS = 300.0


# ---- the bare app (run as `python -m bench.http_bench --bare-server`) ------------------------

def serve_bare(fake_url: str) -> None:
    """A bolt App that only acks, on the same cheroot setup as bot/server.py."""
    from cheroot.wsgi import Server
    from slack_bolt import App
    from slack_bolt.adapter.wsgi import SlackRequestHandler
    from slack_sdk import WebClient

    app = App(client=WebClient(token=TOKEN, base_url=fake_url, timeout=10),
              signing_secret=SECRET, token_verification_enabled=False,
              process_before_response=False)

    @app.command(COMMAND)
    def on_command(ack: Any) -> None:
        ack()

    @app.view(INTAKE_CALLBACK)
    def on_view(ack: Any) -> None:
        ack()

    @app.action(VIEW_DETAILS)
    def on_action(ack: Any) -> None:
        ack()

    server = Server(("127.0.0.1", 0), SlackRequestHandler(app, path=PATH), numthreads=16,
                    server_name="bare-bolt", shutdown_timeout=10, request_queue_size=128)
    server.prepare()
    print(f"listening on 127.0.0.1:{server.bind_addr[1]}", flush=True)
    server.serve()


# ---- servers under test -------------------------------------------------------------------

def _start(cmd: list[str], env: dict[str, str], cwd: Path, log: Path) -> tuple[Any, int]:
    proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=subprocess.PIPE,
                            stderr=log.open("wb"), text=True)
    assert proc.stdout is not None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        if line.startswith("listening on "):
            return proc, int(line.rsplit(":", 1)[1])
    proc.kill()
    raise SystemExit(f"{cmd[0]} did not start; see {log}:\n{log.read_text()[-2000:]}")


def _stop(proc: Any) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()


def start_bot(fake: FakeSlack, tmp: Path) -> tuple[Any, int, Path]:
    db = tmp / "desk.sqlite3"
    env = {**os.environ,
           "DATABASE_URL": f"sqlite:///{db}",
           "SLACK_BOT_TOKEN": TOKEN,
           "SLACK_SIGNING_SECRET": SECRET,
           "SLACK_APP_TOKEN": "",
           "SLACK_API_URL": fake.base_url,
           "COMPLAINTS_CS_CHANNEL": CS_CHANNEL,
           "COMPLAINTS_DIRECTORS_CHANNEL": DIRECTORS_CHANNEL,
           "COMPLAINTS_CUSTOMER_SERVICES": ",".join(CS_AGENTS),
           "COMPLAINTS_DIRECTORS": ",".join(DIRECTORS)}
    exe = Path(sys.executable).with_name("complaints-bot")
    proc, port = _start([str(exe), "run", "--host", "127.0.0.1", "--port", "0"], env, tmp,
                        tmp / "bot.log")
    return proc, port, db


def start_bare(fake: FakeSlack, tmp: Path) -> tuple[Any, int]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return _start([sys.executable, "-m", "bench.http_bench", "--bare-server", fake.base_url],
                  env, tmp, tmp / "bare.log")


# ---- the client ---------------------------------------------------------------------------

@dataclass
class Result:
    latencies_ms: list[float]
    failures: list[str]
    wall_s: float


def post(port: int, body: bytes) -> tuple[int, bytes, float]:
    """One signed POST on a fresh connection; (status, body, milliseconds)."""
    headers = signed_headers(body, SECRET)
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("POST", PATH, body=body, headers=headers)
        response = conn.getresponse()
        data = response.read()
        status = response.status
    finally:
        conn.close()
    return status, data, (time.perf_counter() - started) * 1000


def run_load(port: int, bodies: list[bytes], clients: int,
             check: Callable[[int, bytes], str | None]) -> Result:
    """Send ``bodies`` from ``clients`` threads, each taking the next body when done."""
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    todo = iter(bodies)

    def worker() -> None:
        while True:
            with lock:
                body = next(todo, None)
            if body is None:
                return
            try:
                status, data, ms = post(port, body)
                problem = check(status, data)
            except OSError as exc:
                ms, problem = 0.0, f"{type(exc).__name__}: {exc}"
            with lock:
                if problem:
                    failures.append(problem)
                else:
                    latencies.append(ms)

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return Result(latencies, failures, time.perf_counter() - started)


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * pct // 100))
    return ordered[int(rank) - 1]


def ok_empty(status: int, data: bytes) -> str | None:
    if status != 200:
        return f"HTTP {status}: {data[:200]!r}"
    if data.strip():
        return f"unexpected answer: {data[:200]!r}"  # e.g. response_action: errors
    return None


def healthz(port: int) -> dict[str, Any]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", "/healthz")
        return dict(json.loads(conn.getresponse().read()))
    finally:
        conn.close()


# ---- the run ------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200,
                        help="requests per operation per concurrency level (default 200)")
    parser.add_argument("--clients", default="1,20", help="concurrency levels (default 1,20)")
    parser.add_argument("--warmup", type=int, default=10, help="unmeasured requests per op")
    parser.add_argument("--bare-server", metavar="FAKE_URL", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.bare_server:
        serve_bare(args.bare_server)
        return 0
    levels = [int(c) for c in args.clients.split(",")]
    n = args.requests

    with FakeSlack() as fake, tempfile.TemporaryDirectory(prefix="http-bench-") as tmpdir:
        tmp = Path(tmpdir)
        bot, bot_port, db = start_bot(fake, tmp)
        bare, bare_port = start_bare(fake, tmp)
        try:
            servers = {"bot": bot_port, "bare bolt": bare_port}
            # One real `/complaint new` to get the intake modal the bot opens.
            status, _, _ = post(bot_port, slash_command_body("new", user_id=CS_AGENTS[0]))
            assert status == 200, status
            view = fake.wait_for("views.open", 1, timeout=10)[0].body["view"]
            view = json.loads(view) if isinstance(view, str) else view
            received = datetime.now().astimezone() - timedelta(minutes=5)
            state = fill(view, {**GOOD_INTAKE, "received_at": received})

            def bodies(op: str, count: int) -> list[bytes]:
                user = CS_AGENTS[0]
                if op == OPS[0]:
                    return [slash_command_body("new", user_id=user) for _ in range(count)]
                if op == OPS[1]:  # fresh view id each time: a new case each time
                    return [view_submission_body(INTAKE_CALLBACK, state, user_id=user)
                            for _ in range(count)]
                with sqlite3.connect(db) as conn:
                    ids = [r[0] for r in conn.execute("SELECT id FROM cases ORDER BY id")]
                assert ids, "no cases to click on"
                return [block_actions_body(VIEW_DETAILS, json.dumps({"case": ids[i % len(ids)]}),
                                           user_id=CS_AGENTS[i % 2], text="View details")
                        for i in range(count)]

            rows: list[tuple[str, int, str, Result]] = []
            for op in OPS:
                for port in servers.values():
                    run_load(port, bodies(op, args.warmup), 1, ok_empty)
            for clients in levels:
                for op in OPS:
                    for name, port in servers.items():
                        result = run_load(port, bodies(op, n), clients, ok_empty)
                        rows.append((op, clients, name, result))
                        print(f"  done {op:<22} c={clients:<3} {name:<10} "
                              f"{result.wall_s:5.1f}s", flush=True)
            with sqlite3.connect(db) as conn:
                cases = conn.execute("SELECT count(*) FROM cases").fetchone()[0]
                details = conn.execute("SELECT count(*) FROM case_events WHERE action = "
                                       "'details_viewed'").fetchone()[0]
            health = healthz(bot_port)
        finally:
            _stop(bot)
            _stop(bare)
        report(rows, n, cases, details, health, fake)
        failed = [r for *_, r in rows if r.failures]
        return 1 if failed else 0


def report(rows: list[tuple[str, int, str, Result]], n: int, cases: int, details: int,
           health: dict[str, Any], fake: FakeSlack) -> None:
    print()
    print(f"HTTP response latency, {n} requests per row, loopback, SQLite "
          f"({os.cpu_count()} CPUs, Python {sys.version.split()[0]})")
    print(f"{'operation':<22} {'clients':>7}  {'server':<10} {'p50 ms':>8} {'p99 ms':>8} "
          f"{'max ms':>8} {'req/s':>7} {'failed':>6}")
    for op, clients, name, r in rows:
        lat = r.latencies_ms
        print(f"{op:<22} {clients:>7}  {name:<10} {percentile(lat, 50):8.1f} "
              f"{percentile(lat, 99):8.1f} {max(lat, default=float('nan')):8.1f} "
              f"{len(lat) / r.wall_s:7.0f} {len(r.failures):>6}")
    for op, clients, name, r in rows:
        for problem in sorted(set(r.failures))[:3]:
            print(f"  FAILED {op} c={clients} {name}: {problem}")
    print()
    worst = max((percentile(r.latencies_ms, 99), op) for op, c, name, r in rows
                if name == "bot" and c == 20) if any(c == 20 for _, c, _, _ in rows) else None
    if worst is not None:
        verdict = "met" if worst[0] < TARGET_P99_MS else "MISSED"
        print(f"target p99 < {TARGET_P99_MS:.0f} ms at 20 clients: {verdict} "
              f"(worst bot p99 {worst[0]:.1f} ms, {worst[1]})")
    print(f"cases stored: {cases}; details views recorded: {details}; "
          f"outbox: {health.get('outbox')}; "
          f"fake Slack calls: chat.postMessage={len(fake.calls('chat.postMessage'))} "
          f"views.open={len(fake.calls('views.open'))}")


if __name__ == "__main__":
    sys.exit(main())
