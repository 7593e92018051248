"""Handovers started ahead of foreseen transitions (`./manage.py start_transition_handovers`).

A child's next life-phase change is known in advance: birth (BMM → BVC), the first birthday
(BVC → förskola when a place exists), förskoleklass in August of the year the child turns
six, gymnasium in August of the year they turn sixteen, and the 18th birthday. For each
child whose next change falls within a window (e.g. 90 days), the current barnkontakt gets a
handover task whose target date is the day of the change, towards the receiver the
life-phase rules give for the new phase and the child's enrolment on that day (an enrolment
that starts in the future counts). Birth and residence-bound care (BVC, BMM) fall back to
the one unit of that type in the child's home district when no listing exists yet.

Idempotent: a child with a pending handover, or whose current barnkontakt already satisfies
the rule, gets nothing new. The handover carries `transition_on`; derivation leaves it be
until that day, and accepting it early starts the receiver's role on that day.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from backa.children.lifephase import LifePhase, add_years, gymnasium_start, life_phase, school_start
from backa.organisations.models import UnitType
from backa.roles.models import HandoverTrigger, active_on
from backa.roles.services import DerivationContext, do_start_handover

# Care that follows where the family lives: a child without a listing yet belongs to the
# district's unit. Preschools and schools are chosen by the family and follow enrolments.
RESIDENCE_BOUND_UNIT_TYPES = (UnitType.BVC, UnitType.BMM)

DEFAULT_WINDOW_DAYS = 90


def next_transition(child, today: date):
    """(date, phase) of the child's next life-phase change, or (None, None)."""
    born = child.birth_date
    if born is None:
        return child.expected_birth_date, LifePhase.INFANT
    phase = life_phase(born, today)
    upcoming = {
        LifePhase.INFANT: (add_years(born, 1), LifePhase.PRESCHOOL),
        LifePhase.PRESCHOOL: (school_start(born), LifePhase.SCHOOL),
        LifePhase.SCHOOL: (gymnasium_start(born), LifePhase.GYMNASIUM),
        LifePhase.GYMNASIUM: (add_years(born, 18), LifePhase.ADULT),
    }
    return upcoming.get(phase, (None, None))


def due_within_q(on: date, until: date) -> Q:
    """Children whose next transition can fall within [on, until]: a coarse SQL pre-filter
    (next_transition decides exactly)."""
    q = Q(birth_date__isnull=True, expected_birth_date__range=(on, until))
    q |= Q(birth_date__range=(add_years(on, -1), add_years(until, -1)))
    q |= Q(birth_date__range=(add_years(on, -18), add_years(until, -18)))
    for year in range(on.year, until.year + 1):
        august = date(year, 8, 1)
        if on <= august <= until:
            q |= Q(birth_date__year=year - 6) | Q(birth_date__year=year - 16)
    return q


class Ahead:
    CREATED = "handover_created"
    CLOSING = "closing_handover_created"  # turning 18: no receiver, the sender closes it
    PENDING = "handover_pending"
    DONE = "already_handed_over"  # accepted or closed ahead; the change has not happened yet
    UNCHANGED = "unchanged"  # the current barnkontakt already holds the new phase's role
    NO_RECEIVER = "no_receiver_yet"  # no enrolment for the new phase yet: retried next run
    NO_BARNKONTAKT = "no_barnkontakt"  # nothing to hand over from (derivation's gap)
    NOT_DUE = "not_due"


@dataclass
class Receiver:
    position: object
    rule: object


def receiver_for(child, phase: str, day: date, ctx: DerivationContext, enrolments) -> Receiver | None:
    """Who the life-phase rules give for `phase` on `day`, from the enrolments that have not
    ended by then: current ones and those starting later (a school place from the first day
    of term, after the 1 August boundary), newest first."""
    in_force = [e for e in enrolments if e.valid_to is None or e.valid_to >= day]
    for rule in ctx.rules_for(child.municipality_id).get(phase, []):
        for enrolment in sorted(in_force, key=lambda e: e.valid_from, reverse=True):
            if enrolment.unit.unit_type == rule.unit_type:
                position = ctx.position_at(enrolment.unit, rule.position_kind)
                if position is not None:
                    return Receiver(position, rule)
        if rule.unit_type in RESIDENCE_BOUND_UNIT_TYPES and child.home_district_id is not None:
            position = district_position(child.home_district_id, rule.unit_type, rule.position_kind, ctx)
            if position is not None:
                return Receiver(position, rule)
    return None


