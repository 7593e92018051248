"""Lookups for the purposes that reach a child without a relationship.

Each is named for its one purpose and returns a child (or the children) only under that
purpose's own rule; none opens the file. The caller logs what it does with the answer in
the same transaction: an emergency access granted or refused, a log extract produced, a
concern registered, a research extract drawn.
"""

import uuid
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from backa.accounts.models import Position, PositionKind
from backa.children.models import Child, child_ids_by_former_hash, number_match_q
from backa.lib import identity
from backa.organisations.models import EvaluationArm, UnitType
from backa.roles.models import active_on


def find_child_for_emergency_access(number, *, municipality_id) -> Child | None:
    """The child with this identity number in the searching position's municipality, for the
    emergency-access form only.

    Whoever uses it must grant and log an emergency access (or log the refusal) in the
    same transaction: this is the one lookup outside the user's scope.
    """

    return Child.objects.filter(number_match_q(identity.lookup_hash(number)), municipality_id=municipality_id).first()


def children_for_review(position, child_ids) -> dict:
    """{id: child} for the children of review items (log review, emergency-access review) in
    the reviewing position's municipality. The caller has checked the reviewer's tool and logs
    every child it shows with the purpose log_review in the same transaction."""

    if position is None:
        return {}
    municipality_id = position.unit.organisation.municipality_id
    return {c.pk: c for c in Child.objects.filter(pk__in=[i for i in child_ids if i], municipality_id=municipality_id)}


def _log_extract_children(user, on=None):
    """Children in the districts where user is a district administrator today (none otherwise)."""

    if user is None or not user.is_authenticated or not user.is_active:
        return Child.objects.none()
    on = on or timezone.localdate()
    # The same rule as accounts.positions.administered_district_ids, as a query.
    admin_posts = Position.objects.filter(
        active_on(on),
        user=user,
        kind=PositionKind.DISTRICT_ADMIN,
        unit__unit_type=UnitType.ADMINISTRATION,
        unit__district__isnull=False,
    )
    return Child.objects.filter(Exists(admin_posts.filter(unit__district_id=OuterRef("home_district_id"))))


def find_child_for_log_extract(user, number, *, on=None) -> Child | None:
    """The child with this number if user is a district administrator for the child's district.

    A guardian's or child's request for a log extract arrives with a personnummer at the
    district administration; the administrator needs no role for the child to answer it,
    and sees nothing of the child but the extract.
    """

    return _log_extract_children(user, on).filter(number_match_q(identity.lookup_hash(number))).first()


def child_for_log_extract_by_id(user, child_id) -> Child | None:
    """The same rule, for the extract page the administrator is sent on to."""
    try:
        return _log_extract_children(user).filter(pk=uuid.UUID(str(child_id))).first()
    except ValueError:
        return None


def children_for_research_extract(user, approval, *, on=None):
    """Children for a pseudonymised research extract under an ethics approval.

    The children of the approval's municipality living in a district in the evaluation
    (pilot or comparison arm), if user is named on the approval and it is valid on `on`;
    no children otherwise. The extraction opens no file: the caller writes one access-log
    row per child included (log_access_many, action export) in the extraction's transaction.
    """

    on = on or timezone.localdate()
    if (
        user is None
        or not user.is_authenticated
        or not user.is_active
        or approval is None
        or not approval.is_valid_on(on)
        or not approval.extractors.filter(pk=user.pk).exists()
    ):
        return Child.objects.none()
    return Child.objects.filter(
        municipality_id=approval.municipality_id,
        home_district__evaluation_arm__in=[EvaluationArm.PILOT, EvaluationArm.COMPARISON],
    )


def find_child_for_concern(user, number, *, municipality_id):
    """The child with this identity number, for registering a concern (Upptäckare) only.

    Anyone who meets a child in their work may raise a concern about it, so an exact
    number finds a child of the municipality even without a relationship. It opens
    nothing of the child's file: the caller may only create a concern, whose write is
    logged (and, having no relationship behind it, surfaces in log review). Name
    fragments never reach this function.
    """

    if user is None or not user.is_authenticated or not user.is_active:
        return None
    return Child.objects.filter(number_match_q(identity.lookup_hash(number)), municipality_id=municipality_id).first()


