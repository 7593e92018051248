"""One plan per child: versions with snapshots, goals, actions, ending the plan."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from backa.accounts.models import Position
from backa.audit.context import as_acting
from backa.audit.log import Action as LogAction
from backa.audit.vocabulary import ObjectType, Purpose
from backa.casefile import authority
from backa.casefile.common import _log, owner_activity_id, writing_activity_id
from backa.casefile.compass import AREA_CODES, area_label
from backa.casefile.models import (
    Action,
    Concern,
    ConcernStatus,
    Decision,
    ExternalRef,
    Goal,
    Plan,
    PlanChange,
    PlanKind,
    PlanStatus,
    PlanVersion,
)
from backa.lib.merge import three_way
from backa.roles.models import EndReason, RoleAssignment, RoleKind, role_active_on
from backa.roles.services import do_end_role

# Plan fields people edit in the plan form; all are compared on a conflict.
EDITABLE_FIELDS = (
    "kind",
    "organisation_id",
    "reason",
    "needs",
    "child_view",
    "guardian_view",
    "review_date",
    "external_kind",
    "external_ref",
)


class PlanConflict(Exception):
    """Someone saved the plan after the version this edit started from, and changed a field this
    edit changed too (a three-way merge, backa.lib.merge; decision 0018). Nothing is saved.

    `changes` lists (label, value in the version the editor saw, value now) for everything the
    other person changed; `conflicts` lists (form field, label, my value, their value) for the
    fields both changed, which the editor must choose between."""

    def __init__(
        self, plan, based_on: int, changes: list, changed_by, conflicts: list | None = None, mine: list | None = None
    ):
        super().__init__("plan version conflict")
        self.plan, self.based_on, self.changes, self.changed_by = plan, based_on, changes, changed_by
        self.conflicts = conflicts or []
        self.mine = mine or []  # the form fields this editor changed (kept as typed when the form is shown again)


def _flat(snap: dict) -> dict:
    """The editable fields of a plan snapshot as comparable values; needs one per compass area."""
    flat = {key: snap.get(key) for key in EDITABLE_FIELDS if key != "needs"}
    for code in AREA_CODES:
        flat[f"needs.{code}"] = (snap.get("needs") or {}).get(code, "")
    if flat.get("organisation_id") is not None:
        flat["organisation_id"] = str(flat["organisation_id"])
    return flat


def _flat_values(values: dict) -> dict:
    """Model-shaped plan values (after _clean_plan_values) in the shape of _flat."""
    shaped = dict(values)
    if isinstance(shaped.get("review_date"), date):
        shaped["review_date"] = shaped["review_date"].isoformat()
    return _flat(shaped)


def _unflat(flat: dict) -> dict:
    """Comparable values back to model values (the inverse of _flat for the keys given)."""
    values: dict = {}
    for key, value in flat.items():
        if key.startswith("needs."):
            values.setdefault("needs", {})[key.split(".", 1)[1]] = value
        elif key == "review_date":
            values[key] = date.fromisoformat(value) if value else None
        else:
            values[key] = value
    return values


def merge_field_label(key: str) -> str:
    if key.startswith("needs."):
        return f"{_('needs')}: {area_label(key.split('.', 1)[1])}"
    return str(FIELD_LABELS[key])


def form_field_name(key: str) -> str:
    """The plan form's field for a merge key (casefile.forms.PlanForm)."""
    if key.startswith("needs."):
        return "need-" + key.split(".", 1)[1]
    return "organisation" if key == "organisation_id" else key


def merge_key(form_field: str) -> str:
    """The merge key of a plan form field (the inverse of form_field_name)."""
    if form_field.startswith("need-"):
        return "needs." + form_field.split("-", 1)[1]
    return "organisation_id" if form_field == "organisation" else form_field


