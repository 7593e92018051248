"""Writes to role assignments. Each writes its access-log row in the same transaction."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backa.accounts.models import Position, PositionKind
from backa.audit.context import as_acting
from backa.audit.log import Action, log_access
from backa.audit.vocabulary import ObjectType, Purpose
from backa.children.lifephase import LifePhase, life_phase
from backa.children.models import Child
from backa.roles.config import rules_by_phase
from backa.roles.models import (
    CLOSING_TRIGGER,
    AssignmentSource,
    EndReason,
    Handover,
    HandoverItem,
    HandoverStatus,
    HandoverTrigger,
    RoleAssignment,
    RoleKind,
    SharingBasis,
    active_on,
    role_active_on,
)


def do_assign_role(
    *,
    acting_user,
    child: Child,
    position: Position,
    kind: str,
    valid_from: date | None = None,
    valid_to: date | None = None,
    reason: str = "",
    source: str = AssignmentSource.MANUAL,
) -> RoleAssignment:
    """Give a position a time-bounded role for a child; it opens the child's file to its holder."""
    acting = as_acting(acting_user)
    valid_from = valid_from or timezone.localdate()
    if valid_to is not None and valid_to < valid_from:
        raise ValidationError(_("The end date must not be before the start date."))
    with transaction.atomic():
        assignment = RoleAssignment.objects.create(
            child=child,
            municipality_id=child.municipality_id,
            position=position,
            kind=kind,
            valid_from=valid_from,
            valid_to=valid_to,
            reason=reason,
            source=source,
        )
        log_access(
            acting=acting,
            child=child,
            action=Action.CREATE,
            object_type=ObjectType.ROLE_ASSIGNMENT,
            object_id=assignment.id,
            purpose=kind,
        )
    return assignment


def do_end_role(*, acting_user, assignment: RoleAssignment, reason: str = EndReason.OTHER) -> RoleAssignment:
    """End a role now, with why; the holder's access ends on their next request (nothing caches the gate)."""
    acting = as_acting(acting_user)
    if reason not in EndReason.values:
        raise ValueError(f"unknown end reason {reason!r}")
    with transaction.atomic():
        locked = RoleAssignment.objects.select_for_update().get(pk=assignment.pk)
        if locked.ended_at is not None:
            return locked
        today = timezone.localdate()
        locked.ended_at, locked.end_reason = timezone.now(), reason
        if locked.valid_to is None or locked.valid_to > today:
            locked.valid_to = max(locked.valid_from, today)
        locked.save(update_fields=["ended_at", "end_reason", "valid_to"])
        log_access(
            acting=acting,
            child_id=locked.child_id,
            municipality_id=locked.municipality_id,
            action=Action.UPDATE,
            object_type=ObjectType.ROLE_ASSIGNMENT,
            object_id=locked.id,
            purpose=Purpose.END_ROLE,
        )
    return locked


# -- barnkontakt derived from enrolments and the life-phase rules ------------------------------


class Outcome:
    UNCHANGED = "unchanged"
    ASSIGNED = "assigned"
    HANDOVER_CREATED = "handover_created"
    HANDOVER_PENDING = "handover_pending"
    HANDOVER_REPLACED = "handover_replaced"
    HANDOVER_CANCELLED = "handover_cancelled"
    NO_RECEIVER = "no_receiver"
    GAP = "gap"


@dataclass
class DerivationContext:
    """What derivation reads besides the child: the rules and the positions that can hold the role."""

    on: date
    rules: dict = field(default_factory=dict)  # municipality id -> {phase: [rule]}
    positions: dict = field(default_factory=dict)  # (unit id, position kind) -> Position | None

    def rules_for(self, municipality_id):
        if municipality_id not in self.rules:
            self.rules[municipality_id] = rules_by_phase(municipality_id)
        return self.rules[municipality_id]

    def preload_positions(self, unit_ids=None):
        """One query for every position that can hold the role; the earliest in post per unit and kind."""
        kinds = {rule.position_kind for rules in self.rules_for(None).values() for rule in rules}
        for rules_map in self.rules.values():
            kinds |= {rule.position_kind for rules in rules_map.values() for rule in rules}
        queryset = Position.objects.filter(active_on(self.on), kind__in=kinds, user__is_active=True)
        if unit_ids is not None:
            queryset = queryset.filter(unit_id__in=list(unit_ids))
        for position in queryset.select_related("unit").order_by("valid_from", "id"):
            self.positions.setdefault((position.unit_id, position.kind), position)

    def position_at(self, unit, kind):
        key = (unit.id, kind)
        if key not in self.positions:
            self.positions[key] = (
                Position.objects.filter(active_on(self.on), unit=unit, kind=kind, user__is_active=True)
                .select_related("unit")
                .order_by("valid_from", "id")
                .first()
            )
        return self.positions[key]


