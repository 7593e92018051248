"""Which position a user acts in. The access log records organisation, unit and role from it."""

from django.utils import timezone

from backa.accounts.models import Position

SESSION_KEY = "active_position_id"


def active_positions(user):
    today = timezone.localdate()
    return [
        p
        for p in Position.objects.filter(user=user).select_related("unit__organisation", "unit__district")
        if p.is_active_on(today)
    ]


def current_position(request) -> Position | None:
    """The position chosen for this session, else the user's first active one. Cached per request."""
    if hasattr(request, "_active_position"):
        return request._active_position
    position = None
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        positions = active_positions(user)
        chosen = request.session.get(SESSION_KEY)
        position = next((p for p in positions if str(p.id) == chosen), positions[0] if positions else None)
        request._all_positions = positions
    request._active_position = position
    return position


def administered_district_ids(request) -> set:
    """The districts the active position administers; empty for everyone else.

    The one definition of a district administrator: an active position of kind
    district_admin at a district's administration unit. District pages (forums, the gap
    dashboard, impact assessments, log-extract requests, imports) all ask this.
    """
    from backa.accounts.models import PositionKind
    from backa.organisations.models import UnitType

    position = current_position(request)
    if (
        position is None
        or position.kind != PositionKind.DISTRICT_ADMIN
        or position.unit.unit_type != UnitType.ADMINISTRATION
        or position.unit.district_id is None
    ):
        return set()
    return {position.unit.district_id}


def current_organisation(request):
    """The organisation of the request's active position (None without one)."""
    position = current_position(request)
    return position.unit.organisation if position is not None else None


def may_use_emergency_access(position) -> bool:
    """Emergency access (nödåtkomst) is for positions with a duty of care or protection
    (settings.EMERGENCY_ACCESS_POSITION_KINDS), never for a teacher or an administrator."""
    from django.conf import settings

    return position is not None and position.kind in settings.EMERGENCY_ACCESS_POSITION_KINDS
