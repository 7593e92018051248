"""Staff login through a SAML 2.0 federation (Sambi, Skolfederation, SITHS through Inera's IdP).

Beside OpenID Connect (accounts/oidc.py); decision docs/decisions/0019-saml-and-system-api.md.
pysaml2 (Apache-2.0) builds the request and checks the answer's XML signature with xmlsec1;
this module adds what the Swedish setting needs:

- the IdP's metadata is read from a file (the federation's aggregate) and used only when its
  XML signature verifies against the federation's metadata-signing certificate: an unsigned
  or altered file is refused (pysaml2 alone accepts an unsigned file);
- the AuthnRequest is signed, asks for LoA3 or better (RequestedAuthnContext, minimum) and,
  for step-up before emergency access, a fresh authentication (ForceAuthn);
- the answer must carry a signed assertion, be addressed to us, within its validity window and
  answer a request this browser started (InResponseTo); the AuthnContextClassRef must be LoA3
  or better (the assertion decides, not the request); each assertion logs in once (replay);
- the person is matched with the same rules as OIDC (accounts/staff_matching.py) on the
  Swedish attributes (personalIdentityNumber, HSA-id, orgAffiliation, eduPersonPrincipalName).

Every refusal is a security event with reason `saml:<code>` and a plain message on the login
page; successes log the user id and the assurance level, never a number or an attribute value.
"""

import base64
import logging
import time
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path

from defusedxml import ElementTree
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.core import signing
from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from backa.accounts.middleware import AUTH_LEVEL_KEY
from backa.accounts.oidc import ACCEPTED_ACR, FAILURE_MESSAGES, LOA3
from backa.accounts.staff_matching import StaffIdentifiers, match_professional

logger = logging.getLogger("backa.accounts.saml")

BACKEND = "backa.accounts.saml.SwedishSAMLBackend"
# Attribute names (urn:oid) of the Swedish federations: Sweden Connect's attribute
# specification (personalIdentityNumber, orgAffiliation), Inera/SITHS (HSA-id), eduPerson.
ATTR_PNR = "urn:oid:1.2.752.29.4.13"
ATTR_HSA_ID = "urn:oid:1.2.752.29.6.2.1"
ATTR_ORG_AFFILIATION = "urn:oid:1.2.752.201.3.1"
ATTR_EPPN = "urn:oid:1.3.6.1.4.1.5923.1.1.1.6"
XMLDSIG = "http://www.w3.org/2000/09/xmldsig#"
COOKIE = "backa_saml_requests"
REQUEST_TTL = 600  # seconds a started login may take at the IdP
STEP_UP_MAX_AGE = 300  # seconds: a step-up authentication must be this fresh
FRESH_EID_KEY = "eid_authenticated_at"  # session: when the IdP last authenticated the person
PROTOCOL_KEY = "eid_protocol"  # session: "saml" after a SAML login (step-up by ForceAuthn possible)

SAML_MESSAGES = {
    "signature": _(
        "The answer from the identity provider was not correctly signed and was refused. "
        "Start the login again; contact support if it keeps happening."
    ),
    "expired": _("The answer from the identity provider had expired. Start the login again."),
    "replay": _("This answer from the identity provider has already been used. Start the login again."),
    "metadata": _("Login through the federation is not available right now (its metadata could not be verified)."),
    "step_up": _("A fresh login with e-legitimation is required for this. Start the login again."),
    "issuer": _(
        "The answer came from another identity provider than the one the login went to. Start the login again."
    ),
}


class MetadataRejected(Exception):
    """The federation metadata file is missing, unsigned or its signature does not verify."""


def saml_enabled() -> bool:
    return bool(getattr(settings, "SAML_IDP_METADATA_FILE", ""))


def _message(reason: str):
    return SAML_MESSAGES.get(reason) or FAILURE_MESSAGES.get(reason) or FAILURE_MESSAGES["error"]


def refuse(request, reason: str):
    """A refused SAML login: reason code in the security events and on the login page."""
    from backa.accounts import events
    from backa.accounts.models import SecurityEventKind

    logger.warning("SAML login refused reason=%s", reason)
    events.record(SecurityEventKind.LOGIN_REFUSED, request=request, reason=f"saml:{reason}"[:40])
    messages.error(request, _message(reason))
    return redirect(settings.LOGIN_URL)


def steps_up_with_saml(request) -> bool:
    """Whether this session re-proves its identity by a fresh SAML login instead of a password."""
    return saml_enabled() and request.session.get(PROTOCOL_KEY) == "saml"


