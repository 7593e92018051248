"""The access gate: the only way application code reaches children.

`visible_children(user)` is the one definition of which children a professional can
see. `get_child_for_request()` fetches one child for a request, logs the access in the
request's transaction, and raises ChildNotFound (a 404) when the id is unknown or out
of scope; both cases take the same path and render the same response, and the denial
is logged by DeniedAccessMiddleware.

A relationship is an active role (barnkontakt, stödsamordnare, member of the child's
team) held through an active position, or an unexpired emergency access (nödåtkomst)
granted to the user for that child. Later sources are added here and nowhere else.

Inside a visible child, entries written by other organisations are filtered by
`visible_entry_scope()`, which asks the consent app (consent or legal basis) and
never caches its answer.
"""
import uuid

from django.db.models import CharField, Exists, OuterRef, QuerySet, Value
from django.http import Http404
from django.utils import timezone

from backa.audit.log import Action, log_access

from backa.children.models import Child


class ChildNotFound(Http404):
    def __init__(self, child_id, *, action=Action.VIEW, object_type="child", object_id=None):
        super().__init__("Not found")
        self.child_id = child_id
        self.action = action
        self.object_type = object_type
        self.object_id = object_id if object_id is not None else child_id


EMERGENCY = "emergency"


def _relationships(user, on):
    from backa.roles.models import FILE_ACCESS_ROLES, RoleAssignment, role_active_on

    return RoleAssignment.objects.filter(role_active_on(on), position__user=user, kind__in=FILE_ACCESS_ROLES)


def _emergency_grants(user, at=None):
    from backa.consent.models import EmergencyAccess

    at = at or timezone.now()
    return EmergencyAccess.objects.filter(user=user, user__is_active=True, granted_at__lte=at, expires_at__gt=at)


