"""A real SAML 2.0 identity provider for the federation-login tests, on loopback.

pysaml2's own IdP (saml2.server.Server, Apache-2.0) behind a small WSGI app served by wsgiref
in a thread: it parses and checks our signed AuthnRequest (HTTP-Redirect), shows a login form
where the test chooses an account, and answers with a Response whose assertion is signed by
xmlsec1 (HTTP-POST binding), exactly as a federation IdP does. The IdP's metadata is wrapped in
an EntitiesDescriptor signed by a "federation operator" key, as Sambi and Skolfederation
publish theirs. Every key and certificate is made here, at test time, in a temporary
directory; none is committed. Numbers are Skatteverket test numbers made by backa.synthetic.

xmlsec1 is a Debian package (`./run test` installs it); without it the tests fail, never skip.
"""

import html
import re
import secrets
import shutil
import threading
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

LOA = "http://id.elegnamnden.se/loa/1.0/"
PNR = "urn:oid:1.2.752.29.4.13"
HSA_ID = "urn:oid:1.2.752.29.6.2.1"
ORG_AFFILIATION = "urn:oid:1.2.752.201.3.1"
EPPN = "urn:oid:1.3.6.1.4.1.5923.1.1.1.6"
XMLSEC = "/usr/bin/xmlsec1"


def xmlsec1() -> str:
    binary = shutil.which("xmlsec1") or (XMLSEC if Path(XMLSEC).exists() else None)
    if binary is None:
        pytest.fail(
            "xmlsec1 is required for the SAML login tests (it signs and verifies the XML); "
            "install Debian's xmlsec1 package (`./run test` does)."
        )
    return binary


def make_key_and_cert(directory: Path, name: str) -> tuple[str, str]:
    """A fresh RSA key and self-signed certificate, written as PEM files; returns their paths.

    Valid from 2000 to 2099: pysaml2 checks validity against the test's frozen clock and
    OpenSSL against the real one, and both must agree whatever day the suite runs on.
    """
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"backa test {name}")])
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(datetime(2000, 1, 1, tzinfo=UTC))
        .not_valid_after(datetime(2099, 1, 1, tzinfo=UTC))
        .sign(key, hashes.SHA256())
    )
    key_path, cert_path = directory / f"{name}.key", directory / f"{name}.crt"
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    key_path.chmod(0o600)
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return str(key_path), str(cert_path)


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the stdlib's name
        pass


