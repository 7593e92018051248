"""The family's own scope (the family view with e-ID, backa.family): who may see which child.

A family session holds one person: a guardian (children.Guardian) or a child (children.Child),
matched at login by the keyed hash of the personnummer (backa.family.oidc). The rules:

- a guardian sees the children they have custody of (Custody.has_custody); a guardian without
  custody sees nothing (and cannot log in at all: the login refuses a person with no child);
- a child with their own e-ID sees themself;
- a mature child's secrecy towards the guardians (consent.SecrecyTowardsGuardians, in force)
  leaves the guardians only the barnkontakt's name and how to reach them: no plan, meetings
  or log rows (`FamilyScope.restricted`);
- a child with protected identity: no place of meetings and no addresses on family pages
  (`FamilyScope.hide_places`);
- anything else is the same 404 as an unknown id, with one denied row in the access log
  naming the family person.

Every page asks `get_child_for_family`, which logs the access as the family's own
(audit.log.log_family_access) in the request's transaction.
"""

import uuid
from dataclasses import dataclass

from django.utils import timezone

from backa.audit.log import Action, log_family_access
from backa.audit.models import AccessLog, Outcome
from backa.audit.vocabulary import ObjectType
from backa.children.models import Child, Custody
from backa.consent.models import SecrecyTowardsGuardians

SESSION_KEY = "family_person"
GUARDIAN, CHILD = "guardian", "child"


@dataclass(frozen=True)
class FamilyPerson:
    kind: str  # GUARDIAN or CHILD
    id: uuid.UUID

    @classmethod
    def of(cls, request):
        raw = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
        if not raw:
            return None
        return cls(kind=raw["kind"], id=uuid.UUID(raw["id"]))

    def to_session(self) -> dict:
        return {"kind": self.kind, "id": str(self.id)}


@dataclass(frozen=True)
class FamilyScope:
    child: Child
    person: FamilyPerson
    restricted: bool  # a guardian facing the child's secrecy: only the barnkontakt
    hide_places: bool


class NotAFamilyPerson(Exception):
    """The e-ID's number is no guardian with custody and no child in the platform."""


def match_family_person(digest: str) -> FamilyPerson:
    """The family person with this personnummer's keyed hash (lib.identity.lookup_hash): a
    guardian with custody of at least one child, else the child; nobody else."""
    guardian_ids = list(
        Custody.objects.filter(guardian__pnr_hash=digest, has_custody=True)
        .values_list("guardian_id", flat=True)
        .distinct()[:2]
    )
    if len(guardian_ids) == 1:
        return FamilyPerson(kind=GUARDIAN, id=guardian_ids[0])
    child = Child.objects.filter(pnr_hash=digest).values_list("pk", flat=True).first()
    if child is not None:
        return FamilyPerson(kind=CHILD, id=child)
    raise NotAFamilyPerson


class FamilyNotFound(Exception):
    """Not this family's child (or an unknown id): the view answers 404 after the denied row."""


def secrecy_in_force(child_ids) -> set:
    today = timezone.localdate()
    return set(
        SecrecyTowardsGuardians.objects.filter(child_id__in=list(child_ids), decided_on__lte=today)
        .exclude(ended_on__lte=today)
        .values_list("child_id", flat=True)
    )


def family_child_ids(person: FamilyPerson) -> list:
    """The children this family person may open, in a stable order."""
    if person.kind == CHILD:
        return list(Child.objects.filter(pk=person.id).values_list("pk", flat=True))
    return list(
        Custody.objects.filter(guardian_id=person.id, has_custody=True)
        .order_by("child__birth_date", "child_id")
        .values_list("child_id", flat=True)
        .distinct()
    )


def family_children(person: FamilyPerson) -> list[Child]:
    ids = family_child_ids(person)
    by_id = {c.pk: c for c in Child.objects.filter(pk__in=ids)}
    return [by_id[i] for i in ids if i in by_id]


def get_child_for_family(request, person: FamilyPerson, child_id, *, object_type=ObjectType.CHILD, object_id=None):
    """The child and what this person may see of it, with the access logged as the family's
    own; FamilyNotFound (after a denied row) for anything else."""
    try:
        key = uuid.UUID(str(child_id))
    except ValueError:
        key = None
    action = Action.VIEW if request.method in ("GET", "HEAD") else Action.UPDATE
    if key is None or key not in set(family_child_ids(person)):
        AccessLog.objects.create(
            user_id=person.id,
            role=person.kind,
            child_id=key,
            object_type=str(object_type),
            object_id=str(object_id or child_id)[:64],
            action=action,
            purpose="family_guardian" if person.kind == GUARDIAN else "family_child",
            outcome=Outcome.DENIED,
            request_id=getattr(request, "request_id", None),
        )
        raise FamilyNotFound(str(child_id))
    child = Child.objects.get(pk=key)
    log_family_access(
        request=request,
        person_kind=person.kind,
        person_id=person.id,
        action=action,
        child=child,
        object_type=object_type,
        object_id=object_id,
    )
    restricted = person.kind == GUARDIAN and child.pk in secrecy_in_force([child.pk])
    return FamilyScope(child=child, person=person, restricted=restricted, hide_places=child.protected_identity)
