"""The chronology of significant events, built from every step's entries."""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from backa.audit.context import as_acting
from backa.audit.log import Action as LogAction
from backa.audit.vocabulary import ObjectType
from backa.casefile import secrecy
from backa.casefile.common import _log, writing_activity_id
from backa.casefile.models import (
    Assessment,
    ChronologyEntry,
    Concern,
    ConcernReport,
    Conversation,
    FollowUp,
    Meeting,
    PlanVersion,
)
from backa.children.models import RegisterEvent
from backa.roles.models import RoleAssignment


def do_add_chronology_entry(
    *, acting_user, child, occurred_on: date, title: str, description: str = ""
) -> ChronologyEntry:
    acting = as_acting(acting_user)
    acting_user = acting.user
    errors = {}
    if not (title or "").strip():
        errors["title"] = _("Name the event.")
    if not occurred_on:
        errors["occurred_on"] = _("Give the date.")
    elif occurred_on > timezone.localdate():
        errors["occurred_on"] = _("The date cannot be in the future.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        entry = ChronologyEntry.objects.create(
            child=child,
            municipality_id=child.municipality_id,
            occurred_on=occurred_on,
            title=title.strip()[:200],
            description=description.strip(),
            created_by=acting_user,
            activity_id=writing_activity_id(acting),
        )
        _log(acting, child, LogAction.CREATE, ObjectType.CHRONOLOGY_ENTRY, entry.id)
    return entry


CATEGORIES = {
    "concern": gettext_lazy("Concern"),
    "conversation": gettext_lazy("Conversation"),
    "assessment": gettext_lazy("Assessment"),
    "plan": gettext_lazy("Plan"),
    "meeting": gettext_lazy("Meeting"),
    "follow_up": gettext_lazy("Follow-up"),
    "report": gettext_lazy("Concern report"),
    "role": gettext_lazy("Roles and handovers"),
    "register": gettext_lazy("Population register"),
    "manual": gettext_lazy("Other event"),
}


@dataclass
class Event:
    day: date
    category: str
    title: str
    detail: str = ""

    @property
    def category_label(self):
        return CATEGORIES[self.category]


def chronology(child, *, scope, categories=None, since=None, until=None) -> list[Event]:
    """Significant events from the records plus manual entries, newest first.
    A fixed number of queries whatever the length."""
    return chronology_with_hidden(child, scope=scope, categories=categories, since=since, until=until)[0]


def chronology_with_hidden(child, *, scope, categories=None, since=None, until=None) -> tuple[list[Event], bool]:
    """The chronology as `scope` (from visible_entry_scope) may see it, and whether other
    organisations' conversations or assessments were left out (told without a count)."""
    events: list[Event] = []
    notice = str(secrecy.HIDDEN_NOTICE)
    for c in Concern.objects.filter(child=child).select_related("reported_by"):
        seen = secrecy.visible(scope, c)
        events.append(
            Event(
                c.observed_on,
                "concern",
                _("Concern noticed (%(urgency)s)") % {"urgency": c.get_urgency_display()},
                ", ".join(str(label) for label in c.area_labels()) if seen else notice,
            )
        )
    conversations, hidden_notes = secrecy.split(list(Conversation.objects.filter(child=child)), scope, secrecy.NOTES)
    assessments, hidden_assessments = secrecy.split(
        list(Assessment.objects.filter(child=child)), scope, secrecy.ASSESSMENTS
    )
    for c in conversations:
        events.append(
            Event(
                c.held_on,
                "conversation",
                _("Conversation with the child and family"),
                _("Consent: %(s)s") % {"s": c.get_consent_status_display()},
            )
        )
    for a in assessments:
        events.append(Event(a.assessed_on, "assessment", _("Behovskompassen assessment")))
    for v in PlanVersion.objects.filter(plan__child=child).select_related("created_by"):
        events.append(
            Event(timezone.localdate(v.created_at), "plan", _("Plan version %(n)s") % {"n": v.number}, v.change_text)
        )
    for m in Meeting.objects.filter(child=child):
        events.append(
            Event(
                timezone.localdate(m.starts_at),
                "meeting",
                _("Meeting of barnets team (%(status)s)") % {"status": m.get_status_display()},
                m.get_child_heard_display() if m.child_heard else "",
            )
        )
    for f in FollowUp.objects.filter(child=child):
        if secrecy.visible(scope, f):
            events.append(Event(f.held_on, "follow_up", _("Follow-up: %(o)s") % {"o": f.get_outcome_display()}))
        else:
            events.append(Event(f.held_on, "follow_up", _("Follow-up"), notice))
    for r in ConcernReport.objects.filter(child=child):
        secrecy.mask(r, scope)
        events.append(
            Event(
                timezone.localdate(r.reported_at),
                "report",
                _("Concern report to social services"),
                notice if getattr(r, "outcome_hidden_by_secrecy", False) else r.get_status_display(),
            )
        )
    for ra in RoleAssignment.objects.filter(child=child).select_related("position__unit__organisation"):
        # A unit's name can tell where a child with protected identity goes: show the organisation only.
        where = ra.position.unit.organisation.name if child.protected_identity else ra.position.unit.name
        events.append(
            Event(ra.valid_from, "role", _("%(role)s from %(unit)s") % {"role": ra.get_kind_display(), "unit": where})
        )
    for event in RegisterEvent.objects.filter(child=child):
        # A new number, a death, an emigration, a custody change...: the kind and the day only.
        events.append(Event(event.occurred_on, "register", event.get_kind_display()))
    for e in secrecy.mask_all(list(ChronologyEntry.objects.filter(child=child)), scope):
        events.append(Event(e.occurred_on, "manual", e.title, e.description))
    if categories:
        events = [e for e in events if e.category in categories]
    if since:
        events = [e for e in events if e.day >= since]
    if until:
        events = [e for e in events if e.day <= until]
    events.sort(key=lambda e: (e.day, e.category), reverse=True)
    return events, hidden_notes or hidden_assessments