def derived_barnkontakt(child, ctx: DerivationContext):
    """(position, rule) that the life-phase rules give for the child's current enrolments, or (None, None)."""
    phase = life_phase(child.birth_date, ctx.on)
    enrolments = getattr(child, "current_enrolments", None)
    if enrolments is None:
        enrolments = list(
            child.enrolments.filter(active_on(ctx.on)).select_related("unit").order_by("-valid_from", "id")
        )
    for rule in ctx.rules_for(child.municipality_id).get(phase, []):
        for enrolment in enrolments:
            if enrolment.unit.unit_type != rule.unit_type:
                continue
            position = ctx.position_at(enrolment.unit, rule.position_kind)
            if position is not None:
                return position, rule
    return None, None


def _current_barnkontakt(child, ctx):
    current = getattr(child, "current_barnkontakt", None)
    if current is None:
        current = list(
            RoleAssignment.objects.filter(role_active_on(ctx.on), child=child, kind=RoleKind.BARNKONTAKT)
            .select_related("position__unit")
            .order_by("-valid_from", "-created_at")
        )
    return current


def _pending_handover(child):
    pending = getattr(child, "pending_handovers", None)
    if pending is None:
        pending = list(Handover.objects.filter(child=child, status=HandoverStatus.PENDING))
    return pending[0] if pending else None


def _trigger(child, current: RoleAssignment, target: Position | None, on) -> str:
    if target is None:
        return (
            HandoverTrigger.AGE_18
            if life_phase(child.birth_date, on) == LifePhase.ADULT
            else HandoverTrigger.MOVE_MUNICIPALITY
        )
    from_unit, to_unit = current.position.unit, target.unit
    if from_unit.district_id != to_unit.district_id and child.home_district_id == to_unit.district_id:
        return HandoverTrigger.MOVE_DISTRICT
    if from_unit.unit_type != to_unit.unit_type:
        return HandoverTrigger.PHASE_CHANGE
    return HandoverTrigger.ENROLMENT_CHANGE


