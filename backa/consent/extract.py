"""Loggutdrag: every access to one child in a period, as the data subject may ask for it.

Each row has date and time, organisation and unit, action and purpose; the professional's
name only when the producer chooses to release it (GDPR art. 15 as read in C-579/21;
for public bodies after a secrecy review). Names are looked up per distinct id, so the
extract costs a fixed number of queries whatever its length.
"""

from datetime import datetime, time, timedelta

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from backa.accounts.models import User
from backa.audit.models import AccessLog, Action
from backa.lib import csv as lib_csv
from backa.organisations.models import Organisation, Unit

MAX_ROWS = 20000
PURPOSE_LABELS = {
    "barnkontakt": gettext_lazy("Barnkontakt"),
    "stodsamordnare": gettext_lazy("Stödsamordnare"),
    "team_member": gettext_lazy("Member of the child's team"),
    "emergency": gettext_lazy("Emergency access"),
}


def rows_for(child, start, end, *, names: bool = False) -> list[dict]:
    begin = timezone.make_aware(datetime.combine(start, time.min))
    stop = timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min))
    logs = list(
        AccessLog.objects.filter(child_id=child.pk, occurred_at__gte=begin, occurred_at__lt=stop)
        .order_by("occurred_at", "id")
        .values("occurred_at", "organisation_id", "unit_id", "user_id", "action", "purpose", "outcome", "emergency")[
            :MAX_ROWS
        ]
    )
    orgs: dict = dict(
        Organisation.objects.filter(pk__in={r["organisation_id"] for r in logs}).values_list("pk", "name")
    )
    units: dict = dict(Unit.objects.filter(pk__in={r["unit_id"] for r in logs}).values_list("pk", "name"))
    people: dict = {}
    if names:
        people = {
            u.pk: u.get_full_name() or u.username for u in User.objects.filter(pk__in={r["user_id"] for r in logs})
        }
    actions = dict(Action.choices)
    out = []
    for r in logs:
        purposes = [str(PURPOSE_LABELS.get(p, p)) for p in r["purpose"].split(",") if p]
        out.append(
            {
                "occurred_at": timezone.localtime(r["occurred_at"]),
                "organisation": orgs.get(r["organisation_id"], "–"),
                "unit": units.get(r["unit_id"], "–"),
                "action": str(actions.get(r["action"], r["action"])),
                "purpose": ", ".join(purposes),
                "denied": r["outcome"] == "denied",
                "emergency": r["emergency"],
                "person": people.get(r["user_id"], "") if names else "",
            }
        )
    return out


def csv_response(rows, *, names: bool) -> HttpResponse:
    header = [_("Date and time"), _("Organisation"), _("Unit"), _("Action"), _("Purpose"), _("Outcome")]
    lines = []
    for r in rows:
        outcome = _("Denied") if r["denied"] else (_("Emergency access") if r["emergency"] else _("Allowed"))
        line = [
            r["occurred_at"].strftime("%Y-%m-%d %H:%M"),
            r["organisation"],
            r["unit"],
            r["action"],
            r["purpose"],
            outcome,
        ]
        lines.append([str(v) for v in line + ([r["person"]] if names else [])])
    return lib_csv.csv_response("loggutdrag.csv", header + ([_("Person")] if names else []), lines)
