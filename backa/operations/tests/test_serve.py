"""`./run serve` (the production server) and the configuration it refuses (issue 21.1, 15.9).

The server test starts the real `./run serve` (gunicorn, one worker) on a loopback
port against the test database, connected as a runtime role created here, and asks /readyz.
"""

import io
import os
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import psycopg
import pytest
from django.core.exceptions import ImproperlyConfigured
from psycopg import sql

from backa import config
from backa.operations import pgtools

ROOT = Path(__file__).resolve().parents[3]
STRONG = {
    "SECRET_KEY": "s3cr3t-" + "Zq8Lm2Xv9Rt4Kp7Wn1Bc6Hd0Fg5Js3Ya" * 2,
    "PNR_ENCRYPTION_KEY": "0f1e2d3c4b5a69788796a5b4c3d2e1f00112233445566778899aabbccddeeff0",
    "PNR_HASH_KEY": "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f91",
    "RESEARCH_PSEUDONYM_KEY": "study-Xy7Pq2Lm9Kd4Wz8Rt3Nv6Bc1Hj5Gf0Sa",
}


def production_values(**changes):
    values = dict(
        secret_key=STRONG["SECRET_KEY"],
        pnr_encryption_key=STRONG["PNR_ENCRYPTION_KEY"],
        pnr_encryption_key_id="2026a",
        pnr_old_keys={},
        pnr_hash_key=STRONG["PNR_HASH_KEY"],
        research_key=STRONG["RESEARCH_PSEUDONYM_KEY"],
        database_url="postgresql://backa_app@db1,db2/backa?target_session_attrs=read-write",
    )
    values.update(changes)
    return values


def test_a_strong_separate_production_configuration_is_accepted():
    assert config.production_config_errors(**production_values()) == []


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"secret_key": ""}, "SECRET_KEY"),
        ({"secret_key": "short-but-not-fifty"}, "SECRET_KEY is weak"),
        ({"secret_key": "demo-only-" + "ab12" * 20}, "SECRET_KEY is weak"),
        ({"secret_key": "a" * 60}, "SECRET_KEY is weak"),
        ({"pnr_encryption_key": ""}, "PNR_ENCRYPTION_KEY"),
        ({"pnr_encryption_key": "not-hex" * 10}, "PNR_ENCRYPTION_KEY must be 64 hex"),
        ({"pnr_encryption_key_id": "has space"}, "PNR_ENCRYPTION_KEY_ID"),
        ({"pnr_old_keys": {"2026a": STRONG["PNR_ENCRYPTION_KEY"]}}, "PNR_ENCRYPTION_OLD_KEYS"),
        ({"pnr_old_keys": {"old": "abc"}}, "PNR_ENCRYPTION_OLD_KEYS: key 'old'"),
        ({"pnr_hash_key": ""}, "PNR_HASH_KEY"),
        ({"pnr_hash_key": STRONG["PNR_ENCRYPTION_KEY"]}, "PNR_HASH_KEY is the same as PNR_ENCRYPTION_KEY"),
        ({"research_key": ""}, "RESEARCH_PSEUDONYM_KEY"),
        ({"research_key": STRONG["SECRET_KEY"]}, "RESEARCH_PSEUDONYM_KEY is the same as SECRET_KEY"),
        ({"database_url": ""}, "DATABASE_URL must be set"),
        ({"database_url": "sqlite:///var/demo.sqlite3"}, "DATABASE_URL must be a postgresql"),
    ],
)
def test_each_weak_or_missing_production_setting_is_refused_by_name(change, named):
    errors = config.production_config_errors(**production_values(**change))
    assert any(named in error for error in errors), errors
    with pytest.raises(ImproperlyConfigured, match=named.split()[0]):
        config.refuse_weak_production_config(**production_values(**change))


def test_no_refusal_repeats_a_secret():
    errors = config.production_config_errors(**production_values(secret_key="x" * 70, research_key="short"))
    assert errors and all("x" * 10 not in error and "short" not in error for error in errors)


