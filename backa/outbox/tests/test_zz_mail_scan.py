"""Quality bar: every e-mail the test run sent (each one reached a test SMTP server, which
kept a copy under LOG_DIR/mail) carries no personnummer, no name of a child, guardian or
professional and no note text — in any header but the recipient's own address, in the body
and in the attachments, decoded. (Moved to the end of the run by this folder's conftest.)"""

import email
import re
from email import policy

import pytest
from django.conf import settings

from backa.consent.tests.helpers import NOTE_MARKER
from backa.consent.tests.test_zz_log_scan import NAMES, PNR

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
STAMP = re.compile(r"\d{8}T\d{6}Z?|\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2})?|\d{1,2} \w{3} \d{4} \d{2}:\d{2}:\d{2}")


def texts(message):
    for header, value in message.items():
        if header.lower() not in ("to", "received", "x-peer", "x-mailfrom", "x-rcptto"):
            yield f"{header}: {value}"
    for part in message.walk():
        if part.is_multipart():
            continue
        payload = part.get_payload(decode=True) or b""
        yield payload.decode(part.get_content_charset() or "utf-8", errors="replace")


def scan(paths):
    offenders = []
    for path in paths:
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        for text in texts(message):
            stripped = STAMP.sub("", UUID.sub("", text))
            found = PNR.findall(stripped) + [n for n in NAMES + [NOTE_MARKER, "Nilsson"] if n in text]
            if found:
                offenders.append(f"{path.name}: {found}")
    return offenders


def test_every_email_sent_in_the_run_is_free_of_personal_data():
    paths = sorted((settings.LOG_DIR / "mail").glob("*.eml"))
    assert paths, "no e-mail was captured: run this with the outbox tests"
    assert scan(paths) == []


@pytest.mark.django_db
def test_the_mail_scan_would_notice_a_leak(tmp_path):
    leak = tmp_path / "leak.eml"
    leak.write_bytes(
        b"From: a@example.test\r\nTo: b@example.test\r\nSubject: x\r\n\r\nOro for Sigrid 20151231-9806\r\n"
    )
    assert len(scan([leak])) == 1
