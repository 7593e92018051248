"""STARTTLS to the relay with the certificate verified: sent when the relay's certificate is
signed by the configured CA; refused (and retried later, recorded) when it is not."""

import ssl

import pytest

from backa.outbox import worker
from backa.outbox.models import Message
from backa.outbox.tests.helpers import give_addresses, register_concern
from backa.outbox.tests.smtp_peer import SMTPPeer, make_certificates

pytestmark = pytest.mark.django_db


@pytest.fixture
def tls_peer(tmp_path, settings):
    ca, cert, key = make_certificates(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    with SMTPPeer(tls_context=context, require_starttls=True) as peer:
        settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", peer.port, True
        yield peer, ca


def test_it_sends_over_starttls_to_a_relay_it_trusts(world, tls_peer, settings):
    peer, ca = tls_peer
    settings.EMAIL_SSL_CAFILE = str(ca)
    give_addresses(world)
    register_concern(world)
    worker.run_once()
    assert Message.objects.get().state == Message.State.SENT
    assert len(peer.recorder.messages) == 1


def test_an_untrusted_certificate_sends_nothing_and_is_retried(world, tls_peer, settings):
    peer, _ca = tls_peer
    settings.EMAIL_SSL_CAFILE = ""
    give_addresses(world)
    register_concern(world)
    worker.run_once()
    row = Message.objects.get()
    assert (row.state, row.last_error) == (Message.State.PENDING, "SSLCertVerificationError")
    assert peer.recorder.messages == []


def test_without_starttls_a_relay_that_requires_it_refuses_and_nothing_is_sent(world, tls_peer, settings):
    peer, _ca = tls_peer
    settings.EMAIL_USE_TLS = False
    give_addresses(world)
    register_concern(world)
    worker.run_once()
    row = Message.objects.get()
    assert row.state == Message.State.PENDING and row.smtp_code == 530
    assert peer.recorder.messages == []
