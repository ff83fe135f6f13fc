"""HTTP latency benchmark: the bot in HTTP mode vs a bare bolt app that only acks.

    .venv/bin/python -m bench.http_bench                 # 200 requests per op and level
    .venv/bin/python -m bench.http_bench --requests 50   # quicker
    .venv/bin/python -m bench.http_bench --pg postgresql+psycopg://postgres@127.0.0.1:5432/test
    .venv/bin/python -m bench.http_bench --py-spy /tmp/prof   # sample the GIL holder at 20 clients

Both servers run as subprocesses, as production runs them: the bot is
``complaints-bot run --host 127.0.0.1 --port 0`` configured through environment variables
(SQLite file in a temp dir, or with ``--pg`` also a scratch schema on PostgreSQL, run after
the SQLite one with its own bare-app rows; Slack Web API = the fake Slack server from
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
import gc
import http.client
import json
import math
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

from bench.sweep_bench import _drop_schema, _pg_schema_url
from tests.slack.fake_slack import FakeSlack
from tests.slack.harness import GOOD_INTAKE, fill
from tests.slack.signing import (
    block_actions_body,
    issue_trigger_ids_with,
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
# Issue #17's targets at 20 clients, each against the bare app in the same run.
TARGET_P99_MS = 150.0
TARGET_P50_RATIO = 2.0
TARGET_THROUGHPUT_RATIO = 0.5


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


def start_bot(fake: FakeSlack, tmp: Path, url: str, workers: int = 1) -> tuple[Any, int]:
    env = {**os.environ,
           "DATABASE_URL": url,
           "SLACK_BOT_TOKEN": TOKEN,
           "SLACK_SIGNING_SECRET": SECRET,
           "SLACK_APP_TOKEN": "",
           "SLACK_API_URL": fake.base_url,
           "COMPLAINTS_CS_CHANNEL": CS_CHANNEL,
           "COMPLAINTS_DIRECTORS_CHANNEL": DIRECTORS_CHANNEL,
           "COMPLAINTS_CUSTOMER_SERVICES": ",".join(CS_AGENTS),
           "COMPLAINTS_DIRECTORS": ",".join(DIRECTORS)}
    exe = Path(sys.executable).with_name("complaints-bot")
    return _start([str(exe), "run", "--host", "127.0.0.1", "--port", "0",
                   "--workers", str(workers)], env, tmp, tmp / "bot.log")


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
    cpu_ms: float = float("nan")  # the server process's CPU time over the run (Linux)
    # This process's CPU time over the run: the load generator and, for the bot, the fake
    # Slack answering its Web API calls (the bare app makes none).
    harness_ms: float = float("nan")
    # The PostgreSQL server's CPU time over the run: every ``postgres`` process on this
    # machine (the bot's backends, the WAL writer, ...); nan on SQLite.
    db_ms: float = float("nan")


def cpu_ms_of(pid: int) -> float:
    """User + system CPU time of process ``pid`` and its live children (the workers of
    ``run --workers N``) so far, in ms (nan where /proc is not)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        children = [int(c) for task in Path(f"/proc/{pid}/task").iterdir()
                    for c in (task / "children").read_text().split()]
    except OSError:
        return float("nan")
    own = (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")
    return own + sum(cpu_ms_of(child) for child in children)


def postgres_cpu_ms() -> dict[int, float]:
    """User + system CPU time so far, in ms, of each ``postgres`` process on this machine
    (the server runs here in the benchmark's setting); empty where /proc is not."""
    found: dict[int, float] = {}
    tick = os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if (entry / "comm").read_text().strip() != "postgres":
                continue
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone meanwhile
        found[int(entry.name)] = (int(fields[11]) + int(fields[12])) * 1000 / tick
    return found


def postgres_cpu_since(before: dict[int, float]) -> float:
    """The ``postgres`` processes' CPU time since ``before`` (a process started since counts
    whole; one that ended since is lost: the bot's pooled backends live through a row)."""
    return sum(ms - before.get(pid, 0.0) for pid, ms in postgres_cpu_ms().items())


def _own_cpu_ms() -> float:
    """User + system CPU time of this process so far, in ms."""
    times = os.times()
    return (times.user + times.system) * 1000


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


@contextmanager
def client_gc_off() -> Iterator[None]:
    """One measured row with this process's garbage collector off, as ``timeit`` does.

    This process is the load generator and the fake Slack, and by the later rows it holds
    thousands of recorded calls: one of its full collections took 100-170 ms, stalling
    every request in flight and every views.open the bot was making, so the row running
    then (whichever server it measured) got this process's pause as its p99. Collected
    before the row instead, outside the timing; the servers' own collectors are untouched.
    """
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def run_load(port: int, bodies: list[Callable[[], bytes]], clients: int,
             check: Callable[[int, bytes], str | None]) -> Result:
    """Send ``bodies`` from ``clients`` threads, each making and sending the next when done.

    A body is made just before it is sent: its trigger_id (the fake Slack's, valid 3 s)
    must still be fresh when the bot opens a modal with it."""
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    todo = iter(bodies)

    def worker() -> None:
        while True:
            with lock:
                make = next(todo, None)
            if make is None:
                return
            try:
                status, data, ms = post(port, make())
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

@dataclass
class Row:
    db: str
    op: str
    clients: int
    server: str
    result: Result

    @property
    def throughput(self) -> float:
        return len(self.result.latencies_ms) / self.result.wall_s


@dataclass
class Phase:
    """One database's run: its rows, what the bot stored and the load around it."""

    db: str
    rows: list[Row]
    cases: int = 0
    details: int = 0
    outbox: Any = None
    load: tuple[tuple[float, ...], tuple[float, ...]] = ((), ())


def run_phase(fake: FakeSlack, tmp: Path, db: str, url: str, levels: list[int], n: int,
              warmup: int, py_spy: Path | None, workers: int = 1) -> Phase:
    """Start the bot on ``url`` and a bare app; run every operation at every level."""
    load_before = os.getloadavg()
    bot, bot_port = start_bot(fake, tmp, url, workers)
    bare, bare_port = start_bare(fake, tmp)
    engine = create_engine(url)
    phase = Phase(db, [])
    try:
        servers = {"bot": bot_port, "bare bolt": bare_port}
        # One real `/complaint new` to get the intake modal the bot opens.
        opened = len(fake.calls("views.open"))
        status, _, _ = post(bot_port, slash_command_body("new", user_id=CS_AGENTS[0]))
        assert status == 200, status
        view = fake.wait_for("views.open", opened + 1, timeout=30)[-1].body["view"]
        view = json.loads(view) if isinstance(view, str) else view
        received = datetime.now().astimezone() - timedelta(minutes=5)
        state = fill(view, {**GOOD_INTAKE, "received_at": received})

        def bodies(op: str, count: int) -> list[Callable[[], bytes]]:
            user = CS_AGENTS[0]
            if op == OPS[0]:
                return [lambda: slash_command_body("new", user_id=user)] * count
            if op == OPS[1]:  # fresh view id each time: a new case each time
                return [lambda: view_submission_body(INTAKE_CALLBACK, state, user_id=user)
                        ] * count
            with engine.connect() as conn:
                ids = [r[0] for r in conn.execute(text("SELECT id FROM cases ORDER BY id"))]
            assert ids, "no cases to click on"
            return [_button(ids[i % len(ids)], CS_AGENTS[i % 2]) for i in range(count)]

        for op in OPS:
            for port in servers.values():
                run_load(port, bodies(op, warmup), 1, ok_empty)
        for clients in levels:
            for op in OPS:
                for name, port in servers.items():
                    spy = _spy(py_spy, bot.pid, f"{db}-{op}-c{clients}") \
                        if name == "bot" and clients == max(levels) else None
                    pid = bot.pid if name == "bot" else bare.pid
                    settle(bot.pid)
                    cpu_before, harness_before = cpu_ms_of(pid), _own_cpu_ms()
                    db_before = postgres_cpu_ms() if url.startswith("postgresql") else None
                    with client_gc_off():
                        result = run_load(port, bodies(op, n), clients, ok_empty)
                    result.cpu_ms = cpu_ms_of(pid) - cpu_before
                    result.harness_ms = _own_cpu_ms() - harness_before
                    if db_before is not None:
                        result.db_ms = postgres_cpu_since(db_before)
                    _stop_spy(spy)
                    phase.rows.append(Row(db, op, clients, name, result))
                    print(f"  done {db:<10} {op:<22} c={clients:<3} {name:<10} "
                          f"{result.wall_s:5.1f}s", flush=True)
        with engine.connect() as conn:
            phase.cases = conn.execute(text("SELECT count(*) FROM cases")).scalar_one()
            phase.details = conn.execute(text(
                "SELECT count(*) FROM case_events WHERE action = 'details_viewed'")).scalar_one()
        phase.outbox = healthz(bot_port).get("outbox")
    finally:
        engine.dispose()
        _stop(bot)
        _stop(bare)
    phase.load = (load_before, os.getloadavg())
    return phase


def settle(pid: int, timeout: float = 15.0) -> None:
    """Wait until the bot is nearly idle (under 10% of a core over 0.2 s): what the last
    row left running after its acks (modals, recorded views) is not charged to the next."""
    deadline = time.monotonic() + timeout
    before = cpu_ms_of(pid)
    while time.monotonic() < deadline:
        time.sleep(0.2)
        now = cpu_ms_of(pid)
        if not now - before >= 20:  # also stops at once where /proc is not (nan)
            return
        before = now


def _button(case_id: int, user: str) -> Callable[[], bytes]:
    return lambda: block_actions_body(VIEW_DETAILS, json.dumps({"case": case_id}),
                                      user_id=user, text="View details")


def _spy(out: Path | None, pid: int, label: str) -> Any:
    """py-spy sampling the bot while one operation runs (collapsed stacks, one file each)."""
    if out is None:
        return None
    out.mkdir(parents=True, exist_ok=True)
    name = label.replace(" ", "_").replace("/", "").replace(":", "")
    exe = Path(sys.executable).with_name("py-spy")
    proc = subprocess.Popen([str(exe), "record", "--pid", str(pid), "--rate", "250",
                             "--format", "raw", "--nonblocking", "--threads", "--gil",
                             "--subprocesses",
                             "--output", str(out / f"{name}.txt")],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1.0)  # py-spy attaches before the load starts (not a race in a test)
    return proc


def _stop_spy(proc: Any) -> None:
    if proc is not None:
        proc.send_signal(2)  # SIGINT: py-spy writes its file and exits
        proc.wait(timeout=60)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200,
                        help="requests per operation per concurrency level (default 200)")
    parser.add_argument("--clients", default="1,20", help="concurrency levels (default 1,20)")
    parser.add_argument("--warmup", type=int, default=10, help="unmeasured requests per op")
    parser.add_argument("--pg", help="also run on PostgreSQL at this URL (a scratch schema)")
    parser.add_argument("--no-sqlite", action="store_true", help="skip the SQLite run")
    parser.add_argument("--py-spy", type=Path, metavar="DIR",
                        help="record the bot with py-spy at the top level into DIR")
    parser.add_argument("--workers", type=int, default=1,
                        help="run the bot with `run --workers N` (default 1)")
    parser.add_argument("--bare-server", metavar="FAKE_URL", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.bare_server:
        serve_bare(args.bare_server)
        return 0
    levels = [int(c) for c in args.clients.split(",")]
    phases: list[Phase] = []
    with FakeSlack() as fake, tempfile.TemporaryDirectory(prefix="http-bench-") as tmpdir:
        tmp = Path(tmpdir)
        issue_trigger_ids_with(fake.issue_trigger_id)
        if not args.no_sqlite:
            phases.append(run_phase(fake, tmp, "SQLite", f"sqlite:///{tmp / 'desk.sqlite3'}",
                                    levels, args.requests, args.warmup, args.py_spy,
                                    args.workers))
        if args.pg:
            url, schema = _pg_schema_url(args.pg)
            try:
                phases.append(run_phase(fake, tmp, "PostgreSQL", url, levels, args.requests,
                                        args.warmup, args.py_spy, args.workers))
            finally:
                _drop_schema(args.pg, schema)
        failed_opens = len(fake.attempts("views.open")) - len(fake.calls("views.open"))
    met = report(phases, args.requests, failed_opens)
    failed = any(r.result.failures for p in phases for r in p.rows)
    return 1 if failed or failed_opens else (0 if met else 2)


def verdicts(phase: Phase, clients: int = 20) -> list[tuple[str, list[str]]]:
    """Per operation at ``clients``: the targets it misses (empty: all met)."""
    out = []
    for op in OPS:
        bot = next((r for r in phase.rows if r.op == op and r.clients == clients
                    and r.server == "bot"), None)
        bare = next((r for r in phase.rows if r.op == op and r.clients == clients
                     and r.server != "bot"), None)
        if bot is None or bare is None:
            continue
        b50, b99 = percentile(bot.result.latencies_ms, 50), percentile(bot.result.latencies_ms, 99)
        misses = []
        if b50 > TARGET_P50_RATIO * percentile(bare.result.latencies_ms, 50):
            misses.append(f"p50 {b50 / percentile(bare.result.latencies_ms, 50):.1f}x bare")
        if b99 >= TARGET_P99_MS:
            misses.append(f"p99 {b99:.0f} ms")
        if bot.throughput < TARGET_THROUGHPUT_RATIO * bare.throughput:
            misses.append(f"throughput {bot.throughput / bare.throughput:.2f}x bare")
        out.append((op, misses))
    return out


def _or_dash(value: float) -> str:
    return "–" if math.isnan(value) else f"{value:.2f}"


def report(phases: list[Phase], n: int, failed_opens: int) -> bool:
    """Print one markdown table (bot beside the bare app), the verdicts; True if all met."""
    print()
    print(f"HTTP response latency, {n} requests per row, loopback "
          f"({os.cpu_count()} CPUs, Python {sys.version.split()[0]}); times in ms; CPU/req is "
          "the server process's CPU time over the row divided by its requests (it includes "
          "the bot's background work: outbox delivery, what listeners do after the ack); "
          "harness is this process's CPU per request (the clients, and the fake Slack "
          "answering the bot's calls); db is the PostgreSQL server's CPU per request")
    print("| db | operation | clients | bot p50 | bot p99 | bot max | bot req/s | bot CPU/req "
          "| harness | db | bare p50 | bare p99 | bare req/s | bare CPU/req | harness "
          "| failed |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for phase in phases:
        for bot in (r for r in phase.rows if r.server == "bot"):
            bare = next(r for r in phase.rows if r.server != "bot" and r.op == bot.op
                        and r.clients == bot.clients)
            lb, lx = bot.result.latencies_ms, bare.result.latencies_ms
            print(f"| {phase.db} | {bot.op} | {bot.clients} | {percentile(lb, 50):.1f} "
                  f"| {percentile(lb, 99):.1f} | {max(lb, default=float('nan')):.1f} "
                  f"| {bot.throughput:.0f} | {bot.result.cpu_ms / n:.2f} "
                  f"| {bot.result.harness_ms / n:.2f} | {_or_dash(bot.result.db_ms / n)} "
                  f"| {percentile(lx, 50):.1f} | {percentile(lx, 99):.1f} "
                  f"| {bare.throughput:.0f} | {bare.result.cpu_ms / n:.2f} "
                  f"| {bare.result.harness_ms / n:.2f} "
                  f"| {len(bot.result.failures) + len(bare.result.failures)} |")
    print()
    all_met = True
    for phase in phases:
        for row in phase.rows:
            for problem in sorted(set(row.result.failures))[:3]:
                print(f"  FAILED {phase.db} {row.op} c={row.clients} {row.server}: {problem}")
        before, after = phase.load
        print(f"{phase.db}: load average {before[0]:.2f} before, {after[0]:.2f} after; "
              f"cases stored {phase.cases}, details views recorded {phase.details}, "
              f"outbox {phase.outbox}")
        for op, misses in verdicts(phase):
            all_met = all_met and not misses
            print(f"  {op:<22} {'met' if not misses else 'MISSED: ' + ', '.join(misses)}")
    if failed_opens:
        print(f"views.open refused by the fake Slack: {failed_opens}")
    print(f"targets at 20 clients (p50 <= {TARGET_P50_RATIO:.0f}x bare, p99 < "
          f"{TARGET_P99_MS:.0f} ms, req/s >= {TARGET_THROUGHPUT_RATIO}x bare): "
          f"{'all met' if all_met else 'NOT all met'}")
    return all_met


if __name__ == "__main__":
    sys.exit(main())
