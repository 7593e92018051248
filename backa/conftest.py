import os
import re
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.test import Client

from backa.testing import build_world, force_verified_login

# -- the clock ----------------------------------------------------------------------------------
# Every test runs on a frozen, ticking clock (time_machine.travel(..., tick=True)): Python's
# date.today(), datetime.now(), timezone.now()/localdate() and time.time() start at TEST_INSTANT and
# run on from there, in every thread (the live_server too). The default is Monday 2026-11-23 at
# 10:00 in Stockholm: a school day in the autumn term (no holiday, not a weekend, not near midnight
# or a month or year end), the day the hand-built evaluation dataset was written for.
# BACKA_TEST_TODAY=YYYY-MM-DD runs the suite on another day, same time of day: tests that read
# the date must pass on any day (.ci/clock-ahead runs the `clock` tests a year ahead).
#
# Not frozen: tests marked `drill` (they compare with PostgreSQL's own clock), PostgreSQL's now()
# (nothing in the test path reads it), the browser's JavaScript clock and the Node OpenID Provider.
# Module-level constants (TODAY = timezone.localdate() in some test modules) are computed at
# import, so collection runs on the same clock (pytest_collection below).
DEFAULT_TEST_TODAY = date(2026, 11, 23)
TEST_TIME_OF_DAY = time(10, 0)


def test_today() -> date:
    raw = os.environ.get("BACKA_TEST_TODAY", "").strip()
    return date.fromisoformat(raw) if raw else DEFAULT_TEST_TODAY


def test_instant(day: date | None = None) -> datetime:
    """The frozen clock's start on `day` (default: today for the tests), 10:00 in Stockholm."""
    return datetime.combine(day or test_today(), TEST_TIME_OF_DAY, tzinfo=ZoneInfo(settings.TIME_ZONE))


test_today.__test__ = test_instant.__test__ = False  # helpers, not tests


@pytest.hookimpl(wrapper=True)
def pytest_collection(session):
    with time_machine.travel(test_instant(), tick=True):
        return (yield)


# Test modules that read the clock: their tests get the `clock` marker (pytest.ini).
READS_CLOCK = re.compile(
    r"date\.today\(|localdate\(|timezone\.now\(|datetime\.now\(|time\.time\(|\bTODAY\b"
    r"|time_machine|default_period\("
)
_reads_clock: dict[Path, bool] = {}


def _module_reads_clock(path: Path) -> bool:
    if path not in _reads_clock:
        try:
            _reads_clock[path] = bool(READS_CLOCK.search(path.read_text(encoding="utf-8")))
        except OSError:
            _reads_clock[path] = False
    return _reads_clock[path]


def pytest_collection_modifyitems(config, items):
    for item in items:
        if _module_reads_clock(Path(item.path)):
            item.add_marker(pytest.mark.clock)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The access log's monthly partitions around the day the suite runs on, as the daily
    ensure_log_partitions job keeps them in production (the migration makes its window around
    the real date, which is not the frozen one: /readyz checks next month's partition)."""
    from backa.audit.partitions import ensure_partitions

    day = test_today()
    with django_db_blocker.unblock():
        ensure_partitions(day - timedelta(days=400), day + timedelta(days=100))


@pytest.fixture(autouse=True)
def frozen_clock(request):
    """The clock every test runs on (see above); None for drills, which keep the real clock."""
    if request.node.get_closest_marker("drill"):
        yield None
        return
    with time_machine.travel(test_instant(), tick=True) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def default_language():
    """Every test starts in Swedish, the product's language. A request activates its language
    for the thread (LanguageMiddleware), so without this an English request in one test
    would leave English on for whichever test runs next in the same process."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture
def client_for(world):
    """client_for('britta') -> a logged-in test client acting as that persona.

    language="en" chooses English the way a user does (the language cookie); the browser's
    Accept-Language is ignored by design.
    """

    def make(username, language=None, **kwargs):
        client = Client(**kwargs)
        force_verified_login(client, world.users[username])
        if language:
            client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        return client

    return make


@pytest.fixture
def smtp(settings):
    """A real SMTP server on loopback (aiosmtpd, backa/outbox/tests/smtp_peer.py); the outbox
    worker in this process sends to it."""
    from backa.outbox.tests.smtp_peer import SMTPPeer

    with SMTPPeer() as peer:
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", peer.port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = ""
        yield peer