def freshly_authenticated(request) -> bool:
    """The IdP authenticated this person afresh (step-up, ForceAuthn) in the last few minutes."""
    at = request.session.get(FRESH_EID_KEY)
    return steps_up_with_saml(request) and at is not None and 0 <= time.time() - float(at) <= STEP_UP_MAX_AGE


def step_up_url(next_url: str) -> str:
    from urllib.parse import urlencode

    return reverse("accounts:saml_login") + "?" + urlencode({"step_up": "1", "next": next_url})


# -- configuration ------------------------------------------------------------------------------


def _xmlsec_binary() -> str:
    return getattr(settings, "SAML_XMLSEC_BINARY", "") or "/usr/bin/xmlsec1"


def verified_metadata(path: str, signing_cert: str) -> str:
    """The federation metadata's text, only if its enveloped XML signature verifies."""
    from saml2.sigver import CryptoBackendXmlSec1, SignatureError, XmlsecError

    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise MetadataRejected(f"metadata file unreadable: {error.__class__.__name__}") from error
    try:
        root_element = ElementTree.fromstring(text.encode("utf-8"))
    except ElementTree.ParseError as error:
        raise MetadataRejected("metadata is not XML") from error
    if root_element.find(f"{{{XMLDSIG}}}Signature") is None:
        raise MetadataRejected("metadata is not signed")
    if not signing_cert or not Path(signing_cert).is_file():
        raise MetadataRejected("no metadata signing certificate configured")
    root = "urn:oasis:names:tc:SAML:2.0:metadata:" + root_element.tag.rsplit("}", 1)[-1]
    backend = CryptoBackendXmlSec1(_xmlsec_binary())
    try:
        ok = backend.validate_signature(text, signing_cert, "pem", root, None)
    except (SignatureError, XmlsecError) as error:
        raise MetadataRejected("metadata signature does not verify") from error
    if not ok:
        raise MetadataRejected("metadata signature does not verify")
    return text


def _base_url() -> str:
    return (getattr(settings, "SAML_SP_BASE_URL", "") or settings.BACKA_BASE_URL).rstrip("/")


def sp_entity_id() -> str:
    return getattr(settings, "SAML_SP_ENTITY_ID", "") or _base_url() + reverse("accounts:saml_metadata")


def acs_url() -> str:
    return _base_url() + reverse("accounts:saml_acs")


def sp_config_dict(metadata_text: str | None) -> dict:
    from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
    from saml2.saml import NAMEID_FORMAT_TRANSIENT
    from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

    return {
        "entityid": sp_entity_id(),
        "xmlsec_binary": _xmlsec_binary(),
        "key_file": settings.SAML_SP_KEY_FILE,
        "cert_file": settings.SAML_SP_CERT_FILE,
        "encryption_keypairs": [{"key_file": settings.SAML_SP_KEY_FILE, "cert_file": settings.SAML_SP_CERT_FILE}],
        "allow_unknown_attributes": True,
        "accepted_time_diff": 60,
        "signing_algorithm": SIG_RSA_SHA256,
        "digest_algorithm": DIGEST_SHA256,
        "service": {
            "sp": {
                "name": "Backa barnet",
                "endpoints": {"assertion_consumer_service": [(acs_url(), BINDING_HTTP_POST)]},
                "name_id_format": [NAMEID_FORMAT_TRANSIENT],
                "authn_requests_signed": True,
                "want_assertions_signed": True,  # signed assertions required (a signed response alone is not enough)
                "want_response_signed": False,
                "allow_unsolicited": False,
                "requested_attributes": [
                    {"name": ATTR_PNR, "required": False},
                    {"name": ATTR_HSA_ID, "required": False},
                    {"name": ATTR_ORG_AFFILIATION, "required": False},
                    {"name": ATTR_EPPN, "required": False},
                ],
                "idp": {},
            }
        },
        "metadata": {"inline": [metadata_text]} if metadata_text else {},
        "preferred_binding": {"single_sign_on_service": [BINDING_HTTP_REDIRECT, BINDING_HTTP_POST]},
    }


@lru_cache(maxsize=8)
def _config_for(metadata_path: str, mtime: float, signing_cert: str, entity_id: str, acs: str, key: str, cert: str):
    from saml2.config import SPConfig

    config = SPConfig()
    config.load(sp_config_dict(verified_metadata(metadata_path, signing_cert)))
    return config


