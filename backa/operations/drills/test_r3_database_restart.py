"""R3: the application recovers by itself after a database restart.

gunicorn (2 workers, persistent connections: DB_CONN_MAX_AGE=60 as in production) serves a
copy of the migrated app database. A client requests a page that reads the database (the
session lookup behind login_required) every 50 ms. The database is stopped hard
(`pg_ctl stop -m immediate`), left down for 3 s, and started again. Pass: requests fail while
it is down (a 500, no hang), and from at most 10 s after the database is back every request
succeeds, with no manual action. CONN_HEALTH_CHECKS=True (settings) is what makes the workers'
stale connections reconnect instead of failing once each."""

import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

import pytest

from backa.operations import pgtools
from backa.operations.drills.conftest import ROOT, app_env, cluster_from
from backa.operations.drills.record import record

pytestmark = pytest.mark.drill
DOWN_SECONDS = 3.0


def _get(url):
    request = urllib.request.Request(url, headers={"Cookie": "sessionid=drillnosuchsession0000000000000000"})
    opener = urllib.request.build_opener(NoRedirect)
    try:
        return opener.open(request, timeout=5).status
    except urllib.error.HTTPError as exc:
        return exc.code
    except Exception:  # connection refused, timeout
        return 0


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_the_app_recovers_by_itself_after_a_database_restart(migrated_template, tmp_path):
    with cluster_from(migrated_template, "backa-r3-") as db:
        port = pgtools.free_port()
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "backa.wsgi",
                "-w",
                "2",
                "-b",
                f"127.0.0.1:{port}",
                "--timeout",
                "30",
                "--graceful-timeout",
                "5",
            ],
            cwd=ROOT,
            env=app_env(db.app_url, DB_CONN_MAX_AGE="60", LOG_DIR=str(tmp_path)),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            url = f"http://127.0.0.1:{port}/"
            deadline = time.monotonic() + 60
            while _get(url) != 302:
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.2)
            samples, stop = [], threading.Event()

            def client():
                while not stop.is_set():
                    samples.append((time.monotonic(), _get(url)))
                    time.sleep(0.05)

            thread = threading.Thread(target=client)
            thread.start()
            time.sleep(2)
            down_at = time.monotonic()
            pgtools.run("pg_ctl", "-D", db.data, "-m", "immediate", "-w", "stop")
            stopped_at = time.monotonic()
            time.sleep(DOWN_SECONDS)
            start_at = time.monotonic()
            db.start()  # returns once the server accepts connections (after crash recovery)
            up_at = time.monotonic()
            time.sleep(12)
            stop.set()
            thread.join(30)
        finally:
            server.terminate()
            try:
                server.wait(15)
            except subprocess.TimeoutExpired:
                server.kill()
        before = [s for t, s in samples if t < down_at]
        during = [s for t, s in samples if stopped_at <= t < start_at]
        after = [(t, s) for t, s in samples if t >= up_at]
        first_ok = next((t for t, s in after if s == 302), None)
        failures_after = [(round(t - up_at, 2), s) for t, s in after if s != 302]
        record(
            "R3 database restart",
            requests=len(samples),
            ok_before=before.count(302),
            failed_while_down=len(during) - during.count(302),
            down_s=round(start_at - down_at, 2),
            start_and_crash_recovery_s=round(up_at - start_at, 2),
            first_success_after_up_s=round(first_ok - up_at, 2) if first_ok else None,
            failures_after_up=len(failures_after),
            statuses_while_down=sorted(set(during)),
        )
        assert before and all(s == 302 for s in before)
        assert during and all(s in (500, 503) for s in during), "requests while the database is down must fail fast"
        assert first_ok is not None and first_ok - up_at <= 10
        assert not [f for f in failures_after if f[0] > 10], failures_after
