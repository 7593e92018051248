"""HTTP and SQL harness shared by the scenarios: bench sessions, a gunicorn server on
loopback, wrk runs with percentiles, the SQL a page runs (for pgbench), pgbench and psql.
"""

import json
import os
import re
import socket
import subprocess
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from bench.common import ROOT, bench_env, database_url, libpq_env, pg_bin

WRK_LUA = """
local pairs_ = {PAIRS}
math.randomseed({SEED})
request = function()
  local p = pairs_[math.random(#pairs_)]
  return wrk.format("GET", p[2], {["Cookie"] = "sessionid=" .. p[1], ["Host"] = "127.0.0.1"})
end
done = function(summary, latency, requests)
  io.write(string.format('WRKJSON {"requests": %d, "duration_us": %d, "errors": %d, "non2xx": %d, '
    .. '"p50_ms": %.3f, "p95_ms": %.3f, "p99_ms": %.3f, "max_ms": %.3f}\\n',
    summary.requests, summary.duration,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status, latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000))
end
"""


def bench_session(user) -> str:
    """A logged-in session row for a synthetic user, made directly (no password anywhere)."""
    import time as _time

    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from backa.accounts.middleware import LAST_SEEN, LOGIN_AT

    assert user.is_synthetic, "bench sessions only for synthetic users"
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    now = int(_time.time())
    store[LOGIN_AT] = now
    store[LAST_SEEN] = now
    store.create()
    return store.session_key


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


SERVER_PIDS: dict[str, int] = {}  # base URL -> the gunicorn master's pid (CPU and memory sampling)


@contextmanager
def gunicorn(workers: int = 4, *, production: bool = False):
    """The app under gunicorn sync workers on loopback, with the bench view enabled.

    production=True runs it with the production server's own settings (backa/gunicorn_conf.py:
    worker recycling, timeouts; static files through whitenoise as always)."""
    port = free_port()
    env = bench_env()
    env.update(
        {
            "BACKA_BENCH": "1",
            "DATABASE_URL": database_url(),
            "LOG_LEVEL": "WARNING",
            "DEBUG": "0",
            "SECURE_COOKIES": "0",
        }
    )
    log = open(tempfile.mktemp(prefix="bench-gunicorn-", suffix=".log"), "w")
    if production:
        env.update({"BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": str(workers)})
        command = [
            str(ROOT / ".venv/bin/gunicorn"),
            "-c",
            str(ROOT / "backa/gunicorn_conf.py"),
            "backa.wsgi:application",
        ]
    else:
        command = [
            str(ROOT / ".venv/bin/gunicorn"),
            "backa.wsgi:application",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            str(workers),
            "--worker-class",
            "sync",
            "--timeout",
            "60",
            "--log-level",
            "warning",
            "--access-logfile",
            "-",
            "--access-logformat",
            "%(s)s",
        ]
    proc = subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    base = f"http://127.0.0.1:{port}"
    SERVER_PIDS[base] = proc.pid
    import signal
    import sys

    # A scenario stopped with SIGTERM (timeout, kill) still stops its server (the finally below).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        import urllib.request

        for _ in range(300):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1).read()
                break
            except OSError as exc:
                if proc.poll() is not None:
                    raise RuntimeError(f"gunicorn exited; see {log.name}") from exc
                time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def wrk(base: str, pairs, *, connections: int, seconds: int, seed: int = 1) -> dict:
    """pairs: [(session_key, path)]; each request picks one at random. Returns req/s and percentiles."""
    lua_pairs = "{" + ", ".join(f'{{"{k}", "{p}"}}' for k, p in pairs) + "}"
    script = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
    script.write(WRK_LUA.replace("{PAIRS}", lua_pairs).replace("{SEED}", str(seed)))
    script.close()
    threads = min(2, connections)
    out = subprocess.run(
        [
            "wrk",
            "-t",
            str(threads),
            "-c",
            str(connections),
            "-d",
            f"{seconds}s",
            "--timeout",
            "10s",
            "-s",
            script.name,
            base + pairs[0][1],
        ],
        capture_output=True,
        text=True,
        timeout=seconds + 60,
    ).stdout
    os.unlink(script.name)
    line = next((ln for ln in out.splitlines() if ln.startswith("WRKJSON ")), None)
    if line is None:
        raise RuntimeError("wrk gave no result:\n" + out)
    data = json.loads(line[8:])
    data["rps"] = round(data["requests"] / (data["duration_us"] / 1e6), 1)
    return data


