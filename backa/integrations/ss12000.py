"""SS 12000 v2.1 (school data) client and import of enrolments, preschool placements,
duties and protected identity.

The client reads the collections of the API in /work/shared/data/ss12000 (OpenAPI 3.0):
`GET /organisations`, `/persons`, `/duties` and `/placements` in pages (`data` +
`pageToken`), with a bearer token. The import:

* maps SS 12000 organisations of type *Skolenhet* to our units by skolenhetskod
  (`Unit.external_id`), and refuses the whole run if an enrolment points at a school unit
  we do not know;
* matches persons to children on the personnummer (`civicNo.value`), never creating
  children (the population register is the master for who lives here);
* sets `protected_identity` from `securityMarking` (anything but *Ingen*);
* creates each active enrolment at the unit once (idempotent on child, unit, start date)
  and closes ours when SS 12000 gives an end date; likewise each preschool placement
  (`Placement`, schoolType FS) as a placement at the förskola;
* maps duties (`Duty`: rektor, lärare, förskollärare, skolsköterska, kurator, skolpsykolog at
  a school unit) to positions of the staff member's account, matched on eduPersonPrincipalName
  or work email = username or email: the life-phase rules then find the rektor. A duty of a
  person without an account here is counted, not an error. A duty's end date closes the
  position it created.

Validate first, then write in one transaction; rerunning changes nothing.
"""

import json
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from backa.accounts.models import Position, PositionKind, User
from backa.audit.log import Action, log_access_many
from backa.audit.vocabulary import Purpose
from backa.children.models import Enrolment
from backa.integrations.register import children_by_number_hash
from backa.lib import identity
from backa.organisations.models import Municipality, Unit

PROTECTED_MARKINGS = {"Sekretessmarkering", "Skyddad folkbokföring"}
MAX_PAGES = 10_000


class SS12000Error(Exception):
    pass


class SS12000Client:
    """A small client for the SS 12000 v2.1 REST API: paging, bearer token, timeouts."""

    def __init__(self, base_url: str, *, token: str = "", timeout: float = 30.0, page_size: int = 500):
        self.base_url = base_url.rstrip("/")
        self.token, self.timeout, self.page_size = token, timeout, page_size

    def get(self, path: str, params: dict | None = None) -> dict:
        query = urllib.parse.urlencode(params or {}, doseq=True)
        request = urllib.request.Request(
            f"{self.base_url}{path}{'?' + query if query else ''}", headers={"Accept": "application/json"}
        )
        if self.token:
            request.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 - configured URL
                return json.loads(response.read().decode("utf-8"))
        except (OSError, ValueError) as exc:
            raise SS12000Error(f"GET {path}: {exc}") from exc

    def collection(self, path: str, **params):
        """Every item of a collection, following pageToken until the last page."""
        params = {"limit": self.page_size, **params}
        for _page in range(MAX_PAGES):
            body = self.get(path, params)
            yield from body.get("data", [])
            token = body.get("pageToken")
            if not token:
                return
            params = {"pageToken": token}
        raise SS12000Error(f"{path}: more than {MAX_PAGES} pages")

    def organisations(self):
        return self.collection("/organisations")

    def persons(self):
        return self.collection("/persons")

    def duties(self):
        return self.collection("/duties")

    def placements(self):
        return self.collection("/placements")


# SS 12000 dutyRole → our position kind (other roles are not read).
DUTY_KINDS = {
    "Rektor": PositionKind.REKTOR,
    "Förskolechef": PositionKind.REKTOR,
    "Lärare": PositionKind.TEACHER,
    "Förstelärare": PositionKind.TEACHER,
    "Förskollärare": PositionKind.PRESCHOOL_TEACHER,
    "Skolsköterska": PositionKind.SCHOOL_NURSE,
    "Kurator": PositionKind.COUNSELLOR,
    "Skolpsykolog": PositionKind.PSYCHOLOGIST,
}
PRESCHOOL = "FS"