def client():
    """A pysaml2 client on the verified metadata (verified and parsed again when the file
    changes). A new client per request: pysaml2's client keeps every login's subject in an
    in-memory cache, which must not grow for the life of the process."""
    from saml2.client import Saml2Client

    path = settings.SAML_IDP_METADATA_FILE
    try:
        mtime = Path(path).stat().st_mtime
    except OSError as error:
        raise MetadataRejected("metadata file missing") from error
    return Saml2Client(
        _config_for(
            path,
            mtime,
            getattr(settings, "SAML_METADATA_SIGNING_CERT_FILE", ""),
            sp_entity_id(),
            acs_url(),
            settings.SAML_SP_KEY_FILE,
            settings.SAML_SP_CERT_FILE,
        )
    )


def idp_entity_id(saml_client) -> str:
    configured = getattr(settings, "SAML_IDP_ENTITY_ID", "")
    if configured:
        return configured
    idps = list(saml_client.metadata.identity_providers())
    if len(idps) != 1:
        raise MetadataRejected("the metadata names several IdPs and SAML_IDP_ENTITY_ID chooses none")
    return idps[0]


# -- the started logins, in a signed cookie -----------------------------------------------------
# The IdP answers with a cross-site POST, which a browser sends without the Lax session cookie;
# the requests this browser started travel in their own cookie (signed, HttpOnly, SameSite=None).


def _pending(request) -> dict:
    try:
        value = signing.loads(request.COOKIES.get(COOKIE, ""), salt=COOKIE, max_age=REQUEST_TTL)
    except signing.BadSignature:
        return {}
    now = time.time()
    return {key: item for key, item in value.items() if now - item.get("at", 0) < REQUEST_TTL}


def _store_pending(response, pending: dict):
    response.set_cookie(
        COOKIE,
        signing.dumps(pending, salt=COOKIE),
        max_age=REQUEST_TTL,
        httponly=True,
        secure=settings.SESSION_COOKIE_SECURE,
        samesite="None" if settings.SESSION_COOKIE_SECURE else "Lax",
        path=reverse("accounts:saml_login").rsplit("/", 2)[0] + "/",
    )


# -- views --------------------------------------------------------------------------------------


@require_GET
def metadata(request):
    """Our SP metadata for the federation operator (entity id, ACS, signing certificate)."""
    if not getattr(settings, "SAML_SP_CERT_FILE", ""):
        return HttpResponse(status=404)
    from saml2.config import SPConfig
    from saml2.metadata import entity_descriptor

    config = SPConfig()
    config.load(sp_config_dict(None))
    return HttpResponse(str(entity_descriptor(config)), content_type="application/samlmetadata+xml")


@require_GET
def start(request):
    """Redirect to the IdP with a signed AuthnRequest for LoA3 (and ForceAuthn for step-up)."""
    if not saml_enabled():
        return redirect(settings.LOGIN_URL)
    from saml2 import BINDING_HTTP_REDIRECT
    from saml2.saml import AuthnContextClassRef
    from saml2.samlp import RequestedAuthnContext
    from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

    try:
        saml_client = client()
        idp = idp_entity_id(saml_client)
    except MetadataRejected as error:
        logger.error("SAML metadata refused: %s", error)
        return refuse(request, "metadata")
    step_up = request.GET.get("step_up") == "1"
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, require_https=request.is_secure()):
        next_url = ""
    request_id, info = saml_client.prepare_for_authenticate(
        entityid=idp,
        binding=BINDING_HTTP_REDIRECT,
        sign=True,
        sigalg=SIG_RSA_SHA256,
        digest_alg=DIGEST_SHA256,
        requested_authn_context=RequestedAuthnContext(
            authn_context_class_ref=[AuthnContextClassRef(text=LOA3)], comparison="minimum"
        ),
        force_authn="true" if step_up else None,
    )
    location = dict(info["headers"])["Location"]
    response = redirect(location)
    pending = _pending(request)
    pending[request_id] = {"at": time.time(), "next": next_url, "step_up": step_up, "idp": idp}
    _store_pending(response, dict(list(pending.items())[-5:]))  # a few tabs at most
    return response


def _classify(error: Exception) -> str:
    from saml2.response import IncorrectlySigned, StatusError, UnsolicitedResponse
    from saml2.sigver import MissingKey, SignatureError
    from saml2.validate import ResponseLifetimeExceed, ToEarly

    if isinstance(error, ResponseLifetimeExceed | ToEarly):
        return "expired"
    if isinstance(error, SignatureError | IncorrectlySigned | MissingKey):
        return "signature"
    if isinstance(error, UnsolicitedResponse):
        return "state"
    if isinstance(error, StatusError):
        return "error"
    text = str(error).lower()
    if "signature" in text or "signed" in text:
        return "signature"
    return "error"


def _attributes(response) -> dict[str, str]:
    """The first value of each attribute in the (signed) assertion, by its urn:oid name."""
    values: dict[str, str] = {}
    for statement in response.assertion.attribute_statement:
        for attribute in statement.attribute:
            if attribute.attribute_value and attribute.name not in values:
                values[attribute.name] = (attribute.attribute_value[0].text or "").strip()
    return values