def test_secrets_are_read_from_files_and_both_ways_at_once_is_refused(tmp_path, monkeypatch):
    secret = tmp_path / "pnr_key"
    secret.write_text(STRONG["PNR_ENCRYPTION_KEY"] + "\n")
    monkeypatch.delenv("PNR_ENCRYPTION_KEY", raising=False)
    monkeypatch.setenv("PNR_ENCRYPTION_KEY_FILE", str(secret))
    assert config.env_secret("PNR_ENCRYPTION_KEY") == STRONG["PNR_ENCRYPTION_KEY"]
    monkeypatch.setenv("PNR_ENCRYPTION_KEY", "also-here")
    with pytest.raises(ImproperlyConfigured, match="PNR_ENCRYPTION_KEY and PNR_ENCRYPTION_KEY_FILE"):
        config.env_secret("PNR_ENCRYPTION_KEY")
    monkeypatch.delenv("PNR_ENCRYPTION_KEY")
    monkeypatch.setenv("PNR_ENCRYPTION_KEY_FILE", str(tmp_path / "missing"))
    with pytest.raises(ImproperlyConfigured, match="PNR_ENCRYPTION_KEY_FILE"):
        config.env_secret("PNR_ENCRYPTION_KEY")


def test_the_key_ring_is_id_colon_hex():
    assert config.parse_key_ring("") == {}
    assert config.parse_key_ring(" 1:ab12 , 2:cd34") == {"1": "ab12", "2": "cd34"}
    with pytest.raises(ImproperlyConfigured, match="PNR_ENCRYPTION_OLD_KEYS"):
        config.parse_key_ring("nocolon")


def _serve_env(tmp_path, **overrides):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SECRET_KEY", "PNR_", "RESEARCH_", "DATABASE_URL", "BACKA_ENV", "PROMETHEUS_"))
    }
    env.update(STRONG, LOG_DIR=str(tmp_path / "log"), PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "metrics"))
    env.update(overrides)
    return env


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({"BACKA_ENV": "prod"}, "BACKA_ENV='prod'"),
        ({"BACKA_ENV": "production", "DATABASE_URL": ""}, "DATABASE_URL"),
        ({"BACKA_ENV": "production", "DATABASE_URL": "postgresql://x@127.0.0.1/x", "PNR_HASH_KEY": ""}, "PNR_HASH_KEY"),
    ],
)
def test_serve_refuses_to_start_and_names_the_variable(tmp_path, overrides, named):
    result = subprocess.run(
        [str(ROOT / "run"), "serve"],
        cwd=ROOT,
        env=_serve_env(tmp_path, **overrides),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2, result.stderr
    assert named in result.stderr
    assert "Traceback" not in result.stderr
    for secret in STRONG.values():
        assert secret not in result.stderr


@pytest.fixture
def runtime_role():
    """A login role owning nothing, granted as production grants it (grant_runtime_role)."""
    from django.core.management import call_command
    from django.db import connection

    name = f"backa_runtime_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        cursor.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(name)).as_string(cursor.connection))
    call_command("grant_runtime_role", name, stdout=io.StringIO())
    yield name
    info = pgtools.conninfo_from_settings()
    with psycopg.connect(**{k: v for k, v in info.items() if v}, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(name)))
        conn.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(name)))