def _may_see_children(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def visible_children(user, *, on=None) -> QuerySet[Child]:
    """Children this user may see today. Default deny: no relationship, no child."""
    if not _may_see_children(user):
        return Child.objects.none()
    on = on or timezone.localdate()
    # "id IN (role children UNION granted children)" rather than "EXISTS … OR EXISTS …": an OR
    # of two subplans cannot become a join, so PostgreSQL filtered every child in the
    # municipality (a name search over a million children: seconds); the union starts from
    # the user's few hundred relationships (milliseconds, docs/performance.md, S2).
    child_ids = _relationships(user, on).order_by().values("child_id").union(
        _emergency_grants(user).order_by().values("child_id")
    )
    return Child.objects.filter(pk__in=child_ids)


def relationship_kinds(user, child_ids, *, on=None) -> dict:
    """{child_id: sorted kinds} for the given children: role kinds, and "emergency" for nödåtkomst."""
    on = on or timezone.localdate()
    child_ids = list(child_ids)
    roles = _relationships(user, on).filter(child_id__in=child_ids).values_list("child_id", "kind")
    grants = (
        _emergency_grants(user).filter(child_id__in=child_ids)
        .annotate(kind=Value(EMERGENCY, output_field=CharField())).values_list("child_id", "kind")
    )
    result: dict = {}
    for child_id, kind in roles.order_by().union(grants.order_by()):  # SQLite refuses ORDER BY in a UNION part
        result.setdefault(child_id, set()).add(kind)
    return {child_id: sorted(kinds) for child_id, kinds in result.items()}


def find_child_for_emergency_access(number) -> Child | None:
    """The child with this identity number, for the emergency-access form only.

    Whoever uses it must grant and log an emergency access (or log the refusal) in the
    same transaction: this is the one lookup outside the user's scope.
    """
    from backa.lib import identity

    return Child.objects.filter(pnr_hash=identity.lookup_hash(number)).first()


def _log_extract_children(user, on=None):
    """Children in the districts where user is a district administrator today (none otherwise)."""
    from backa.accounts.models import Position, PositionKind
    from backa.organisations.models import UnitType
    from backa.roles.models import active_on

    if user is None or not user.is_authenticated or not user.is_active:
        return Child.objects.none()
    on = on or timezone.localdate()
    # The same rule as accounts.positions.administered_district_ids, as a query.
    admin_posts = Position.objects.filter(
        active_on(on), user=user, kind=PositionKind.DISTRICT_ADMIN, unit__unit_type=UnitType.ADMINISTRATION,
        unit__district__isnull=False,
    )
    return Child.objects.filter(Exists(admin_posts.filter(unit__district_id=OuterRef("home_district_id"))))


def find_child_for_log_extract(user, number, *, on=None) -> Child | None:
    """The child with this number if user is a district administrator for the child's district.

    A guardian's or child's request for a log extract arrives with a personnummer at the
    district administration; the administrator needs no role for the child to answer it,
    and sees nothing of the child but the extract.
    """
    from backa.lib import identity

    return _log_extract_children(user, on).filter(pnr_hash=identity.lookup_hash(number)).first()


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
    from backa.organisations.models import EvaluationArm

    on = on or timezone.localdate()
    if (
        user is None or not user.is_authenticated or not user.is_active or approval is None
        or not approval.is_valid_on(on) or not approval.extractors.filter(pk=user.pk).exists()
    ):
        return Child.objects.none()
    return Child.objects.filter(
        municipality_id=approval.municipality_id,
        home_district__evaluation_arm__in=[EvaluationArm.PILOT, EvaluationArm.COMPARISON],
    )


def visible_entry_scope(request, child, *, lock: bool = True):
    """What the requesting user's organisation may see of this child's other-organisation entries.

    Call it after get_child_for_request, inside the request's transaction; filter with
    `scope.q("organisation", "category")` or test one entry with `scope.allows(org, category)`.
    """
    from backa.accounts.positions import current_position
    from backa.consent.access import sharing_scope

    position = current_position(request)
    organisation_id = position.unit.organisation_id if position is not None else None
    return sharing_scope(organisation_id, child, lock=lock)


def get_child_for_request(
    request, child_id, *, action: str = Action.VIEW, object_type: str = "child", object_id=None, purpose: str = ""
) -> Child:
    """The child, if this user may see it, with the access logged; otherwise ChildNotFound."""
    try:
        child_uuid = uuid.UUID(str(child_id))
    except ValueError:
        raise ChildNotFound(None, action=action, object_type=object_type, object_id=str(child_id)[:64]) from None
    user = request.user
    # The user's relationships to this one child decide, as visible_children would (the same
    # two sources), and give the purpose for the log: one small query instead of the scope's
    # subquery and then the kinds (docs/performance.md, S1).
    kinds = relationship_kinds(user, [child_uuid]).get(child_uuid, []) if _may_see_children(user) else []
    child = Child.objects.select_related("home_district", "municipality").filter(pk=child_uuid).first() if kinds else None
    if child is None:
        raise ChildNotFound(child_uuid, action=action, object_type=object_type, object_id=object_id)
    # Flagged as emergency when nothing but the emergency access opens the child.
    emergency = kinds == [EMERGENCY]
    if not purpose:
        purpose = ",".join(kinds)
    log_access(
        request=request, action=action, child=child, object_type=object_type, object_id=object_id, purpose=purpose,
        emergency=emergency,
    )
    return child


def family_names_for_log_review(child_ids, user_ids) -> set:
    """{(child_id, user_id)} pairs where the professional shares the child's surname.

    Log review only: the names are compared in memory and never stored or logged.
    """
    from backa.accounts.models import User
    from django.db.models.functions import Lower

    if not child_ids or not user_ids:
        return set()
    users = User.objects.filter(pk__in=list(user_ids)).annotate(ln=Lower("last_name")).exclude(ln="")
    pairs = set()
    by_name: dict = {}
    for child_id, name in Child.objects.filter(pk__in=list(child_ids)).annotate(fn=Lower("family_name")).filter(
        fn__in=users.values("ln")
    ).values_list("pk", "fn"):
        by_name.setdefault(name, []).append(child_id)
    for user_id, name in users.filter(ln__in=list(by_name)).values_list("pk", "ln"):
        pairs.update((child_id, user_id) for child_id in by_name[name])
    return pairs


def shared_addresses_for_log_review(child_ids, user_ids) -> set:
    """{(child_id, user_id)} pairs where the professional lives at the child's address.

    The child's address is its guardians' (with custody): the platform stores no address on
    the child. Each guardian address is normalised and keyed-hashed in memory
    (children.identity.address_hash) and compared with the professional's provisioned
    home_address_hash. Log review only: nothing is stored or logged.
    """
    from backa.accounts.models import User

    from backa.lib import identity
    from backa.children.models import Custody

    if not child_ids or not user_ids:
        return set()
    by_hash: dict = {}
    for user_id, digest in User.objects.filter(pk__in=list(user_ids)).exclude(home_address_hash="").values_list(
        "pk", "home_address_hash"
    ):
        by_hash.setdefault(digest, []).append(user_id)
    if not by_hash:
        return set()
    pairs = set()
    for child_id, address in Custody.objects.filter(child_id__in=list(child_ids), has_custody=True).exclude(
        guardian__address=""
    ).values_list("child_id", "guardian__address"):
        for user_id in by_hash.get(identity.address_hash(address), ()):
            pairs.add((child_id, user_id))
    return pairs


def find_child_for_concern(user, number, *, municipality_id):
    """The child with this identity number, for registering a concern (Upptäckare) only.

    Anyone who meets a child in their work may raise a concern about it, so an exact
    number finds a child of the municipality even without a relationship. It opens
    nothing of the child's file: the caller may only create a concern, whose write is
    logged (and, having no relationship behind it, surfaces in log review). Name
    fragments never reach this function.
    """
    from backa.lib import identity

    if user is None or not user.is_authenticated or not user.is_active:
        return None
    return Child.objects.filter(municipality_id=municipality_id, pnr_hash=identity.lookup_hash(number)).first()