def _derive(child, ctx: DerivationContext, acting_user) -> str:
    if child.deceased_on is not None:
        # The register says the child has died: the roles were ended with the death, and
        # nobody is given the child again (handle_register_deaths).
        return Outcome.UNCHANGED
    current = _current_barnkontakt(child, ctx)
    pending = _pending_handover(child)
    if child.moved_out_on is not None:
        # Moved out of the municipality: no new barnkontakt here; the current one closes it.
        return _moved_out(child, ctx, acting_user, current, pending)
    phase = life_phase(child.birth_date, ctx.on)
    if phase == LifePhase.ADULT:
        if not current:
            return Outcome.UNCHANGED
        if pending is not None:
            return Outcome.HANDOVER_PENDING
        do_start_handover(
            acting_user=acting_user,
            child=child,
            trigger=HandoverTrigger.AGE_18,
            from_assignment=current[0],
            to_position=None,
            target_date=ctx.on + timedelta(days=30),
        )
        return Outcome.HANDOVER_CREATED

    target, rule = derived_barnkontakt(child, ctx)
    if not current:
        if pending is not None:  # the sender's role ran out under it: nothing to hand over from
            _cancel(pending, acting_user)
        if target is None:
            return Outcome.GAP
        do_assign_role(
            acting_user=acting_user,
            child=child,
            position=target,
            kind=RoleKind.BARNKONTAKT,
            valid_from=ctx.on,
            reason=f"life_phase:{phase}",
            source=AssignmentSource.DERIVED,
        )
        return Outcome.ASSIGNED

    holder = current[0]
    # Any holder of the right position at the right unit will do (two BVC nurses share a
    # unit: no handover between colleagues), and so does a manager's choice at that unit.
    satisfied = target is None or any(
        a.position.unit_id == target.unit_id
        and (a.position.kind == target.kind or a.source == AssignmentSource.OVERRIDE)
        for a in current
    )
    if satisfied:
        if pending is not None and _moves_towards_home(child, holder, pending):
            # The register says the child lives in another district; the enrolment (a BVC
            # listing) has not followed yet. The move decides: keep the handover.
            return Outcome.HANDOVER_PENDING
        if pending is not None and pending.transition_on is not None and pending.transition_on > ctx.on:
            # Started ahead of a transition that has not happened yet: today's rules are
            # bound to agree with the current barnkontakt. Leave it for the receiver.
            return Outcome.HANDOVER_PENDING
        if pending is not None and target is not None:
            # The child is back where the current barnkontakt works: the handover is moot.
            _cancel(pending, acting_user)
            return Outcome.HANDOVER_CANCELLED
        # No receiver found: the current barnkontakt keeps the child (never zero).
        return Outcome.UNCHANGED if target is not None else Outcome.NO_RECEIVER
    if pending is not None:
        if pending.to_position_id == target.id:
            return Outcome.HANDOVER_PENDING
        _cancel(pending, acting_user)
        do_start_handover(
            acting_user=acting_user,
            child=child,
            trigger=_trigger(child, holder, target, ctx.on),
            from_assignment=holder,
            to_position=target,
            target_date=ctx.on + timedelta(days=rule.handover_days),
        )
        return Outcome.HANDOVER_REPLACED
    do_start_handover(
        acting_user=acting_user,
        child=child,
        trigger=_trigger(child, holder, target, ctx.on),
        from_assignment=holder,
        to_position=target,
        target_date=ctx.on + timedelta(days=rule.handover_days),
    )
    return Outcome.HANDOVER_CREATED


def _moves_towards_home(child, holder: RoleAssignment, pending: Handover) -> bool:
    if (
        pending.trigger != HandoverTrigger.MOVE_DISTRICT
        or pending.to_position_id is None
        or child.home_district_id is None
    ):
        return False
    from backa.roles.transitions import RESIDENCE_BOUND_UNIT_TYPES

    # Only residence-bound care (BVC, BMM) follows the address; a school move follows the enrolment.
    to_unit = (
        Position.objects.filter(pk=pending.to_position_id).values_list("unit__district_id", "unit__unit_type").first()
    )
    return (
        to_unit is not None
        and to_unit[0] == child.home_district_id
        and to_unit[1] in RESIDENCE_BOUND_UNIT_TYPES
        and holder.position.unit.district_id != child.home_district_id
    )


def _moved_out(child, ctx, acting_user, current, pending) -> str:
    # The register's reason decides what the task says: moved, emigrated (no receiving
    # municipality at all), or only no longer listed (the reason is not known: check it
    # before contacting the family). Never "moved" for a reason it is not.
    trigger = CLOSING_TRIGGER.get(child.moved_out_reason, HandoverTrigger.NOT_LISTED)
    if not current:
        if pending is not None:
            _cancel(pending, acting_user)
        return Outcome.UNCHANGED
    if pending is not None:
        if pending.trigger == trigger:
            return Outcome.HANDOVER_PENDING
        _cancel(pending, acting_user)  # a receiver here (or another reason) is moot now
        do_start_handover(
            acting_user=acting_user,
            child=child,
            trigger=trigger,
            from_assignment=current[0],
            to_position=None,
            target_date=ctx.on + timedelta(days=MOVE_OUT_DAYS),
        )
        return Outcome.HANDOVER_REPLACED
    do_start_handover(
        acting_user=acting_user,
        child=child,
        trigger=trigger,
        from_assignment=current[0],
        to_position=None,
        target_date=ctx.on + timedelta(days=MOVE_OUT_DAYS),
    )
    return Outcome.HANDOVER_CREATED