def _authn_context(response) -> tuple[str, datetime | None]:
    for statement in response.assertion.authn_statement:
        context = statement.authn_context
        if context is not None and context.authn_context_class_ref is not None:
            instant = statement.authn_instant
            parsed = datetime.fromisoformat(instant.replace("Z", "+00:00")) if instant else None
            return (context.authn_context_class_ref.text or "").strip(), parsed
    return "", None


def _consume(response) -> bool:
    """Remember the assertion; False when it was used before (a replay)."""
    from backa.accounts.models import ConsumedAssertion

    expires = response.not_on_or_after
    not_on_or_after = (
        datetime.fromtimestamp(expires, tz=UTC) if expires else timezone.now() + timedelta(seconds=REQUEST_TTL)
    )
    issuer = response.assertion.issuer.text if response.assertion.issuer is not None else ""
    ConsumedAssertion.objects.filter(not_on_or_after__lt=timezone.now() - timedelta(hours=1)).delete()
    try:
        with transaction.atomic():
            ConsumedAssertion.objects.create(
                assertion_id=response.assertion.id[:128], issuer=issuer[:255], not_on_or_after=not_on_or_after
            )
    except IntegrityError:
        return False
    return True


@csrf_exempt  # the IdP's POST; bound to this browser by InResponseTo and the signed cookie
@require_POST
def acs(request):
    """The assertion consumer service: check the answer, match the person, log in."""
    if not saml_enabled():
        return redirect(settings.LOGIN_URL)
    from saml2 import BINDING_HTTP_POST

    encoded = request.POST.get("SAMLResponse", "")
    try:
        if not base64.b64decode(encoded, validate=True):
            return refuse(request, "error")
    except ValueError:
        return refuse(request, "error")
    try:
        saml_client = client()
    except MetadataRejected as error:
        logger.error("SAML metadata refused: %s", error)
        return refuse(request, "metadata")
    pending = _pending(request)
    try:
        response = saml_client.parse_authn_request_response(
            encoded, BINDING_HTTP_POST, outstanding={key: item["next"] for key, item in pending.items()}
        )
    except Exception as error:  # every failure refuses; never a half login
        reason = _classify(error)
        logger.info("SAML answer refused (%s: %s)", error.__class__.__name__, reason)
        return refuse(request, reason)
    if response is None or response.assertion is None:
        return refuse(request, "error")
    started = pending.get(response.in_response_to or "", {})
    # An aggregate holds many IdPs, each trusted for its own users only: the answer must come
    # from the IdP this request went to, not from another member of the federation.
    assertion_issuer = response.assertion.issuer.text.strip() if response.assertion.issuer is not None else ""
    if assertion_issuer != started.get("idp") or response.issuer() not in ("", started.get("idp")):
        return refuse(request, "issuer")
    class_ref, authn_instant = _authn_context(response)
    if class_ref not in ACCEPTED_ACR:
        return refuse(request, "acr")
    if started.get("step_up") and (
        authn_instant is None or (timezone.now() - authn_instant).total_seconds() > STEP_UP_MAX_AGE
    ):
        return refuse(request, "step_up")
    if not _consume(response):
        return refuse(request, "replay")
    attrs = _attributes(response)
    user, reason = match_professional(
        StaffIdentifiers(
            number=attrs.get(ATTR_PNR, ""),
            hsa_id=attrs.get(ATTR_HSA_ID, ""),
            employee_id=attrs.get(ATTR_ORG_AFFILIATION, ""),
            eppn=attrs.get(ATTR_EPPN, ""),
        )
    )
    if user is None:
        return refuse(request, reason)
    login(request, user, backend=BACKEND)
    request.session.cycle_key()
    request.session[AUTH_LEVEL_KEY] = "eid"
    request.session[FRESH_EID_KEY] = (authn_instant or timezone.now()).timestamp()
    request.session[PROTOCOL_KEY] = "saml"
    logger.info("SAML login user=%s acr=%s", user.pk, class_ref)
    target = started.get("next") or reverse(settings.LOGIN_REDIRECT_URL)
    return redirect(target)


class SwedishSAMLBackend:
    """Holds the sessions of SAML logins: authenticates nothing itself (the ACS view does) and
    drops a session whose professional has been disabled."""

    def authenticate(self, request, **credentials):
        return None

    def get_user(self, user_id):
        from backa.accounts.models import User

        user = User.objects.filter(pk=user_id).first()
        return user if user is not None and user.is_active else None
