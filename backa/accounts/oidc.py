"""Staff login through the organisation's identity provider (OpenID Connect, e-legitimation).

mozilla-django-oidc runs the authorization-code flow with state, nonce and PKCE (S256).
This module adds what the Swedish setting needs (docs/decisions/0003-oidc-staff-matching.md):

- the request asks for assurance level LoA3 (`acr_values`), and a login whose ID token
  `acr` is missing or below LoA3 is refused;
- the ID token's issuer and audience are checked, not only its signature and nonce;
- the person is matched to a pre-provisioned professional by the Swedish OIDC profile's
  claims (oidc.se): the personal identity number (compared as a keyed hash, never stored
  or logged in clear), else the HSA-id, else orgAffiliation (the employee id). Nobody is
  created on first login; an unknown, ambiguous or disabled person is refused;
- every refusal is logged with a reason code only (no number, no name) and the login page
  tells the person why in plain words.
"""

import logging

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import SuspiciousOperation
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from backa.accounts.middleware import AUTH_LEVEL_KEY
from backa.accounts.staff_matching import StaffIdentifiers, candidates, match_professional

logger = logging.getLogger("backa.accounts.oidc")

LOA = "http://id.elegnamnden.se/loa/1.0/"
LOA3 = LOA + "loa3"
# Sweden Connect's assurance levels at or above LoA3 (eIDAS substantial/high included).
ACCEPTED_ACR = {
    LOA + "loa3",
    LOA + "loa4",
    LOA + "eidas-sub",
    LOA + "eidas-high",
    LOA + "eidas-nf-sub",
    LOA + "eidas-nf-high",
}
CLAIM_PNR = "https://id.oidc.se/claim/personalIdentityNumber"
CLAIM_COORDINATION = "https://id.oidc.se/claim/coordinationNumber"
CLAIM_ORG_AFFILIATION = "https://id.oidc.se/claim/orgAffiliation"

FAILURE_MESSAGES = {
    "acr": _(
        "Your e-legitimation did not give the assurance level required (LoA3). "
        "Log in with an e-legitimation at LoA3, for example your employer's e-tjänstekort or BankID."
    ),
    "unknown": _(
        "You are not registered as a user of Backa barnet. Ask your manager or the district "
        "administrator to give you access."
    ),
    "ambiguous": _("Your identity matches more than one account. Contact the district administrator."),
    "inactive": _("Your account is disabled. Contact the district administrator."),
    "state": _(
        "The login could not be completed (the answer from the identity provider did not belong "
        "to this login). Start the login again."
    ),
    "error": _("The login with e-legitimation failed. Try again, or contact support if it keeps failing."),
}


def oidc_enabled() -> bool:
    return bool(getattr(settings, "OIDC_RP_CLIENT_ID", ""))


def is_e_id_attempt(request, credentials) -> bool:
    """AXES_WHITELIST_CALLABLE: django-axes counts password attempts, not e-ID callbacks.

    An e-ID attempt carries no username, so axes would count every refused e-ID login of an
    office behind one NAT address together and lock e-ID login out for all of them. The IdP
    throttles its own authentication; our refusals are logged with a reason code.
    """
    credentials = credentials or {}
    return "nonce" in credentials and not credentials.get("username")


def _refuse(request, reason: str):
    """Remember why for the callback view; log a reason code only."""
    if request is not None:
        request.backa_oidc_failure = reason
    logger.warning("e-ID login refused reason=%s", reason)
    from backa.accounts import events
    from backa.accounts.models import SecurityEventKind

    events.record(SecurityEventKind.LOGIN_REFUSED, request=request, reason=f"e_id:{reason}"[:40])