# Time for the barnkontakt to close a move out of the municipality (tell the family, pass
# on what a legal basis allows to the new municipality outside the system).
MOVE_OUT_DAYS = 30


def _district_move(child, ctx: DerivationContext, acting_user) -> str:
    """After the register gives a child a new home district: derivation first (a new
    enrolment decides); if the current barnkontakt still holds residence-bound care (BVC,
    BMM) in the old district, hand over to the one such unit of the new district."""
    from backa.roles.transitions import RESIDENCE_BOUND_UNIT_TYPES, district_position

    outcome = _derive(child, ctx, acting_user)
    if outcome != Outcome.UNCHANGED or child.home_district_id is None or child.moved_out_on is not None:
        return outcome
    current = _current_barnkontakt(child, ctx)
    if not current or any(a.position.unit.district_id == child.home_district_id for a in current):
        return outcome
    holder = current[0]
    phase = life_phase(child.birth_date, ctx.on)
    for rule in ctx.rules_for(child.municipality_id).get(phase, []):
        if rule.unit_type != holder.position.unit.unit_type or rule.unit_type not in RESIDENCE_BOUND_UNIT_TYPES:
            continue
        receiver = district_position(child.home_district_id, rule.unit_type, rule.position_kind, ctx)
        if receiver is not None:
            do_start_handover(
                acting_user=acting_user,
                child=child,
                trigger=HandoverTrigger.MOVE_DISTRICT,
                from_assignment=holder,
                to_position=receiver,
                target_date=ctx.on + timedelta(days=rule.handover_days),
            )
            return Outcome.HANDOVER_CREATED
    return outcome


def handle_register_moves(*, moved_out_ids=(), moved_district_ids=(), acting_user=None, on: date | None = None) -> dict:
    """After a register import, inside its transaction: children no longer registered here get a
    closing handover from their barnkontakt; children with a new home district get a handover
    where their barnkontakt should change. Never zero: nothing ends until the task is done."""
    from backa.roles.population import children_for_derivation

    ctx = DerivationContext(on=on or timezone.localdate())
    counts: dict[str, int] = {}
    for ids, handle in ((list(moved_out_ids), _derive), (list(moved_district_ids), _district_move)):
        for start in range(0, len(ids), 2000):
            for child in children_for_derivation(ctx.on, child_ids=ids[start : start + 2000]):
                outcome = handle(child, ctx, acting_user)
                counts[outcome] = counts.get(outcome, 0) + 1
    return counts


def handle_register_deaths(*, child_ids, acting_user=None, on: date | None = None) -> dict:
    """After a register import, inside its transaction: the register says these children have
    died. Every role ends with the reason "deceased" (never a move), pending handovers and team
    invitations are cancelled, and no handover is started: nobody is asked to act, nobody
    writes to the family. Returns {outcome: count}. Rerun: nothing is left to end."""
    acting = as_acting(acting_user)
    counts: dict[str, int] = {}
    for handover in Handover.objects.filter(child_id__in=list(child_ids), status=HandoverStatus.PENDING):
        _cancel(handover, acting)
        counts[Outcome.HANDOVER_CANCELLED] = counts.get(Outcome.HANDOVER_CANCELLED, 0) + 1
    open_roles = RoleAssignment.objects.filter(child_id__in=list(child_ids), ended_at__isnull=True).exclude(
        valid_to__lt=on or timezone.localdate()
    )
    for assignment in open_roles:
        do_end_role(acting_user=acting, assignment=assignment, reason=EndReason.DECEASED)
        counts["roles_ended"] = counts.get("roles_ended", 0) + 1
    return counts


def do_derive_barnkontakt(
    child: Child, *, acting_user=None, on: date | None = None, ctx: DerivationContext | None = None
) -> str:
    """Bring one child's barnkontakt in line with their enrolments and the life-phase rules.

    A child without a barnkontakt gets one directly. A child whose barnkontakt should change
    gets a handover to the new position; the current barnkontakt keeps the role until the
    receiver accepts. A manager's override is kept while the child stays at that unit.
    Idempotent: a second call with nothing changed returns "unchanged" or "handover_pending".
    """
    ctx = ctx or DerivationContext(on=on or timezone.localdate())
    with transaction.atomic():
        return _derive(child, ctx, acting_user)


