"""Which pre-provisioned professional an e-ID login is about (decision 0003), for every protocol.

OpenID Connect (accounts/oidc.py) and SAML 2.0 (accounts/saml.py) deliver the same Swedish
identifiers under different names; both hand them to `match_professional`, so the rules are
written once:

1. the personal identity or coordination number, compared as the keyed hash `User.pnr_hash`;
   a valid number that matches nobody does not fall through to the weaker identifiers, and an
   invalid one matches nobody;
2. else the HSA-id (`User.hsa_id`);
3. else orgAffiliation, `personal-id@organisationsnummer` (`User.employee_id`);
4. else eduPersonPrincipalName (`User.eppn`; Skolfederation's identifier for school staff).

Nobody is created. The result is a user or a reason code: `unknown`, `ambiguous`, `inactive`.
"""

from dataclasses import dataclass

from backa.lib import identity


@dataclass(frozen=True)
class StaffIdentifiers:
    number: str = ""
    hsa_id: str = ""
    employee_id: str = ""
    eppn: str = ""


def candidates(ids: StaffIdentifiers) -> list:
    from backa.accounts.models import User

    users = User.objects.all()  # inactive ones too: refused with their own reason
    if ids.number:
        try:
            parsed = identity.parse(str(ids.number))
        except identity.InvalidIdentityNumber:
            return []
        return list(users.filter(pnr_hash=identity.lookup_hash(parsed))[:2])
    if ids.hsa_id:
        return list(users.filter(hsa_id=str(ids.hsa_id))[:2])
    if ids.employee_id:
        return list(users.filter(employee_id=str(ids.employee_id))[:2])
    if ids.eppn:
        return list(users.filter(eppn=str(ids.eppn))[:2])
    return []


def match_professional(ids: StaffIdentifiers):
    """(user, "") for exactly one active professional, else (None, reason code)."""
    users = candidates(ids)
    if len(users) > 1:
        return None, "ambiguous"
    if not users:
        return None, "unknown"
    if not users[0].is_active:
        return None, "inactive"
    return users[0], ""