@dataclass
class SyncReport:
    enrolments_created: int = 0
    enrolments_closed: int = 0
    placements_created: int = 0
    placements_closed: int = 0
    positions_created: int = 0
    positions_closed: int = 0
    protected_marked: int = 0
    persons_unchanged: int = 0
    persons_unknown: int = 0  # pupils not in our population register
    staff_without_account: int = 0
    duties_not_read: int = 0  # other roles, or at an organisation that is not a school unit
    errors: list = field(default_factory=list)

    @property
    def created(self) -> int:
        return self.enrolments_created + self.placements_created + self.positions_created

    @property
    def updated(self) -> int:
        return self.enrolments_closed + self.placements_closed + self.positions_closed + self.protected_marked

    @property
    def changes(self) -> int:
        return self.created + self.updated


def _date(value):
    return date.fromisoformat(value) if value else None


def _staff_keys(person) -> set:
    keys = {v.lower() for v in person.get("eduPersonPrincipalNames") or [] if v}
    keys |= {(e.get("value") or "").lower() for e in person.get("emails") or [] if e.get("value")}
    return keys


def sync_ss12000(
    client: SS12000Client, municipality: Municipality, *, acting_user=None, today: date | None = None, progress=None
) -> SyncReport:
    """Read everything, validate, then write in one transaction. Errors name the SS 12000 id, never a personnummer."""
    report = SyncReport()
    progress = progress or (lambda done, total: None)
    organisations = list(client.organisations())
    persons = list(client.persons())
    duties = list(client.duties())
    placements = list(client.placements())
    units = {
        u.external_id: u for u in Unit.objects.filter(organisation__municipality=municipality).exclude(external_id="")
    }
    unit_of_org = {}
    for org in organisations:
        code = org.get("schoolUnitCode")
        if org.get("organisationType") == "Skolenhet" and code:
            if code in units:
                unit_of_org[org["id"]] = units[code]
            else:
                report.errors.append(_("Organisation %(id)s: unknown school unit code.") % {"id": org["id"]})
    person_by_id = {p.get("id"): p for p in persons}
    placed = {}  # person id -> [(unit, start, end, kind)], and markings carried by the reference
    reference_marking = {}
    for placement in placements:
        if placement.get("schoolType") != PRESCHOOL:
            continue  # fritidshem: not a barnkontakt matter
        child_ref = placement.get("child") or {}
        unit = unit_of_org.get((placement.get("placedAt") or {}).get("id"))
        if unit is None:
            report.errors.append(_("Placement %(id)s: at an unknown school unit.") % {"id": placement.get("id")})
            continue
        if child_ref.get("id") not in person_by_id:
            report.errors.append(
                _("Placement %(id)s: the child is not among the persons.") % {"id": placement.get("id")}
            )
            continue
        placed.setdefault(child_ref["id"], []).append(
            (unit, _date(placement["startDate"]), _date(placement.get("endDate")), Enrolment.Kind.PLACEMENT)
        )
        if child_ref.get("securityMarking"):
            reference_marking[child_ref["id"]] = child_ref["securityMarking"]
    wanted = []  # (number hash, marking, [(unit, start, end, kind)])
    for person in persons:
        enrolments = []
        for enrolment in person.get("enrolments", []):
            if enrolment.get("cancelled"):
                continue
            unit = unit_of_org.get((enrolment.get("enroledAt") or {}).get("id"))
            if unit is None:
                report.errors.append(
                    _("Person %(id)s: enrolment at an unknown school unit.") % {"id": person.get("id")}
                )
                continue
            enrolments.append(
                (unit, _date(enrolment["startDate"]), _date(enrolment.get("endDate")), Enrolment.Kind.PUPIL)
            )
        enrolments += placed.get(person.get("id"), [])
        civic = (person.get("civicNo") or {}).get("value", "")
        try:
            number = identity.parse(civic, today=today)
        except identity.InvalidIdentityNumber as exc:
            if enrolments:  # a pupil or placed child must be matched; staff need no number here
                report.errors.append(
                    _("Person %(id)s: civicNo: %(reason)s") % {"id": person.get("id"), "reason": exc.message}
                )
            continue
        marking = person.get("securityMarking") or reference_marking.get(person.get("id")) or "Ingen"
        if reference_marking.get(person.get("id")) in PROTECTED_MARKINGS:
            marking = reference_marking[person["id"]]
        wanted.append((identity.lookup_hash(number), marking, enrolments))  # no enrolments: its marking still counts
    wanted_positions = _read_duties(duties, person_by_id, unit_of_org, report)
    if report.errors:
        return report

    children = children_by_number_hash([h for h, _m, _e in wanted])
    total = len(wanted) + len(wanted_positions)
    with transaction.atomic():
        marked, touched = [], []
        for index, (number_hash, marking, enrolments) in enumerate(wanted, 1):
            child = children.get(number_hash)
            if child is None:
                report.persons_unknown += bool(enrolments)  # staff and others are not counted
                continue
            changed = False
            if marking in PROTECTED_MARKINGS and not child.protected_identity:
                child.protected_identity = True
                child.save(update_fields=["protected_identity", "updated_at"])
                marked.append(child)
                changed = True
            existing = {(e.unit_id, e.valid_from): e for e in child.enrolments.all()}
            for unit, start, end, kind in enrolments:
                ours = existing.get((unit.id, start))
                is_placement = kind == Enrolment.Kind.PLACEMENT
                if ours is None:
                    ours = Enrolment.objects.create(
                        id=uuid.uuid4(),
                        child=child,
                        municipality=municipality,
                        unit=unit,
                        kind=kind,
                        valid_from=start,
                        valid_to=end,
                    )
                    existing[(unit.id, start)] = ours
                    if is_placement:
                        report.placements_created += 1
                    else:
                        report.enrolments_created += 1
                    changed = True
                elif end is not None and ours.valid_to != end:
                    ours.valid_to = end
                    ours.save(update_fields=["valid_to"])
                    if is_placement:
                        report.placements_closed += 1
                    else:
                        report.enrolments_closed += 1
                    changed = True
            if changed:
                touched.append(child)
            else:
                report.persons_unchanged += 1
            if index % 500 == 0:
                progress(index, total)
        _write_positions(wanted_positions, report)
        progress(total, total)
        report.protected_marked = len(marked)
        log_access_many(user=acting_user, action=Action.UPDATE, children=touched, purpose=Purpose.SS12000_IMPORT)
    return report