def district_position(district_id, unit_type: str, position_kind: str, ctx: DerivationContext):
    """The holder of `position_kind` at the one unit of `unit_type` in the district, or None
    when the district has none or several such units (then nobody can be presumed)."""
    from backa.accounts.models import Position
    from backa.organisations.models import Unit

    key = ("district", district_id, unit_type, position_kind)
    if key not in ctx.positions:
        units = list(Unit.objects.filter(district_id=district_id, unit_type=unit_type).values_list("id", flat=True)[:2])
        position = None
        if len(units) == 1:
            position = (
                Position.objects.filter(active_on(ctx.on), unit_id=units[0], kind=position_kind, user__is_active=True)
                .select_related("unit")
                .order_by("valid_from", "id")
                .first()
            )
        ctx.positions[key] = position
    return ctx.positions[key]


def _ahead(child, ctx: DerivationContext, until: date, acting_user) -> str:
    day, phase = next_transition(child, ctx.on)
    if day is None or not (ctx.on <= day <= until):
        return Ahead.NOT_DUE
    current = child.current_barnkontakt
    if not current:
        return Ahead.NO_BARNKONTAKT
    if child.pending_handovers:
        return Ahead.PENDING
    if any(h.transition_on == day for h in child.ahead_handovers):
        return Ahead.DONE
    holder = current[0]
    if phase == LifePhase.ADULT:
        do_start_handover(
            acting_user=acting_user,
            child=child,
            trigger=HandoverTrigger.AGE_18,
            from_assignment=holder,
            to_position=None,
            target_date=day,
            transition_on=day,
        )
        return Ahead.CLOSING
    receiver = receiver_for(child, phase, day, ctx, child.future_enrolments)
    if receiver is None:
        return Ahead.NO_RECEIVER
    if any(
        a.position.unit_id == receiver.position.unit_id and a.position.kind == receiver.position.kind for a in current
    ):
        return Ahead.UNCHANGED
    do_start_handover(
        acting_user=acting_user,
        child=child,
        trigger=HandoverTrigger.PHASE_CHANGE,
        from_assignment=holder,
        to_position=receiver.position,
        target_date=day,
        transition_on=day,
    )
    return Ahead.CREATED


def start_handovers_ahead(
    *,
    on: date | None = None,
    window_days: int = DEFAULT_WINDOW_DAYS,
    municipality_id=None,
    acting_user=None,
    chunk: int = 2000,
    progress=None,
) -> dict:
    """Start a handover for every child whose life phase changes within the window; {outcome: count}.
    Safe to rerun: a second run creates nothing."""
    from backa.roles.population import children_for_transitions

    if window_days < 0:
        raise ValueError("window_days must not be negative")
    ctx = DerivationContext(on=on or timezone.localdate())
    until = ctx.on + timedelta(days=window_days)
    ctx.rules_for(municipality_id)
    ctx.preload_positions()
    ids = list(
        children_for_transitions(ctx.on, due_within_q(ctx.on, until), municipality_id=municipality_id)
        .order_by("id")
        .values_list("id", flat=True)
    )
    counts: dict[str, int] = {}
    for start in range(0, len(ids), chunk):
        batch = children_for_transitions(ctx.on, Q(pk__in=ids[start : start + chunk]))
        with transaction.atomic():
            for child in batch:
                outcome = _ahead(child, ctx, until, acting_user)
                counts[outcome] = counts.get(outcome, 0) + 1
        if progress:
            progress(min(start + chunk, len(ids)), len(ids))
    return counts
