import pytest

from backa.outbox.tests.smtp_peer import SMTPPeer

LAST = "test_every_email_sent_in_the_run_is_free_of_personal_data"


def pytest_collection_modifyitems(session, config, items):
    """The e-mail scan must see every message the run sent, so it runs last."""
    last = [item for item in items if item.name == LAST]
    items[:] = [item for item in items if item.name != LAST] + last


@pytest.fixture
def smtp(settings):
    """A real SMTP server on loopback; the outbox worker in this process sends to it."""
    with SMTPPeer() as peer:
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", peer.port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = ""
        yield peer
