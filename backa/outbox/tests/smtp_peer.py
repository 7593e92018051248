"""A real SMTP server on loopback (aiosmtpd) for the tests: it counts what it accepts, can
refuse or delay recipients, can run a hook when a message's DATA has arrived (the kill test),
and keeps a copy of every accepted message under LOG_DIR/mail for the e-mail scan
(test_zz_mail_scan.py)."""

from __future__ import annotations

import email
import socket
import uuid
from collections import Counter
from email import policy

from aiosmtpd.controller import Controller
from django.conf import settings


def capture_dir():
    path = settings.LOG_DIR / "mail"
    path.mkdir(parents=True, exist_ok=True)
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Recorder:
    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.refuse: set[str] = set()  # 550 at RCPT
        self.defer: set[str] = set()  # 451 at RCPT
        self.on_rcpt = None  # callable(address) before answering RCPT
        self.on_data = None  # callable(message) after DATA arrived, before answering 250

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.on_rcpt:
            self.on_rcpt(address)
        if address in self.refuse:
            return "550 5.1.1 No such mailbox"
        if address in self.defer:
            return "451 4.3.0 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        message = email.message_from_bytes(raw, policy=policy.default)
        self.messages.append(message)
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        (capture_dir() / f"{uuid.uuid4()}.eml").write_bytes(raw)
        if self.on_data:
            self.on_data(message)
        return "250 2.0.0 Accepted"

    def count_by_message_id(self) -> Counter:
        return Counter(m["Message-ID"] for m in self.messages)


class SMTPPeer:
    def __init__(self, **smtp_parameters):
        """smtp_parameters go to aiosmtpd's SMTP (e.g. tls_context, require_starttls)."""
        self.recorder = Recorder()
        self.port = free_port()
        self.controller = Controller(self.recorder, hostname="127.0.0.1", port=self.port, **smtp_parameters)

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()


def make_certificates(directory):
    """A throwaway CA and a server certificate for 127.0.0.1 signed by it: (ca.pem, cert, key)."""
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.UTC)

    def build(subject, issuer, key, signer, *, ca, san=None):
        builder = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
            .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer)]))
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        )
        if san:
            builder = builder.add_extension(x509.SubjectAlternativeName(san), critical=False)
        return builder.sign(signer, hashes.SHA256())

    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca = build("Test CA", "Test CA", ca_key, ca_key, ca=True)
    cert = build("127.0.0.1", "Test CA", key, ca_key, ca=False, san=[x509.IPAddress(ipaddress.ip_address("127.0.0.1"))])
    paths = (directory / "ca.pem", directory / "cert.pem", directory / "key.pem")
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return paths