def _read_duties(duties, person_by_id, unit_of_org, report) -> list:
    """[(user, unit, kind, title, start, end)] for the duties we read; unknown staff are counted."""
    keys_of = {}
    for duty in duties:
        kind = DUTY_KINDS.get(duty.get("dutyRole"))
        unit = unit_of_org.get((duty.get("dutyAt") or {}).get("id"))
        if kind is None or unit is None:
            report.duties_not_read += 1
            continue
        person = person_by_id.get((duty.get("person") or {}).get("id"))
        if person is None:
            report.errors.append(_("Duty %(id)s: the person is not among the persons.") % {"id": duty.get("id")})
            continue
        keys_of[duty["id"]] = (
            _staff_keys(person),
            unit,
            kind,
            duty.get("dutyRole"),
            _date(duty["startDate"]),
            _date(duty.get("endDate")),
        )
    all_keys = set().union(*(k for k, *_rest in keys_of.values())) if keys_of else set()
    users = {}
    if all_keys:
        query = Q()
        for key in all_keys:
            query |= Q(username__iexact=key) | Q(email__iexact=key)
        for user in User.objects.filter(query, is_active=True):
            for key in (user.username.lower(), (user.email or "").lower()):
                if key in all_keys:
                    users.setdefault(key, user)
    result = []
    for keys, unit, kind, title, start, end in keys_of.values():
        user = next((users[k] for k in sorted(keys) if k in users), None)
        if user is None:
            report.staff_without_account += 1
            continue
        result.append((user, unit, kind, title, start, end))
    return result


def _write_positions(wanted_positions, report):
    for user, unit, kind, title, start, end in wanted_positions:
        ours = list(Position.objects.filter(user=user, unit=unit, kind=kind))
        same = next((p for p in ours if p.valid_from == start), None)
        if same is not None:
            if end is not None and same.valid_to != end:
                same.valid_to = end
                same.save(update_fields=["valid_to"])
                report.positions_closed += 1
            continue
        if any(p.valid_from <= start and (p.valid_to is None or p.valid_to >= start) for p in ours):
            continue  # a post recorded here already covers it
        Position.objects.create(user=user, unit=unit, kind=kind, role_title=title[:100], valid_from=start, valid_to=end)
        report.positions_created += 1