def derive_all(
    *, on: date | None = None, municipality_id=None, child_ids=None, chunk: int = 2000, progress=None
) -> dict:
    """Run the derivation for every child (or the given ones); returns {outcome: count}. Safe to rerun."""
    from backa.roles.population import children_for_derivation

    ctx = DerivationContext(on=on or timezone.localdate())
    ctx.rules_for(municipality_id)
    ctx.preload_positions()
    counts: dict[str, int] = {}
    ids = list(
        children_for_derivation(ctx.on, municipality_id=municipality_id, child_ids=child_ids)
        .order_by("id")
        .values_list("id", flat=True)
    )
    for start in range(0, len(ids), chunk):
        batch = children_for_derivation(ctx.on, child_ids=ids[start : start + chunk])
        with transaction.atomic():
            for child in batch:
                outcome = _derive(child, ctx, None)
                counts[outcome] = counts.get(outcome, 0) + 1
        if progress:
            progress(min(start + chunk, len(ids)), len(ids))
    return counts


# -- handovers ---------------------------------------------------------------------------------


def _cancel(handover: Handover, acting):
    handover.status = HandoverStatus.CANCELLED
    handover.completed_at = timezone.now()
    handover.save(update_fields=["status", "completed_at"])
    log_access(
        acting=acting,
        child_id=handover.child_id,
        municipality_id=handover.municipality_id,
        action=Action.UPDATE,
        object_type=ObjectType.HANDOVER,
        object_id=handover.id,
        purpose=Purpose.CANCEL_HANDOVER,
    )


def do_start_handover(
    *,
    acting_user,
    child: Child,
    trigger: str,
    from_assignment: RoleAssignment | None = None,
    to_position: Position | None = None,
    target_date: date | None = None,
    transition_on: date | None = None,
) -> Handover:
    """Give the current barnkontakt a handover task. Their role stays in force until it is accepted or closed.

    `transition_on`: the day a foreseen change takes effect (a handover started ahead of it);
    the sender's role then lasts until the day before, whenever the handover is completed."""
    acting = as_acting(acting_user)
    with transaction.atomic():
        if from_assignment is None:
            from_assignment = (
                RoleAssignment.objects.filter(
                    role_active_on(timezone.localdate()), child=child, kind=RoleKind.BARNKONTAKT
                )
                .order_by("-valid_from", "-created_at")
                .first()
            )
            if from_assignment is None:
                raise ValidationError(_("The child has no barnkontakt to hand over from."))
        handover = Handover.objects.create(
            child=child,
            municipality_id=child.municipality_id,
            trigger=trigger,
            from_assignment=from_assignment,
            from_position_id=from_assignment.position_id,
            to_position=to_position,
            target_date=target_date or timezone.localdate() + timedelta(days=30),
            transition_on=transition_on,
        )
        log_access(
            acting=acting,
            child=child,
            action=Action.CREATE,
            object_type=ObjectType.HANDOVER,
            object_id=handover.id,
            purpose=trigger,
        )
    return handover


def _holds(user, position: Position | None) -> bool:
    return (
        position is not None
        and position.user_id == getattr(user, "pk", None)
        and position.is_active_on(timezone.localdate())
    )


