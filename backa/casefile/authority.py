"""Who may change what inside one child's file.

Passing the gate lets a person read the child's file (as far as consent and secrecy allow);
it does not let them reshape it. These rules say who may change the file's people and its
shared parts. Every write service of the plan and the team asks `require(...)` before it
changes anything; a refusal is a logged 403 (ToolRefused names the rule).

The rules (docs/security.md, "Authority inside the file"):
- *Leads* are the child's barnkontakt and the plan's stödsamordnare.
- Start a plan, edit its shared parts (reason, needs, views, goals), close or hand it over,
  add or remove team members: a lead.
- Appoint the stödsamordnare: the barnkontakt, the current stödsamordnare (handing on), or
  the district administrator of the child's home district. Nobody appoints themselves
  unless they are already the barnkontakt.
- Remove the stödsamordnare: the stödsamordnare, the barnkontakt, the district
  administrator, or a manager in the stödsamordnare's own organisation.
- Leave the team: every member may end their own team role.
- The child's network (Mitt nätverk): any lead or member writes it down, changes it, ranks it.
- An action: a lead may add one for any organisation of the team; a member adds actions
  owned by their own organisation. Its status is changed by its owner, a colleague in the
  owning organisation, or a lead.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef
from django.utils import timezone

from backa.access.objects import ToolRefused
from backa.accounts.models import PositionKind
from backa.audit.context import as_acting
from backa.audit.log import Action as LogAction
from backa.organisations.models import UnitType
from backa.roles.models import RoleAssignment, RoleKind, role_active_on

LEAD_ROLES = frozenset({RoleKind.BARNKONTAKT, RoleKind.STODSAMORDNARE})


class AuthorityRefused(ToolRefused):
    """A change the file's rules give to someone else: 403, logged as denied with the rule's name."""

    def __init__(self, rule: str):
        super().__init__(f"authority:{rule}", action=LogAction.UPDATE)
        self.rule = rule


@dataclass(frozen=True)
class Standing:
    """What the acting person is in this child's file today."""

    roles: frozenset
    organisation_ids: frozenset
    district_admin: bool
    manager_organisation_id: object | None

    @property
    def lead(self) -> bool:
        return bool(self.roles & LEAD_ROLES)

    @property
    def barnkontakt(self) -> bool:
        return RoleKind.BARNKONTAKT in self.roles

    @property
    def coordinator(self) -> bool:
        return RoleKind.STODSAMORDNARE in self.roles

    @property
    def member(self) -> bool:
        return bool(self.roles)


def standing(acting_user, child) -> Standing:
    """The acting person's roles for the child (through any of their positions) and whether the
    active position is the district administration of the child's home district or a manager."""
    acting = as_acting(acting_user)
    today = timezone.localdate()
    rows = list(
        RoleAssignment.objects.filter(role_active_on(today), child_id=child.pk, position__user=acting.user).values_list(
            "kind", "position__unit__organisation_id"
        )
    )
    position = acting.position
    district_admin = bool(
        position is not None
        and position.kind == PositionKind.DISTRICT_ADMIN
        and position.unit.unit_type == UnitType.ADMINISTRATION
        and position.unit.district_id is not None
        and position.unit.district_id == child.home_district_id
    )
    manager_org = (
        position.unit.organisation_id if position is not None and position.kind == PositionKind.MANAGER else None
    )
    return Standing(
        roles=frozenset(kind for kind, _ in rows),
        organisation_ids=frozenset(org for _, org in rows),
        district_admin=district_admin,
        manager_organisation_id=manager_org,
    )


def lead_exists(user):
    """Exists(...) for a plan row: `user` is a lead of the plan's child today (one subquery)."""
    return Exists(
        RoleAssignment.objects.filter(
            role_active_on(timezone.localdate()),
            child_id=OuterRef("child_id"),
            position__user=user,
            kind__in=LEAD_ROLES,
        )
    )


def _check(allowed: bool, rule: str) -> None:
    if not allowed:
        raise AuthorityRefused(rule)


def require_lead(acting_user, child, rule: str) -> Standing:
    """Start, edit, close or hand over the plan; add or remove team members."""
    s = standing(acting_user, child)
    _check(s.lead, rule)
    return s


def require_member(acting_user, child, rule: str) -> Standing:
    """Change the child's network: the barnkontakt, the stödsamordnare or a team member."""
    s = standing(acting_user, child)
    _check(s.member, rule)
    return s


def may_appoint_coordinator(s: Standing) -> bool:
    return s.barnkontakt or s.coordinator or s.district_admin


def require_appoint_coordinator(acting_user, child) -> Standing:
    s = standing(acting_user, child)
    _check(may_appoint_coordinator(s), "appoint_coordinator")
    return s


def may_end_role(s: Standing, assignment: RoleAssignment, *, acting_user_id) -> bool:
    """Whether this person may end `assignment` (a team or coordinator role of the child)."""
    own = assignment.position.user_id == acting_user_id
    if assignment.kind == RoleKind.STODSAMORDNARE:
        return (
            own
            or s.barnkontakt
            or s.district_admin
            or (
                s.manager_organisation_id is not None
                and s.manager_organisation_id == assignment.position.unit.organisation_id
            )
        )
    if assignment.kind == RoleKind.TEAM_MEMBER:
        return own or s.lead or s.district_admin
    return False


def require_end_role(acting_user, child, assignment: RoleAssignment) -> Standing:
    acting = as_acting(acting_user)
    s = standing(acting, child)
    _check(may_end_role(s, assignment, acting_user_id=acting.user.pk), "end_role")
    return s


def may_add_action(s: Standing, *, owner_organisation_id) -> bool:
    return s.lead or (s.member and owner_organisation_id in s.organisation_ids)


def require_add_action(acting_user, child, *, owner_organisation_id) -> Standing:
    s = standing(acting_user, child)
    _check(may_add_action(s, owner_organisation_id=owner_organisation_id), "add_action")
    return s


def may_set_action_status(s: Standing, action, *, acting_user_id) -> bool:
    return (
        s.lead or action.owner_id == acting_user_id or (s.member and action.owner_organisation_id in s.organisation_ids)
    )


def require_set_action_status(acting_user, child, action) -> Standing:
    acting = as_acting(acting_user)
    s = standing(acting, child)
    _check(may_set_action_status(s, action, acting_user_id=acting.user.pk), "action_status")
    return s
