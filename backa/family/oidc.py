"""The family's login: Swedish e-ID (BankID, Freja) through the municipality's e-ID broker,
OpenID Connect at LoA3, as its own client (CITIZEN_OIDC_* settings), apart from the staff IdP.

mozilla-django-oidc runs the flow (state, nonce, PKCE S256) with the citizen settings; the
person is matched by the keyed hash of the personnummer against guardians *with custody* of a
child in the platform, else against the children themselves; nobody else gets in, and no
Django user is logged in: the session holds the family person (access.family.SESSION_KEY).
"""

import logging

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings
from mozilla_django_oidc.views import OIDCAuthenticationRequestView

from backa.access.family import NotAFamilyPerson, match_family_person
from backa.accounts.oidc import ACCEPTED_ACR, CLAIM_COORDINATION, CLAIM_PNR, LOA3
from backa.lib import identity

logger = logging.getLogger("backa.family.oidc")

# Settings the library reads, answered from the citizen client's own settings.
_CITIZEN = {
    name: "CITIZEN_" + name
    for name in (
        "OIDC_OP_AUTHORIZATION_ENDPOINT",
        "OIDC_OP_TOKEN_ENDPOINT",
        "OIDC_OP_USER_ENDPOINT",
        "OIDC_OP_JWKS_ENDPOINT",
        "OIDC_RP_CLIENT_ID",
        "OIDC_RP_CLIENT_SECRET",
        "OIDC_RP_SIGN_ALGO",
        "OIDC_RP_SCOPES",
    )
}
_CITIZEN["OIDC_AUTHENTICATION_CALLBACK_URL"] = "FAMILY_OIDC_CALLBACK_URL"


def citizen_setting(attr, *args):
    if attr == "OIDC_AUTHENTICATION_CALLBACK_URL":
        return "family:callback"
    return import_from_settings(_CITIZEN.get(attr, attr), *args)


def citizen_login_enabled() -> bool:
    return bool(getattr(settings, "CITIZEN_OIDC_RP_CLIENT_ID", ""))


class Refused(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class CitizenBackend(OIDCAuthenticationBackend):
    """Not an authentication backend of Django's (never in AUTHENTICATION_BACKENDS): the
    family's callback calls it directly, and it answers with a FamilyPerson, never a User."""

    @staticmethod
    def get_settings(attr, *args):
        return citizen_setting(attr, *args)

    def verify_token(self, token, **kwargs):
        payload = super().verify_token(token, **kwargs)
        issuer = getattr(settings, "CITIZEN_OIDC_OP_ISSUER", "")
        if issuer and payload.get("iss") != issuer:
            raise SuspiciousOperation("ID token issuer mismatch")
        audience = payload.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if self.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("ID token audience mismatch")
        return payload

    def get_or_create_user(self, access_token, id_token, payload):
        if payload.get("acr") not in ACCEPTED_ACR:
            raise Refused("acr")
        claims = dict(self.get_userinfo(access_token, id_token, payload))
        claims.update({k: v for k, v in payload.items() if k.startswith("https://id.oidc.se/")})
        number = claims.get(CLAIM_PNR) or claims.get(CLAIM_COORDINATION)
        if not number:
            raise Refused("unknown")
        try:
            digest = identity.lookup_hash(identity.parse(str(number)))
        except identity.InvalidIdentityNumber:
            raise Refused("unknown") from None
        try:
            return match_family_person(digest)
        except NotAFamilyPerson:
            raise Refused("unknown") from None


class FamilyLoginView(OIDCAuthenticationRequestView):
    """Starts the family's e-ID login at the broker: state, nonce, PKCE, acr_values=LoA3."""

    @staticmethod
    def get_settings(attr, *args):
        return citizen_setting(attr, *args)

    def get_extra_params(self, request):
        params = dict(super().get_extra_params(request))
        params.setdefault("acr_values", LOA3)
        return params