class SamlIdP:
    """The running IdP. `accounts`: name -> {"loa": URI, "attributes": {urn: value}, "sign": bool}."""

    def __init__(self, directory: Path, sp_metadata: str, accounts: dict):
        self.directory = directory
        self.accounts = accounts
        self.pending: dict[str, object] = {}
        self.seen_force_authn: list[bool] = []
        self.httpd = make_server("127.0.0.1", 0, self.app, handler_class=_QuietHandler)
        self.base = f"http://127.0.0.1:{self.httpd.server_port}"
        self.entity_id = self.base + "/idp"
        self.key_file, self.cert_file = make_key_and_cert(directory, "idp")
        self.server = self._server(sp_metadata)

    def _config(self, sp_metadata: str | None) -> dict:
        from saml2 import BINDING_HTTP_REDIRECT
        from saml2.saml import NAME_FORMAT_URI, NAMEID_FORMAT_TRANSIENT

        return {
            "entityid": self.entity_id,
            "xmlsec_binary": xmlsec1(),
            "key_file": self.key_file,
            "cert_file": self.cert_file,
            "signing_algorithm": "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
            "digest_algorithm": "http://www.w3.org/2001/04/xmlenc#sha256",
            "service": {
                "idp": {
                    "name": "Backa test IdP",
                    "endpoints": {"single_sign_on_service": [(self.base + "/sso/redirect", BINDING_HTTP_REDIRECT)]},
                    "name_id_format": [NAMEID_FORMAT_TRANSIENT],
                    "want_authn_requests_signed": True,
                    "policy": {
                        "default": {
                            "lifetime": {"minutes": 5},
                            "attribute_restrictions": None,
                            "name_form": NAME_FORMAT_URI,
                        }
                    },
                }
            },
            "metadata": {"inline": [sp_metadata]} if sp_metadata else {},
        }

    def _server(self, sp_metadata: str):
        from saml2.config import IdPConfig
        from saml2.server import Server

        config = IdPConfig()
        config.load(self._config(sp_metadata))
        return Server(config=config)

    def signed_federation_metadata(
        self, path: Path, *, tamper: bool = False, unsigned: bool = False, others: tuple = ()
    ) -> tuple[str, str]:
        """Write this IdP's metadata as a federation aggregate signed by a federation key.

        Returns (metadata path, the federation's signing certificate path)."""
        from saml2.config import Config
        from saml2.metadata import entities_descriptor, entity_descriptor
        from saml2.sigver import security_context

        descriptors = [entity_descriptor(idp.server.config) for idp in (self, *others)]
        fed_key, fed_cert = make_key_and_cert(self.directory, "federation")
        fed = Config()
        fed.load(
            {
                "entityid": "https://federation.test/",
                "key_file": fed_key,
                "cert_file": fed_cert,
                "xmlsec_binary": xmlsec1(),
            }
        )
        entities, signed = entities_descriptor(
            descriptors, 24, "backa-test-federation", None, not unsigned, security_context(fed)
        )
        text = str(entities) if unsigned else signed
        if tamper:  # an attacker slips in another SSO endpoint after signing
            text = text.replace(self.base + "/sso/redirect", "http://127.0.0.1:9/evil")
        path.write_text(text, encoding="utf-8")
        return str(path), fed_cert

    def answer(self, login, *, in_response_to, destination, sp_entity_id, relay_state="", name_id_policy=None) -> str:
        """The signed Response for `login`, as the HTTP-POST binding's auto-submitting page."""
        from saml2 import BINDING_HTTP_POST

        account = self.accounts[login]
        response = self.server.create_authn_response(
            identity=account["attributes"],
            in_response_to=in_response_to,
            destination=destination,
            sp_entity_id=sp_entity_id,
            name_id_policy=name_id_policy,
            userid=login,
            authn={"class_ref": account["loa"], "authn_auth": self.entity_id},
            sign_assertion=account.get("sign", True),
            sign_response=False,
        )
        return self.server.apply_binding(BINDING_HTTP_POST, str(response), destination, relay_state, response=True)[
            "data"
        ]

    # -- the WSGI app --------------------------------------------------------------------------

    def app(self, environ, start_response):
        from saml2 import BINDING_HTTP_REDIRECT

        path = environ["PATH_INFO"]
        if path == "/sso/redirect" and environ["REQUEST_METHOD"] == "GET":
            query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
            try:
                request = self.server.parse_authn_request(
                    query["SAMLRequest"],
                    BINDING_HTTP_REDIRECT,
                    relay_state=query.get("RelayState"),
                    sigalg=query.get("SigAlg"),
                    signature=query.get("Signature"),
                )
            except Exception as error:  # the IdP refuses a bad request as a real one does
                start_response("400 Bad Request", [("Content-Type", "text/plain")])
                return [f"bad AuthnRequest: {error.__class__.__name__}".encode()]
            key = secrets.token_urlsafe(16)
            self.pending[key] = (request, query.get("RelayState", ""))
            self.seen_force_authn.append(str(request.message.force_authn).lower() == "true")
            page = (
                f'<form method="post" action="/login"><input type="hidden" name="key" value="{key}">'
                '<input name="login"><button>Log in</button></form>'
            )
            start_response("200 OK", [("Content-Type", "text/html")])
            return [page.encode()]
        if path == "/login" and environ["REQUEST_METHOD"] == "POST":
            size = int(environ.get("CONTENT_LENGTH") or 0)
            form = {k: v[0] for k, v in parse_qs(environ["wsgi.input"].read(size).decode()).items()}
            request, relay_state = self.pending.pop(form["key"])
            message = request.message
            page = self.answer(
                form["login"],
                in_response_to=message.id,
                destination=message.assertion_consumer_service_url,
                sp_entity_id=message.issuer.text,
                relay_state=relay_state,
                name_id_policy=message.name_id_policy,
            )
            start_response("200 OK", [("Content-Type", "text/html")])
            return [page.encode()]
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found"]


@contextmanager
def running_idp(directory: Path, sp_metadata: str, accounts: dict):
    directory.mkdir(parents=True, exist_ok=True)
    idp = SamlIdP(directory, sp_metadata, accounts)
    thread = threading.Thread(target=idp.httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield idp
    finally:
        idp.httpd.shutdown()
        idp.httpd.server_close()
        thread.join(10)


def posted_form(page: str) -> tuple[str, dict]:
    """The auto-submitting form of the HTTP-POST binding: (action, fields)."""
    action = html.unescape(re.search(r'action="([^"]+)"', page).group(1))
    fields = {
        html.unescape(name): html.unescape(value)
        for name, value in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page)
    }
    return action, fields