def _display(key: str, value) -> str:
    if value in (None, ""):
        return ""
    if key == "organisation_id":
        from backa.organisations.models import Organisation

        org = Organisation.objects.filter(pk=value).first()
        return org.name if org else str(value)
    if key == "kind":
        return str(PlanKind(value).label) if value in PlanKind.values else str(value)
    if key == "external_kind":
        return str(ExternalRef(value).label) if value in ExternalRef.values else str(value)
    return str(value)


def snapshot(plan: Plan, *, items: dict | None = None) -> dict:
    """The plan as plain JSON: stored with every version, compared on conflicts.

    `items` ({"goals": …, "actions": …}) reuses the goals and actions of an earlier snapshot of
    the same locked plan when only the plan's own fields changed (two queries fewer per save).
    """
    return {
        "kind": plan.kind,
        "organisation_id": str(plan.organisation_id),
        "reason": plan.reason,
        "needs": dict(plan.needs),
        "child_view": plan.child_view,
        "guardian_view": plan.guardian_view,
        "review_date": plan.review_date.isoformat() if plan.review_date else None,
        "external_kind": plan.external_kind,
        "external_ref": plan.external_ref,
        "status": plan.status,
        "coordinator_id": str(plan.coordinator_id) if plan.coordinator_id else None,
        **(items if items is not None else _items_snapshot(plan)),
    }


def _items_snapshot(plan: Plan) -> dict:
    return {
        "goals": [
            {
                "id": str(g.id),
                "area": g.area,
                "description": g.description,
                "status": g.status,
                "target_date": g.target_date.isoformat() if g.target_date else None,
            }
            for g in plan.goals.order_by("created_at")
        ],
        "actions": [
            {
                "id": str(a.id),
                "description": a.description,
                "how": a.how,
                "owner_id": str(a.owner_id),
                "owner_organisation_id": str(a.owner_organisation_id),
                "status": a.status,
                "starts_on": a.starts_on.isoformat() if a.starts_on else None,
                "due_on": a.due_on.isoformat() if a.due_on else None,
                "expected_improvement": a.expected_improvement,
                # Only when someone from the child's network carries it out (older snapshots lack it).
                **({"network_member_id": str(a.network_member_id)} if a.network_member_id else {}),
            }
            for a in plan.actions.order_by("created_at")
        ],
    }


FIELD_LABELS = {
    "kind": gettext_lazy("kind of plan"),
    "organisation_id": gettext_lazy("responsible organisation"),
    "reason": gettext_lazy("why the plan exists"),
    "needs": gettext_lazy("needs per compass area"),
    "child_view": gettext_lazy("the child's view of the plan"),
    "guardian_view": gettext_lazy("the guardians' view of the plan"),
    "review_date": gettext_lazy("review date"),
    "external_kind": gettext_lazy("external plan or case"),
    "external_ref": gettext_lazy("reference"),
    "goals": gettext_lazy("goals"),
    "actions": gettext_lazy("actions"),
    "coordinator_id": gettext_lazy("stödsamordnare"),
    "status": gettext_lazy("status"),
}


def diff_snapshots(before: dict, after: dict) -> list[tuple[str, object, object]]:
    changes = []
    for key in FIELD_LABELS:
        if before.get(key) != after.get(key):
            if key == "needs":
                for code in AREA_CODES:
                    old, new = before.get("needs", {}).get(code, ""), after.get("needs", {}).get(code, "")
                    if old != new:
                        changes.append((f"{_('needs')}: {area_label(code)}", old, new))
                continue
            if key in ("goals", "actions"):
                old = [item["description"] for item in before.get(key, [])]
                new = [item["description"] for item in after.get(key, [])]
                changes.append((str(FIELD_LABELS[key]), "; ".join(old), "; ".join(new)))
                continue
            changes.append((str(FIELD_LABELS[key]), before.get(key), after.get(key)))
    return changes