def captured_sql(fn) -> list[str]:
    """The SQL statements fn() runs, with parameters inlined (psycopg's own quoting)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        fn()
    return [q["sql"] for q in ctx.captured_queries]


UUID_LITERAL = re.compile(r"'[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}'::uuid")
TS_LITERAL = re.compile(r"'\d{4}-\d\d-\d\d[ T][0-9:.]+\+00:00'::timestamptz")


def replayable(sql: str) -> str:
    """A captured statement that can run again: fresh id and time in access-log inserts."""
    if sql.startswith('INSERT INTO "audit_accesslog"'):
        head, values = sql.split(" VALUES ", 1)
        values = UUID_LITERAL.sub("gen_random_uuid()", values, count=1)
        values = TS_LITERAL.sub("now()", values, count=1)
        sql = head + " VALUES " + values
    return sql


STRING_LITERAL = re.compile(r"\bE?'(?:[^']|'')*'|(?<![\w])'(?:[^']|'')*'")


def pgbench_safe(sql: str) -> str:
    """pgbench reads :name as a variable even inside strings; spell such colons as chr(58)."""

    def fix(m):
        text = m.group(0)
        prefix = "E" if text.startswith("E") else ""
        inner = text[len(prefix) + 1 : -1]
        return (
            text
            if ":" not in inner
            else "(" + " || chr(58) || ".join((prefix + "'" + part + "'") for part in inner.split(":")) + ")"
        )

    return STRING_LITERAL.sub(fix, sql)


def pgbench(scripts: list[list[str]], *, clients: int, seconds: int, protocol: str) -> dict:
    """Each script is one transaction of statements; pgbench picks scripts at random."""
    files = []
    for statements in scripts:
        f = tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False)
        body = "".join(pgbench_safe(replayable(s)).replace("\n", " ") + ";\n" for s in statements)
        f.write(body if any(s.strip() == "BEGIN" for s in statements) else "BEGIN;\n" + body + "COMMIT;\n")
        f.close()
        files.append(f.name)
    cmd = [
        pg_bin("pgbench"),
        "-n",
        "-M",
        protocol,
        "-c",
        str(clients),
        "-j",
        str(min(clients, 2)),
        "-T",
        str(seconds),
        "-r",
    ]
    for name in files:
        cmd += ["-f", name]
    log = tempfile.mkdtemp(prefix="bench-pgbench-")
    cmd += ["-l", "--log-prefix", f"{log}/tx"]
    out = subprocess.run(cmd, env=libpq_env(), capture_output=True, text=True, timeout=seconds + 120, cwd=log)
    for name in files:
        os.unlink(name)
    tps = re.search(r"tps = ([0-9.]+)", out.stdout)
    if not tps:
        raise RuntimeError("pgbench failed:\n" + out.stdout + out.stderr)
    latencies = []
    for path in Path(log).glob("tx*"):
        for line in path.read_text().splitlines():
            parts = line.split()
            if len(parts) >= 3:
                latencies.append(int(parts[2]) / 1000)
    from bench.common import percentile

    return {
        "tps": round(float(tps.group(1)), 1),
        "p50_ms": round(percentile(latencies, 50), 3),
        "p95_ms": round(percentile(latencies, 95), 3),
        "transactions": len(latencies),
        "failed": int(m.group(1)) if (m := re.search(r"number of failed transactions: (\d+)", out.stdout)) else 0,
    }


def psql_time(sql: str, repeat: int = 5) -> list[float]:
    """Wall time in ms of the statement in psql (\\timing), repeated; the first run warms the cache."""
    body = "\\timing on\n" + "".join(sql.rstrip(";") + ";\n" for _ in range(repeat + 1))
    out = subprocess.run(
        [pg_bin("psql"), "-X", "-q", "-o", "/dev/null"],
        input=body,
        env=libpq_env(),
        capture_output=True,
        text=True,
        timeout=600,
    )
    times = [float(m) for m in re.findall(r"Time: ([0-9.]+) ms", out.stdout + out.stderr)]
    if not times:
        raise RuntimeError("psql failed: " + out.stderr[-500:])
    return times[1:]


def explain_analyze(sql: str) -> tuple[float, str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        plan = "\n".join(r[0] for r in cursor.fetchall())
    m = re.search(r"Execution Time: ([0-9.]+) ms", plan)
    p = re.search(r"Planning Time: ([0-9.]+) ms", plan)
    return (float(m.group(1)) + (float(p.group(1)) if p else 0.0)), plan