def find_child_for_legal_hold(number, *, municipality_id) -> Child | None:
    """The child with this identity number, for the archive administrator placing a legal hold only.

    It opens nothing of the child's file: the caller places the hold (logged with the child in
    the same transaction) or answers that no child has the number."""

    return Child.objects.filter(number_match_q(identity.lookup_hash(number)), municipality_id=municipality_id).first()


def child_for_archive_delivery(child_id) -> Child | None:
    """The child whose records the archive delivery (manage.py arkivleverans, run by the
    municipality's archive operator) packages. It opens nothing on a page: the delivery is
    recorded and logged with the child in the same transaction."""
    try:
        return Child.objects.filter(pk=uuid.UUID(str(child_id))).first()
    except ValueError:
        return None


# -- the intake (mottagning) of concern reports ---------------------------------------------------

INTAKE_KINDS = (PositionKind.INTAKE, PositionKind.INTAKE_LEAD)


@dataclass(frozen=True)
class IntakeScope:
    """The reports an intake position is addressed: its district's, or — for a position at a
    social-services unit without a district — the municipality's central intake (reports
    about children whose district has no intake)."""

    municipality_id: uuid.UUID
    district_id: uuid.UUID | None
    lead: bool

    def q(self, prefix: str = "") -> Q:
        """Filter for rows (intake items) addressed to this intake: `district` and `municipality`."""
        return Q(**{f"{prefix}municipality_id": self.municipality_id, f"{prefix}district_id": self.district_id})


def intake_scope(position) -> IntakeScope | None:
    """The intake a position works in, or None. No role per child: the scope is the district's reports."""
    if (
        position is None
        or position.kind not in INTAKE_KINDS
        or position.unit.unit_type != UnitType.SOCIALTJANST
        or not position.user.is_active
        or not position.is_active_on(timezone.localdate())
    ):
        return None
    return IntakeScope(
        municipality_id=position.unit.organisation.municipality_id,
        district_id=position.unit.district_id,
        lead=position.kind == PositionKind.INTAKE_LEAD,
    )


def intake_positions(municipality_id, district_id, *, on=None):
    """The active intake positions of one intake (district, or central when district_id is None)."""
    on = on or timezone.localdate()
    return Position.objects.filter(
        active_on(on),
        user__is_active=True,
        kind__in=INTAKE_KINDS,
        unit__unit_type=UnitType.SOCIALTJANST,
        unit__organisation__municipality_id=municipality_id,
        unit__district_id=district_id,
    )


def find_child_for_intake(scope: IntakeScope | None, number) -> Child | None:
    """The child with this number, for the intake registering a report that came from outside
    the platform (police, hospital, a phone call). Like a concern by number: it opens nothing
    but the registration, whose write is logged."""
    if scope is None:
        return None
    return Child.objects.filter(
        number_match_q(identity.lookup_hash(number)), municipality_id=scope.municipality_id
    ).first()


def children_by_number_for_import(municipality_id, numbers) -> tuple[dict, set]:
    """({number text: child}, {invalid number texts}) for the outcome import from social
    services' journal system, which keys a report by the child's number and the day. Opens
    nothing: the import logs each report it updates."""
    parsed, bad = {}, set()
    for text in numbers:
        try:
            parsed[text] = identity.lookup_hash(identity.parse(text))
        except identity.InvalidIdentityNumber:
            bad.add(text)
    former = child_ids_by_former_hash(parsed.values())
    found = Child.objects.filter(
        Q(pnr_hash__in=list(parsed.values())) | Q(pk__in=list(former.values())), municipality_id=municipality_id
    )
    by_id = {c.pk: c for c in found}
    by_hash = {c.pnr_hash: c for c in by_id.values()}
    by_hash.update({h: by_id[child_id] for h, child_id in former.items() if child_id in by_id})
    return {text: by_hash[h] for text, h in parsed.items() if h in by_hash}, bad
