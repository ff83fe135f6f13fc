#!/usr/bin/env bash
# Issue #17's benchmark runs, as recorded in bench/README.md: the HTTP benchmark (bot beside
# a bare bolt app, SQLite then PostgreSQL) RUNS times in a row, then the sweep at 100,000
# cases with 10,000 due on both databases, each line with the load average beside it.
#
#   bash bench/run_all.sh                 # 3 runs; PG_URL defaults to the local test database
#   RUNS=1 REQUESTS=100 bash bench/run_all.sh
#   WORKERS=2 bash bench/run_all.sh      # the bot as `run --workers 2`
#
# Exit status: 0 when every HTTP run met every target, 2 when one missed (figures printed).
set -u
cd "$(dirname "$0")/.."
PY=.venv/bin/python
PG_URL=${PG_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test}
RUNS=${RUNS:-3}
REQUESTS=${REQUESTS:-200}
WORKERS=${WORKERS:-1}
status=0
echo "# $(date -u +%Y-%m-%dT%H:%MZ) on $(nproc) CPUs; $(uptime)"
for run in $(seq 1 "$RUNS"); do
    echo "## HTTP run $run of $RUNS (load: $(cut -d' ' -f1-3 /proc/loadavg))"
    $PY -m bench.http_bench --requests "$REQUESTS" --clients 1,20 --workers "$WORKERS" --pg "$PG_URL" \
        | grep -v '^  done '
    rc=${PIPESTATUS[0]}
    [ "$rc" -ne 0 ] && status=2
done
echo "## Sweep, 100,000 cases with 10,000 due (load: $(cut -d' ' -f1-3 /proc/loadavg))"
$PY -m bench.sweep_bench --runs 100000:10000
echo "(load: $(cut -d' ' -f1-3 /proc/loadavg))"
$PY -m bench.sweep_bench --runs 100000:10000 --pg "$PG_URL" | tail -n 1
echo "(load: $(cut -d' ' -f1-3 /proc/loadavg))"
exit $status