def do_prepare_handover(
    *,
    acting_user,
    handover: Handover,
    basis: str,
    items: list[str],
    consent_reference: str = "",
    legal_basis: str = "",
) -> Handover:
    """The sender records what is passed on and on which basis (consent with its reference, or a named legal basis)."""
    acting = as_acting(acting_user)
    acting_user = acting.user
    with transaction.atomic():
        locked = Handover.objects.select_for_update().get(pk=handover.pk)
        if locked.status != HandoverStatus.PENDING or not _holds(acting_user, locked.from_position):
            raise PermissionDenied
        items = sorted(set(items))
        if basis == SharingBasis.CONTACT_ONLY and items:
            raise ValidationError(
                _("Without consent or a legal basis nothing but the change of contact may be passed on.")
            )
        if basis == SharingBasis.CONSENT and not consent_reference.strip():
            raise ValidationError(_("Give the reference of the consent."))
        if basis == SharingBasis.LEGAL_BASIS and not legal_basis:
            raise ValidationError(_("Name the legal basis."))
        if basis not in SharingBasis.values or any(item not in HandoverItem.values for item in items):
            raise ValidationError(_("Choose a basis and items from the lists."))
        locked.basis, locked.items = basis, items
        locked.consent_reference = consent_reference.strip() if basis == SharingBasis.CONSENT else ""
        locked.legal_basis = legal_basis if basis == SharingBasis.LEGAL_BASIS else ""
        locked.prepared_at = timezone.now()
        locked.save(update_fields=["basis", "items", "consent_reference", "legal_basis", "prepared_at"])
        log_access(
            acting=acting,
            child_id=locked.child_id,
            municipality_id=locked.municipality_id,
            action=Action.UPDATE,
            object_type=ObjectType.HANDOVER,
            object_id=locked.id,
            purpose=Purpose.PREPARE_HANDOVER,
        )
    return locked


def _end_assignment(assignment: RoleAssignment, acting, purpose):
    today = timezone.localdate()
    assignment.ended_at = timezone.now()
    if assignment.valid_to is None or assignment.valid_to > today:
        assignment.valid_to = max(assignment.valid_from, today)
    assignment.save(update_fields=["ended_at", "valid_to"])
    log_access(
        acting=acting,
        child_id=assignment.child_id,
        municipality_id=assignment.municipality_id,
        action=Action.UPDATE,
        object_type=ObjectType.ROLE_ASSIGNMENT,
        object_id=assignment.id,
        purpose=purpose,
    )


def _hand_over_on(assignment: RoleAssignment, day: date, acting, purpose):
    """The sender's role lasts until the day before `day` (a future transition): never zero."""
    last = day - timedelta(days=1)
    if assignment.valid_to is None or assignment.valid_to > last:
        assignment.valid_to = max(assignment.valid_from, last)
        assignment.save(update_fields=["valid_to"])
    log_access(
        acting=acting,
        child_id=assignment.child_id,
        municipality_id=assignment.municipality_id,
        action=Action.UPDATE,
        object_type=ObjectType.ROLE_ASSIGNMENT,
        object_id=assignment.id,
        purpose=purpose,
    )


def do_accept_handover(*, acting_user, handover: Handover, family_informed_how: str) -> Handover:
    """The receiver takes over: their role starts and the sender's ends in one transaction (never zero).

    Accepted ahead of its transition day, the receiver's role starts on that day and the
    sender's ends the day before, so exactly one barnkontakt is in force every day.

    What was not prepared is recorded as passed on under no basis but the change of contact.
    """
    acting = as_acting(acting_user)
    acting_user = acting.user
    if not family_informed_how.strip():
        raise ValidationError(_("Say how the family is told who their new barnkontakt is."))
    with transaction.atomic():
        locked = Handover.objects.select_for_update().select_related("from_assignment").get(pk=handover.pk)
        if locked.status != HandoverStatus.PENDING or not _holds(acting_user, locked.to_position):
            raise PermissionDenied
        from_assignment = RoleAssignment.objects.select_for_update().get(pk=locked.from_assignment_id)
        today = timezone.localdate()
        starts = max(today, locked.transition_on or today)
        new = RoleAssignment.objects.create(
            child_id=locked.child_id,
            municipality_id=locked.municipality_id,
            position=locked.to_position,
            kind=RoleKind.BARNKONTAKT,
            valid_from=starts,
            reason=f"handover:{locked.trigger}",
            source=AssignmentSource.HANDOVER,
        )
        log_access(
            acting=acting,
            child_id=locked.child_id,
            municipality_id=locked.municipality_id,
            action=Action.CREATE,
            object_type=ObjectType.ROLE_ASSIGNMENT,
            object_id=new.id,
            purpose=Purpose.ACCEPT_HANDOVER,
        )
        if from_assignment.ended_at is None:
            if starts > today:
                _hand_over_on(from_assignment, starts, acting, Purpose.HANDOVER_DONE)
            else:
                _end_assignment(from_assignment, acting, Purpose.HANDOVER_DONE)
        if not locked.basis:
            locked.basis = SharingBasis.CONTACT_ONLY
        locked.status, locked.to_assignment = HandoverStatus.ACCEPTED, new
        locked.family_informed_how = family_informed_how.strip()[:100]
        locked.completed_at, locked.completed_by = timezone.now(), acting_user
        locked.save(
            update_fields=["basis", "status", "to_assignment", "family_informed_how", "completed_at", "completed_by"]
        )
    return locked