def changed_fields(before: dict, after: dict) -> dict:
    """The change arguments of an edit: {"fields": [field names in FIELD_LABELS order],
    "areas": [compass area codes whose needs changed]} (names and codes, never labels or values)."""
    fields = [key for key in FIELD_LABELS if before.get(key) != after.get(key)]
    args: dict = {"fields": fields}
    if "needs" in fields:
        old, new = before.get("needs") or {}, after.get("needs") or {}
        args["areas"] = [code for code in AREA_CODES if old.get(code, "") != new.get(code, "")]
        if not args["areas"]:  # as diff_snapshots: needs count by compass area only
            fields.remove("needs")
            del args["areas"]
    return args


def describe_change(code: str, args: dict | None = None, legacy: str = "") -> str:
    """A plan version's change in the active language; a version from before change codes
    (no code) shows the text it was saved with."""
    if not code:
        return legacy
    if code == PlanChange.EDITED:
        args = args or {}
        labels: list[str] = []
        for field in args.get("fields", []):
            if field == "needs" and args.get("areas"):
                labels += [f"{_('needs')}: {area_label(area)}" for area in args["areas"]]
            elif field in FIELD_LABELS:
                labels.append(str(FIELD_LABELS[field]))
        if labels:
            return ", ".join(labels)
    try:
        return str(PlanChange(code).label)
    except ValueError:
        return legacy or code


def _new_version(
    plan: Plan, user, change: PlanChange, snap: dict | None = None, args: dict | None = None
) -> PlanVersion:
    return PlanVersion.objects.create(
        plan=plan,
        number=plan.version,
        snapshot=snap if snap is not None else snapshot(plan),
        change_code=change,
        change_args=args or {},
        created_by=user,
    )


def _bump(
    plan: Plan, acting, change: PlanChange, purpose: str, snap: dict | None = None, args: dict | None = None
) -> Plan:
    """Record a change to a locked plan: next version number, snapshot (`snap` if the caller
    already took it of the changed plan), the change as a code with its arguments (translated
    when shown), log row with `purpose`."""
    acting = as_acting(acting)
    plan.version += 1
    plan.save()
    _new_version(plan, acting.user, change, snap, args)
    _log(acting, plan.child, LogAction.UPDATE, ObjectType.PLAN, plan.id, purpose)
    return plan


def _lock(plan: Plan, *, lead=None) -> Plan:
    """The plan, locked. With `lead=user`, `locked.acting_is_lead` says in the same statement
    whether that user leads the child's file (casefile.authority): the plan save's hot path."""
    queryset = Plan.objects.select_for_update().select_related("child")
    if lead is not None:
        queryset = queryset.annotate(acting_is_lead=authority.lead_exists(lead))
    return queryset.get(pk=plan.pk)


def _validate_plan_fields(values: dict, errors: dict, *, today: date):
    if not (values.get("reason") or "").strip():
        errors["reason"] = _("Say why the plan exists.")
    if not values.get("organisation_id"):
        errors["organisation"] = _("Choose the responsible organisation.")
    review = values.get("review_date")
    if not review:
        errors["review_date"] = _("Set a review date.")
    elif review < today:
        errors["review_date"] = _("The review date cannot be in the past.")
    if values.get("kind") not in PlanKind.values:
        errors["kind"] = _("Choose the kind of plan.")
    if values.get("external_kind") not in ExternalRef.values:
        errors["external_kind"] = _("Unknown kind of external plan.")
    elif values.get("external_kind") and not (values.get("external_ref") or "").strip():
        errors["external_ref"] = _("Give the reference of the SIP or BBIC case.")
    unknown = [code for code in (values.get("needs") or {}) if code not in AREA_CODES]
    if unknown:
        errors["needs"] = _("Unknown compass area: %(codes)s") % {"codes": ", ".join(unknown)}


def _clean_plan_values(values: dict) -> dict:
    cleaned = dict(values)
    if "organisation" in cleaned:
        org = cleaned.pop("organisation")
        cleaned["organisation_id"] = org.pk if org is not None else None
    for key in ("reason", "child_view", "guardian_view", "external_ref"):
        if key in cleaned:
            cleaned[key] = (cleaned[key] or "").strip()
    if "needs" in cleaned:
        cleaned["needs"] = {
            code: text.strip() for code, text in (cleaned["needs"] or {}).items() if (text or "").strip()
        }
    cleaned.setdefault("external_kind", "")
    if not cleaned.get("external_kind"):
        cleaned["external_ref"] = ""
    return cleaned


