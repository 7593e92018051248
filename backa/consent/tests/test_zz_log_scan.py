"""§1.4 C.25: the application's own logs, over the whole test run, hold no personnummer,
no name of a child, guardian or professional, and no note text. (Moved to the end of the
run by this folder's conftest.)"""

import re

import pytest
from django.conf import settings

from backa.consent.tests.helpers import NOTE_MARKER
from backa.testing import PASSWORD

PNR = re.compile(r"(?<!\d)(?:19|20)?\d{6}[-+]?\d{4}(?!\d)")
NAMES = [
    "Sigrid",
    "Nilsson",
    "Ivar",
    "Andersson",
    "Hedda",
    "Hemlig",
    "Nils Ingen",
    "Anna Nilsson",
    "Britta Berg",
    "Rasmus",
    "Rektorsson",
    "Per Polis",
    "Olle",
    "Frida",
    "Barn0 Prop",
]


def test_the_application_logs_hold_no_personal_data():
    # LOG_DIR/mail holds the e-mail the test SMTP servers received: scanned decoded by
    # outbox/tests/test_zz_mail_scan.py.
    mail = settings.LOG_DIR / "mail"
    files = [p for p in settings.LOG_DIR.rglob("*") if p.is_file() and mail not in p.parents]
    assert files, f"no application log under {settings.LOG_DIR}"
    offenders = []
    for path in files:
        for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            # Timestamps and UUIDs are digits too; strip them before looking for numbers.
            stripped = re.sub(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "", line)
            stripped = re.sub(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}[,.]?\d*", "", stripped)
            found = [m for m in PNR.findall(stripped)] + [n for n in NAMES + [NOTE_MARKER, PASSWORD] if n in line]
            if found:
                offenders.append(f"{path.name}:{number}: {found}")
    assert offenders == [], "\n".join(offenders[:20])


@pytest.mark.django_db
def test_the_scan_would_notice_a_leak(tmp_path, settings):
    settings.LOG_DIR = tmp_path
    (tmp_path / "app.log").write_text("2026-01-01 10:00:00,1 INFO x child 20151231-9806 Sigrid\n")
    with pytest.raises(AssertionError):
        test_the_application_logs_hold_no_personal_data()
