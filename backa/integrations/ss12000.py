"""SS 12000 v2.1 (school data) client and import of enrolments and protected identity.

The client reads the collections of the API in /work/shared/data/ss12000 (OpenAPI 3.0):
`GET /organisations` and `GET /persons?expand=...` in pages (`data` + `pageToken`), with
a bearer token. The import:

* maps SS 12000 organisations of type *Skolenhet* to our units by skolenhetskod
  (`Unit.external_id`), and refuses the whole run if an enrolment points at a school unit
  we do not know;
* matches persons to children on the personnummer (`civicNo.value`), never creating
  children (the population register is the master for who lives here);
* sets `protected_identity` from `securityMarking` (anything but *Ingen*);
* creates each active enrolment at the unit once (idempotent on child, unit, start date)
  and closes ours when SS 12000 gives an end date.

Validate first, then write in one transaction; rerunning changes nothing.
"""
import json
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from backa.audit.log import Action, log_access_many
from backa.children import identity
from backa.children.models import Enrolment
from backa.organisations.models import Municipality, Unit

from .register import children_by_number_hash

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
        request = urllib.request.Request(f"{self.base_url}{path}{'?' + query if query else ''}",
                                         headers={"Accept": "application/json"})
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


@dataclass
class SyncReport:
    enrolments_created: int = 0
    enrolments_closed: int = 0
    protected_marked: int = 0
    persons_unknown: int = 0
    errors: list = field(default_factory=list)

    @property
    def changes(self) -> int:
        return self.enrolments_created + self.enrolments_closed + self.protected_marked


def _date(value):
    return date.fromisoformat(value) if value else None


def sync_ss12000(client: SS12000Client, municipality: Municipality, *, acting_user=None, today: date | None = None) -> SyncReport:
    """Read everything, validate, then write in one transaction. Errors name the SS 12000 id, never a personnummer."""
    report = SyncReport()
    organisations = list(client.organisations())
    persons = list(client.persons())
    units = {u.external_id: u for u in Unit.objects.filter(organisation__municipality=municipality).exclude(external_id="")}
    unit_of_org = {}
    for org in organisations:
        code = org.get("schoolUnitCode")
        if org.get("organisationType") == "Skolenhet" and code:
            if code in units:
                unit_of_org[org["id"]] = units[code]
            else:
                report.errors.append(_("Organisation %(id)s: unknown school unit code.") % {"id": org["id"]})
    wanted = []  # (number hash, marking, [(unit, start, end)])
    for person in persons:
        civic = (person.get("civicNo") or {}).get("value", "")
        try:
            number = identity.parse(civic, today=today)
        except identity.InvalidIdentityNumber as exc:
            report.errors.append(_("Person %(id)s: civicNo: %(reason)s") % {"id": person.get("id"), "reason": exc.message})
            continue
        enrolments = []
        for enrolment in person.get("enrolments", []):
            if enrolment.get("cancelled"):
                continue
            org_id = (enrolment.get("enroledAt") or {}).get("id")
            unit = unit_of_org.get(org_id)
            if unit is None:
                report.errors.append(_("Person %(id)s: enrolment at an unknown school unit.") % {"id": person.get("id")})
                continue
            enrolments.append((unit, _date(enrolment["startDate"]), _date(enrolment.get("endDate"))))
        wanted.append((identity.lookup_hash(number), person.get("securityMarking", "Ingen"), enrolments))
    if report.errors:
        return report

    children = children_by_number_hash([h for h, _m, _e in wanted])
    with transaction.atomic():
        marked, touched = [], []
        for number_hash, marking, enrolments in wanted:
            child = children.get(number_hash)
            if child is None:
                report.persons_unknown += 1
                continue
            changed = False
            if marking in PROTECTED_MARKINGS and not child.protected_identity:
                child.protected_identity = True
                child.save(update_fields=["protected_identity", "updated_at"])
                marked.append(child)
                changed = True
            existing = {(e.unit_id, e.valid_from): e for e in child.enrolments.all()}
            for unit, start, end in enrolments:
                ours = existing.get((unit.id, start))
                if ours is None:
                    Enrolment.objects.create(id=uuid.uuid4(), child=child, municipality=municipality, unit=unit,
                                             kind=Enrolment.Kind.PUPIL, valid_from=start, valid_to=end)
                    report.enrolments_created += 1
                    changed = True
                elif end is not None and ours.valid_to != end:
                    ours.valid_to = end
                    ours.save(update_fields=["valid_to"])
                    report.enrolments_closed += 1
                    changed = True
            if changed:
                touched.append(child)
        report.protected_marked = len(marked)
        log_access_many(user=acting_user, action=Action.UPDATE, children=touched, purpose="ss12000_import")
    return report