def do_create_plan(*, acting_user, child, concern: Concern | None = None, **values) -> Plan:
    """Start the child's one plan. Refused with a clear message if one is already active
    (the database constraint one_active_plan_per_child is the final guard)."""
    acting = as_acting(acting_user)
    acting_user = acting.user
    authority.require_lead(acting, child, "create_plan")
    values = _clean_plan_values({"kind": PlanKind.SINGLE, "needs": {}, "child_view": "", "guardian_view": "", **values})
    errors: dict = {}
    _validate_plan_fields(values, errors, today=timezone.localdate())
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            plan = Plan.objects.create(
                child=child,
                municipality_id=child.municipality_id,
                concern=concern,
                created_by=acting_user,
                activity_id=writing_activity_id(acting),
                **{k: values[k] for k in EDITABLE_FIELDS if k in values},
            )
            _new_version(plan, acting_user, PlanChange.CREATED)
            if concern is not None:
                Concern.objects.filter(pk=concern.pk).update(status=ConcernStatus.PLAN)
            _log(acting, child, LogAction.CREATE, ObjectType.PLAN, plan.id)
    except IntegrityError as exc:
        if "one_active_plan_per_child" in str(exc):
            raise ValidationError(
                {"__all__": _("This child already has an active plan. Open it and change it instead.")}
            ) from None
        raise
    return plan


def do_update_plan(*, acting_user, plan: Plan, based_on_version: int, keep_theirs: tuple | list = (), **values) -> Plan:
    """Save changes to the plan. `based_on_version` is the version the editor loaded.

    Three-way merge against that version (backa.lib.merge): only the fields this editor changed
    are written; a field someone else changed since keeps their value; a field both changed
    raises PlanConflict and nothing is saved. `keep_theirs` names merge keys (see _flat) the
    editor chose to take from the other side. The saved plan's `merged_theirs` lists the labels
    of the other person's changes that were kept alongside this edit."""
    acting = as_acting(acting_user)
    with transaction.atomic():
        locked = _lock(plan, lead=acting.user)
        if not getattr(locked, "acting_is_lead", False):
            raise authority.AuthorityRefused("edit_plan")
        if locked.status != PlanStatus.ACTIVE:
            raise ValidationError({"__all__": _("The plan is closed and can no longer be changed.")})
        before = snapshot(locked)
        if locked.version == based_on_version:
            seen_snap = before
        else:
            seen = PlanVersion.objects.filter(plan=locked, number=based_on_version).first()
            seen_snap = seen.snapshot if seen else {}
        base, theirs = _flat(seen_snap), _flat(before)
        # What this editor submitted, completed from the version they saw (unsent fields are unchanged).
        seen_values = _unflat({k: v for k, v in base.items() if v is not None}) if seen_snap else {}
        if "needs" in seen_values:
            seen_values["needs"] = {c: t for c, t in seen_values["needs"].items() if t}
        mine = _flat_values(_clean_plan_values({**seen_values, **values}))
        merge = three_way(base, mine, theirs, keep_theirs=keep_theirs)
        if merge.conflicts:
            latest = PlanVersion.objects.filter(plan=locked).select_related("created_by").order_by("-number").first()
            raise PlanConflict(
                locked,
                based_on_version,
                diff_snapshots(seen_snap, before),
                latest.created_by if latest else None,
                conflicts=[
                    (form_field_name(key), merge_field_label(key), _display(key, my), _display(key, their))
                    for key, _was, my, their in merge.conflicts
                ],
                mine=[form_field_name(key) for key in [*merge.changes, *(c[0] for c in merge.conflicts)]],
            )
        current = {k: getattr(locked, k) for k in EDITABLE_FIELDS}
        changes = _unflat(merge.changes)
        if "needs" in changes:
            changes["needs"] = {
                c: t for c, t in {**(locked.needs or {}), **changes["needs"]}.items() if (t or "").strip()
            }
        merged = {**current, **changes}
        errors: dict = {}
        _validate_plan_fields(merged, errors, today=timezone.localdate())
        if errors and not ("review_date" in errors and merged.get("review_date") == locked.review_date):
            raise ValidationError(errors)
        for key in EDITABLE_FIELDS:
            setattr(locked, key, merged[key])
        # Taken once, for the diff and as the new version; an edit changes no goal or action (S6).
        after = snapshot(locked, items={"goals": before["goals"], "actions": before["actions"]})
        changed = changed_fields(before, after)
        merged_theirs = [merge_field_label(key) for key in merge.theirs_kept]
        setattr(locked, "merged_theirs", merged_theirs)  # noqa: B010 (read by the view)
        if not changed["fields"]:
            return locked
        saved = _bump(locked, acting, PlanChange.EDITED, Purpose.EDIT, snap=after, args=changed)
        setattr(saved, "merged_theirs", merged_theirs)  # noqa: B010
        return saved