def _url_for(role: str) -> str:
    info = pgtools.conninfo_from_settings()
    return f"postgresql://{role}@{info['host']}:{info['port']}/{info['dbname']}"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _get(url, **headers):
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.build_opener(_NoRedirect).open(request, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()
    except OSError:
        return 0, ""


@pytest.mark.django_db(transaction=True)
def test_serve_in_production_answers_readyz_200_as_the_runtime_role(tmp_path, runtime_role):
    port = pgtools.free_port()
    server = subprocess.Popen(
        [str(ROOT / "run"), "serve", "-b", f"127.0.0.1:{port}", "-w", "1"],
        cwd=ROOT,
        env=_serve_env(tmp_path, BACKA_ENV="production", DATABASE_URL=_url_for(runtime_role)),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while (status := _get(f"http://127.0.0.1:{port}/healthz"))[0] != 200:
            assert server.poll() is None, server.stderr.read() if server.stderr else ""
            assert time.monotonic() < deadline, "gunicorn did not start"
            time.sleep(0.2)
        status, body = _get(f"http://127.0.0.1:{port}/readyz")
        assert status == 200, body
        assert '"runtime_role": "ok"' in body and '"migrations": "ok"' in body
        # Static files through whitenoise (behind the proxy, which says the request was https).
        assert _get(f"http://127.0.0.1:{port}/static/css/app.css", **{"X-Forwarded-Proto": "https"})[0] == 200
        # Pages need https: plain http is redirected, the health routes are not.
        assert _get(f"http://127.0.0.1:{port}/")[0] == 301
        # Metrics: the direct scraper gets them, a request that came through the proxy does not.
        status, body = _get(f"http://127.0.0.1:{port}/metrics")
        assert status == 200 and "backa_http_request_duration_seconds" in body, body[:500]
        assert 'route="readyz"' in body
        assert _get(f"http://127.0.0.1:{port}/metrics", **{"X-Forwarded-For": "203.0.113.9"})[0] == 404
    finally:
        server.terminate()
        server.wait(timeout=30)


INSERT_LOG_ROW = (
    "INSERT INTO audit_accesslog (id, occurred_at, role, object_type, object_id, action, purpose, outcome, "
    "emergency, protected_identity) VALUES (gen_random_uuid(), now(), '', 'child', 'x', 'view', '', 'allowed', "
    "false, false)"
)


@pytest.mark.django_db(transaction=True)
def test_the_runtime_role_may_insert_into_the_access_log_but_never_truncate_update_or_delete(runtime_role):
    info = pgtools.conninfo_from_settings()
    with psycopg.connect(host=info["host"], port=info["port"], dbname=info["dbname"], user=runtime_role) as conn:
        assert conn.execute("SELECT current_user").fetchone()[0] == runtime_role
        owned = conn.execute("SELECT count(*) FROM pg_tables WHERE tableowner = current_user").fetchone()[0]
        assert owned == 0
        conn.execute(INSERT_LOG_ROW)
        conn.commit()
        partition = conn.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = 'audit_accesslog'::regclass LIMIT 1"
        ).fetchone()[0]
        refused = [
            "TRUNCATE audit_accesslog",
            "UPDATE audit_accesslog SET role = 'x'",
            "DELETE FROM audit_accesslog",
            f"DELETE FROM {partition}",
            f"TRUNCATE {partition}",
            "TRUNCATE operations_accesslogseal",
            "DELETE FROM operations_accesslogseal",
            "UPDATE operations_accesslogseal SET digest = ''",
            "DROP TABLE audit_accesslog",
            "CREATE TABLE runtime_may_not_create (id int)",
        ]
        for statement in refused:
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(statement)
            conn.rollback()
        # Ordinary data tables are the application's to change.
        conn.execute("DELETE FROM django_session WHERE expire_date < now() - interval '100 years'")
        conn.commit()
        assert conn.execute("SELECT count(*) FROM audit_accesslog WHERE object_id = 'x'").fetchone()[0] == 1


@pytest.mark.django_db
def test_grant_runtime_role_refuses_a_role_that_owns_tables():
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="owns tables"):
        call_command("grant_runtime_role", pgtools.conninfo_from_settings()["user"])


def test_a_multi_host_database_url_becomes_libpqs_host_and_port_lists():
    from backa.settings import database_from_url

    config = database_from_url("postgresql://backa_app:pw@pg1:5432,pg2:5433,pg3/backa?target_session_attrs=read-write")
    assert (config["HOST"], config["PORT"]) == ("pg1,pg2,pg3", "5432,5433,5432")
    assert (config["USER"], config["PASSWORD"], config["NAME"]) == ("backa_app", "pw", "backa")
    assert config["OPTIONS"] == {"target_session_attrs": "read-write"}
    single = database_from_url("postgresql://postgres@127.0.0.1:5432/ops")
    assert (single["HOST"], single["PORT"]) == ("127.0.0.1", "5432")


def test_production_refuses_debug(tmp_path):
    result = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "python"), "-m", "backa.serve"],
        cwd=ROOT,
        env=_serve_env(tmp_path, BACKA_ENV="production", DATABASE_URL="postgresql://x@127.0.0.1/x", DEBUG="1"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2 and "DEBUG" in result.stderr