def do_close_handover(*, acting_user, handover: Handover, family_informed_how: str) -> Handover:
    """Without a receiver in the system (turned 18, moved away) the sender closes the handover, ending their role."""
    acting = as_acting(acting_user)
    acting_user = acting.user
    if not family_informed_how.strip():
        raise ValidationError(_("Say how the family (or the young person) was told."))
    with transaction.atomic():
        locked = Handover.objects.select_for_update().get(pk=handover.pk)
        if (
            locked.status != HandoverStatus.PENDING
            or locked.to_position_id is not None
            or not _holds(acting_user, locked.from_position)
        ):
            raise PermissionDenied
        from_assignment = RoleAssignment.objects.select_for_update().get(pk=locked.from_assignment_id)
        if from_assignment.ended_at is None:
            if locked.transition_on is not None and locked.transition_on > timezone.localdate():
                # Closed ahead of the 18th birthday (or a known move): the role lasts until the day before.
                _hand_over_on(from_assignment, locked.transition_on, acting, Purpose.HANDOVER_CLOSED)
            else:
                _end_assignment(from_assignment, acting, Purpose.HANDOVER_CLOSED)
        if not locked.basis:
            locked.basis = SharingBasis.CONTACT_ONLY
        locked.status = HandoverStatus.CLOSED
        locked.family_informed_how = family_informed_how.strip()[:100]
        locked.completed_at, locked.completed_by = timezone.now(), acting_user
        locked.save(update_fields=["basis", "status", "family_informed_how", "completed_at", "completed_by"])
    return locked


# -- overrides ---------------------------------------------------------------------------------

OVERRIDE_KINDS = (PositionKind.MANAGER, PositionKind.REKTOR)


def can_override_at(user, unit_id) -> bool:
    """A manager or rektor of a unit may choose the barnkontakt among the unit's positions."""
    today = timezone.localdate()
    return any(
        p.is_active_on(today) for p in Position.objects.filter(user=user, unit_id=unit_id, kind__in=OVERRIDE_KINDS)
    )


def do_override_barnkontakt(*, acting_user, child: Child, position: Position, reason: str) -> RoleAssignment:
    """A manager names the barnkontakt (e.g. a rektor's delegate). The change is immediate, so never zero;
    a pending handover is cancelled. Derivation keeps an override while the child stays at that unit."""
    acting = as_acting(acting_user)
    acting_user = acting.user
    if not reason.strip():
        raise ValidationError(_("Give a reason for the choice."))
    if not can_override_at(acting_user, position.unit_id) or not position.is_active_on(timezone.localdate()):
        raise PermissionDenied
    with transaction.atomic():
        today = timezone.localdate()
        current = list(
            RoleAssignment.objects.select_for_update().filter(
                role_active_on(today), child=child, kind=RoleKind.BARNKONTAKT
            )
        )
        pending = Handover.objects.select_for_update().filter(child=child, status=HandoverStatus.PENDING).first()
        if pending is not None:
            _cancel(pending, acting)
        new = do_assign_role(
            acting_user=acting,
            child=child,
            position=position,
            kind=RoleKind.BARNKONTAKT,
            reason=f"override:{reason.strip()}"[:200],
            source=AssignmentSource.OVERRIDE,
        )
        for assignment in current:
            if assignment.position_id != position.id:
                _end_assignment(assignment, acting, Purpose.OVERRIDE)
    return new