def do_add_goal(*, acting_user, plan: Plan, description: str, area: str = "", target_date: date | None = None) -> Goal:
    """Add a goal to the plan (a new plan version)."""
    acting = as_acting(acting_user)
    authority.require_lead(acting, plan.child, "add_goal")
    errors = {}
    if not (description or "").strip():
        errors["description"] = _("Describe the goal.")
    if area and area not in AREA_CODES:
        errors["area"] = _("Unknown compass area.")
    if target_date and target_date < timezone.localdate():
        errors["target_date"] = _("The goal date cannot be in the past.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = _lock(plan)
        _require_active(locked)
        goal = Goal.objects.create(
            plan=locked,
            area=area,
            description=description.strip(),
            target_date=target_date,
            activity_id=writing_activity_id(acting),
        )
        _bump(locked, acting, PlanChange.GOAL_ADDED, Purpose.GOAL)
    return goal


def _require_active(plan):
    if plan.status != PlanStatus.ACTIVE:
        raise ValidationError({"__all__": _("The plan is closed and can no longer be changed.")})


def validate_action(*, description, owner_organisation, owner, starts_on, due_on, goal, plan) -> dict:
    errors = {}
    if not (description or "").strip():
        errors["description"] = _("Describe what will be done.")
    if owner_organisation is None:
        errors["owner_organisation"] = _("An action must have an owning organisation.")
    if owner is None:
        errors["owner"] = _("An action must have an owner: the person responsible.")
    elif (
        owner_organisation is not None
        and not Position.objects.filter(user=owner, unit__organisation=owner_organisation).exists()
    ):
        errors["owner"] = _("The owner must work in the owning organisation.")
    if starts_on and due_on and due_on < starts_on:
        errors["due_on"] = _("The end date must not be before the start date.")
    if goal is not None and goal.plan_id != plan.pk:
        errors["goal"] = _("The goal belongs to another plan.")
    return errors


def do_add_action(
    *,
    acting_user,
    plan: Plan,
    description: str,
    owner_organisation,
    owner,
    how: str = "",
    starts_on: date | None = None,
    due_on: date | None = None,
    expected_improvement: str = "",
    goal: Goal | None = None,
    from_decision: Decision | None = None,
    network_member=None,
) -> Action:
    """Add an action owned by an organisation and a named person (a new plan version).

    `network_member`: a trusted adult of the child's network who carries it out ("Morfar
    hämtar på fredagar"); the owner is still the professional who answers for it."""
    acting = as_acting(acting_user)
    authority.require_add_action(
        acting, plan.child, owner_organisation_id=owner_organisation.pk if owner_organisation is not None else None
    )
    errors = validate_action(
        description=description,
        owner_organisation=owner_organisation,
        owner=owner,
        starts_on=starts_on,
        due_on=due_on,
        goal=goal,
        plan=plan,
    )
    if network_member is not None and (network_member.child_id != plan.child_id or network_member.ended_on):
        errors["network_member"] = _("The person is not in this child's network.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = _lock(plan)
        _require_active(locked)
        action = Action.objects.create(
            network_member=network_member,
            plan=locked,
            goal=goal,
            description=description.strip(),
            how=(how or "").strip(),
            owner_organisation=owner_organisation,
            owner=owner,
            starts_on=starts_on,
            due_on=due_on,
            expected_improvement=(expected_improvement or "").strip(),
            from_decision=from_decision,
            activity_id=owner_activity_id(acting, owner, owner_organisation.pk),
        )
        _bump(locked, acting, PlanChange.ACTION_ADDED, Purpose.ACTION)
    return action


def do_set_action_status(*, acting_user, action: Action, status: str) -> Action:
    acting = as_acting(acting_user)
    authority.require_set_action_status(acting, action.plan.child, action)
    if status not in Action.Status.values:
        raise ValidationError({"status": _("Unknown status.")})
    with transaction.atomic():
        locked = _lock(action.plan)
        _require_active(locked)
        Action.objects.filter(pk=action.pk).update(status=status)
        _bump(locked, acting, PlanChange.ACTION_STATUS, Purpose.ACTION)
    action.status = status
    return action


def do_end_plan(
    *, acting_user, plan: Plan, status: str, reason: str, handed_over_to: str = "", ended_on: date | None = None
) -> Plan:
    """Close the plan or hand it over, always with a reason. The team's and the stödsamordnare's
    roles end with it (the barnkontakt stays): their access came from the plan."""
    acting = as_acting(acting_user)
    authority.require_lead(acting, plan.child, "end_plan")
    errors = {}
    if status not in (PlanStatus.CLOSED, PlanStatus.HANDED_OVER):
        errors["status"] = _("Choose close or hand over.")
    if not (reason or "").strip():
        errors["reason"] = _("Give the reason.")
    if status == PlanStatus.HANDED_OVER and not (handed_over_to or "").strip():
        errors["handed_over_to"] = _("Say who the plan is handed over to.")
    ended_on = ended_on or timezone.localdate()
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = _lock(plan)
        _require_active(locked)
        if ended_on < timezone.localdate(locked.created_at):
            raise ValidationError({"ended_on": _("A plan cannot end before it started.")})
        locked.status, locked.end_reason = status, reason.strip()
        locked.handed_over_to, locked.ended_on = (handed_over_to or "").strip(), ended_on
        change = PlanChange.CLOSED if status == PlanStatus.CLOSED else PlanChange.HANDED_OVER
        _bump(locked, acting, change, status)
        end_reason = EndReason.PLAN_CLOSED if status == PlanStatus.CLOSED else EndReason.PLAN_HANDED_OVER
        for assignment in RoleAssignment.objects.filter(
            role_active_on(timezone.localdate()),
            child_id=locked.child_id,
            kind__in=(RoleKind.TEAM_MEMBER, RoleKind.STODSAMORDNARE),
        ):
            do_end_role(acting_user=acting, assignment=assignment, reason=end_reason)
    return locked


def with_open_plan(children):
    """Annotate `open_plans` (0 or 1: one active plan per child) and `plan_review_date` (the
    active plan's next review) on a gate-filtered queryset of children; two subqueries,
    whatever the number of children."""
    from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
    from django.db.models.functions import Coalesce

    active = Plan.objects.filter(child_id=OuterRef("pk"), status=PlanStatus.ACTIVE).order_by()
    count = active.values("child_id").annotate(n=Count("pk")).values("n")[:1]
    return children.annotate(
        open_plans=Coalesce(Subquery(count, output_field=IntegerField()), Value(0)),
        plan_review_date=Subquery(active.order_by("review_date").values("review_date")[:1]),
    )


def active_plan(child):
    return (
        Plan.objects.filter(child=child, status=PlanStatus.ACTIVE)
        .select_related("organisation", "coordinator__user", "coordinator__unit")
        .first()
    )
