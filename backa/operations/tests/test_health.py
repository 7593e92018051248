"""/healthz, /readyz and /metrics (issue 21.4), the request id (15.6) and the JSON request log (21.5)."""

import io
import json
import logging
import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from backa.lib.jsonlog import JsonFormatter
from backa.operations import health

pytestmark = pytest.mark.django_db
OUTBOX_KIND = "new_concern"


def stuck_outbox():
    return "outbox_stuck"


def test_healthz_and_readyz_answer_without_login_and_without_data(client):
    assert client.get("/healthz").status_code == 200
    response = client.get("/readyz")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "ready"
    assert set(body["checks"]) == {
        "database",
        "migrations",
        "log_partitions",
        "seals",
        "runtime_role",
        "restore_drill",
        "outbox",
    }
    assert set(body["checks"].values()) == {"ok"}


def test_readyz_is_503_and_names_the_check_when_seals_are_overdue(client):
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO audit_accesslog (id, occurred_at, role, object_type, object_id, action, purpose, outcome, "
            "emergency, protected_identity) VALUES (%s, %s, '', 'child', '', 'view', '', 'allowed', false, false)",
            [uuid.uuid4(), timezone.now() - timedelta(hours=30)],
        )
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["seals"] == "seals_overdue"
    from django.core.management import call_command

    call_command("seal_access_log", stdout=io.StringIO())
    assert client.get("/readyz").status_code == 200


def test_readyz_is_503_when_next_months_partition_is_missing(client, monkeypatch):
    monkeypatch.setattr(health, "_next_month_start", lambda today: today.replace(year=2031, month=1, day=1))
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["log_partitions"] == "next_month_partition_missing"


def test_an_extra_readiness_check_is_wired_by_setting(client, settings):
    settings.READINESS_EXTRA_CHECKS = ["outbox=backa.operations.tests.test_health.stuck_outbox"]
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["outbox"] == "outbox_stuck"


def test_a_failed_database_check_skips_the_rest(monkeypatch):
    def down():
        raise ConnectionError

    monkeypatch.setitem(health.CHECKS, "database", down)
    results = health.run_checks()
    assert results["database"] == "error:ConnectionError"
    assert results["migrations"] == "skipped"


def test_metrics_only_for_a_direct_scraper_from_the_allowed_networks(client, settings):
    client.get("/healthz")
    response = client.get("/metrics")
    assert response.status_code == 200
    text = response.content.decode()
    for name in (
        "backa_http_request_duration_seconds",
        "backa_access_log_write_failures_total",
        "backa_access_denied_total",
        "backa_import_runs",
        "backa_log_review_backlog",
        "backa_access_log_seal_age_seconds",
        "backa_outbox_messages",
    ):
        assert name in text
    assert client.get("/metrics", HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 404
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.9").status_code == 404
    settings.METRICS_TOKEN = "scrape-token-for-the-test"
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer scrape-token-for-the-test").status_code == 200


def test_a_clients_request_id_is_ignored_unless_the_proxy_header_is_configured(client, settings):
    chosen = "6d1f5f0e-1f7a-4a8b-9a53-3f1a2b7c9d10"
    settings.REQUEST_ID_HEADER = ""
    assert client.get("/healthz", HTTP_X_REQUEST_ID=chosen)["X-Request-ID"] != chosen
    settings.REQUEST_ID_HEADER = "X-Request-ID"
    assert client.get("/healthz", HTTP_X_REQUEST_ID=chosen)["X-Request-ID"] == chosen
    nginx_style = uuid.UUID(chosen).hex  # nginx's $request_id: 32 hex digits
    assert client.get("/healthz", HTTP_X_REQUEST_ID=nginx_style)["X-Request-ID"] == chosen
    assert uuid.UUID(client.get("/healthz", HTTP_X_REQUEST_ID="not-an-id")["X-Request-ID"])


def test_each_request_is_one_json_line_with_ids_route_status_and_duration(client, caplog):
    with caplog.at_level(logging.INFO, logger="backa.request"):
        response = client.get("/readyz")
    record = next(r for r in caplog.records if r.name == "backa.request")
    line = json.loads(JsonFormatter().format(record))
    assert line["request_id"] == response["X-Request-ID"]
    assert line["route"] == "readyz" and line["status"] == 200 and line["method"] == "GET"
    assert isinstance(line["duration_ms"], float)
    assert "user_id" not in line  # anonymous


def test_the_json_formatter_keeps_only_whitelisted_fields():
    record = logging.LogRecord("backa.x", logging.INFO, __file__, 1, "event %s", ("ok",), None)
    record.note_text = "Sigrid"  # a stray extra never reaches the shipped line
    record.user_id = "42"
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "event ok" and line["user_id"] == "42"
    assert "note_text" not in line and "Sigrid" not in json.dumps(line)


def test_readyz_reports_the_nightly_restore_drill_when_asked_to(client, settings):
    from backa.operations.models import RestoreDrillRun

    settings.RESTORE_DRILL_MAX_AGE_HOURS = 26
    assert client.get("/readyz").json()["checks"]["restore_drill"] == "restore_drill_never_run"
    RestoreDrillRun.objects.create(started_at=timezone.now() - timedelta(hours=30), ok=True, rto_seconds=9.0)
    assert client.get("/readyz").json()["checks"]["restore_drill"] == "restore_drill_overdue"
    RestoreDrillRun.objects.create(ok=False, failure="verify: CommandError")
    response = client.get("/readyz")
    assert response.status_code == 503 and response.json()["checks"]["restore_drill"] == "restore_drill_failed"
    RestoreDrillRun.objects.create(started_at=timezone.now() + timedelta(seconds=1), ok=True, rto_seconds=8.0)
    assert client.get("/readyz").status_code == 200


def test_a_database_that_cannot_be_reached_answers_503_with_retry_after(client, monkeypatch):
    from django.db import OperationalError

    def down():
        raise OperationalError("connection refused")

    monkeypatch.setitem(health.CHECKS, "database", down)
    monkeypatch.setattr(health, "run_checks", lambda: down())
    client.raise_request_exception = False
    response = client.get("/readyz")
    assert response.status_code == 503 and response["Retry-After"] == "5"
    assert "Tjänsten" in response.content.decode()


def test_any_other_error_stays_a_500(client, monkeypatch):
    def broken():
        raise RuntimeError("bug")

    monkeypatch.setattr(health, "run_checks", broken)
    client.raise_request_exception = False
    assert client.get("/readyz").status_code == 500


def test_the_request_line_names_the_logged_in_user_by_id(world, client_for, caplog):
    client = client_for("rasmus")
    with caplog.at_level(logging.INFO, logger="backa.request"):
        client.get("/")
    record = [r for r in caplog.records if r.name == "backa.request"][-1]
    assert record.user_id == str(world.rasmus.pk)


def test_readyz_is_503_when_the_outbox_does_not_drain(client, world):
    from django.db import transaction

    from backa.outbox.models import Message
    from backa.outbox.services import enqueue_email

    assert client.get("/readyz").json()["checks"]["outbox"] == "ok"
    with transaction.atomic():
        (message,) = enqueue_email(recipient_ids=[world.rasmus.pk], kind=OUTBOX_KIND)
    assert client.get("/readyz").json()["checks"]["outbox"] == "ok"  # due now: a worker has 15 minutes
    Message.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now() - timedelta(minutes=20))
    response = client.get("/readyz")
    assert response.status_code == 503 and response.json()["checks"]["outbox"] == "outbox_stuck"