class SwedishOIDCBackend(OIDCAuthenticationBackend):
    """Matches pre-provisioned professionals by Swedish claims; never creates users."""

    def __init__(self, *args, **kwargs):
        if oidc_enabled():
            super().__init__(*args, **kwargs)
        self.enabled = oidc_enabled()

    def authenticate(self, request, **kwargs):
        if not self.enabled or request is None or "nonce" not in kwargs:
            return None  # a password login, or e-ID not configured
        return super().authenticate(request, **kwargs)

    def verify_token(self, token, **kwargs):
        payload = super().verify_token(token, **kwargs)  # signature, expiry, nonce
        issuer = getattr(settings, "OIDC_OP_ISSUER", "")
        if issuer and payload.get("iss") != issuer:
            raise SuspiciousOperation("ID token issuer mismatch")
        audience = payload.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if self.OIDC_RP_CLIENT_ID not in audiences or (
            len(audiences) > 1 and payload.get("azp") != self.OIDC_RP_CLIENT_ID
        ):
            raise SuspiciousOperation("ID token audience mismatch")
        return payload

    def get_or_create_user(self, access_token, id_token, payload):
        if payload.get("acr") not in ACCEPTED_ACR:
            _refuse(self.request, "acr")
            return None
        claims = dict(self.get_userinfo(access_token, id_token, payload))
        # Claims in the ID token take precedence (the Swedish profile delivers identity there).
        claims.update({key: value for key, value in payload.items() if key.startswith("https://id.oidc.se/")})
        user, reason = match_professional(self.identifiers(claims))
        if user is None:
            _refuse(self.request, reason)
            return None
        logger.info("e-ID login user=%s acr=%s", user.pk, payload.get("acr"))
        return user

    @staticmethod
    def identifiers(claims) -> StaffIdentifiers:
        """The Swedish OIDC profile's claims as the identifiers of accounts/staff_matching.py."""
        hsa_claim = getattr(settings, "OIDC_CLAIM_HSA_ID", "")
        return StaffIdentifiers(
            number=str(claims.get(CLAIM_PNR) or claims.get(CLAIM_COORDINATION) or ""),
            hsa_id=str(claims.get(hsa_claim) or "") if hsa_claim else "",
            employee_id=str(claims.get(CLAIM_ORG_AFFILIATION) or ""),
        )

    def filter_users_by_claims(self, claims):
        return candidates(self.identifiers(claims))

    def get_user(self, user_id):
        # The library's get_user ignores is_active; a disabled professional must lose the session.
        user = super().get_user(user_id) if self.enabled else self.UserModel.objects.filter(pk=user_id).first()
        return user if user is not None and user.is_active else None


class LoginRequestView(OIDCAuthenticationRequestView):
    """Starts the e-ID login: state, nonce, PKCE, scopes and acr_values=LoA3."""

    def get(self, request):
        if not oidc_enabled():
            return redirect(settings.LOGIN_URL)
        return super().get(request)

    def get_extra_params(self, request):
        params = dict(super().get_extra_params(request))
        params.setdefault("acr_values", LOA3)
        return params


class CallbackView(OIDCAuthenticationCallbackView):
    """The IdP's answer. Any failure lands on the login page with a message saying why."""

    def get(self, request):
        try:
            response = super().get(request)
        except SuspiciousOperation as error:
            # Wrong or replayed state, nonce mismatch, bad signature, wrong issuer/audience.
            reason = "state" if "state" in str(error).lower() or "nonce" in str(error).lower() else "error"
            _refuse(request, reason)
            return self.login_failure()
        except Exception:  # the IdP unreachable or answering nonsense: refuse, never half-login
            logger.exception("e-ID login failed")
            _refuse(request, "error")
            return self.login_failure()
        return response

    def login_success(self):
        response = super().login_success()
        # The library skips login() when the same user is already logged in (e.g. at the TOTP
        # step); the level rises either way, so the session id changes either way.
        self.request.session.cycle_key()
        self.request.session[AUTH_LEVEL_KEY] = "eid"
        return response

    def login_failure(self):
        reason = getattr(self.request, "backa_oidc_failure", "error")
        messages.error(self.request, FAILURE_MESSAGES.get(reason, FAILURE_MESSAGES["error"]))
        return redirect(settings.LOGIN_URL)
