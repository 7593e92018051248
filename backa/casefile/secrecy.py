"""Filtering a child's entries by the activity that wrote them (OSL, also inside one board).

The one place every page, PDF, CSV, API route and the chronology asks. The rule itself lives
in the consent app: `visible_entry_scope(request, child)` (backa.access.gate) builds a
SharingScope once per request for the session's position's activity (verksamhet), and the
scope answers from consents, legal bases and the board's activity sharing rules.

Every entry type has one information category (ENTRY_CATEGORY) and records its writing
activity in `activity`. An entry without an activity (written before activities were
recorded and not backfilled) is shown to no one: default deny.

What a reader may not see is not dropped: `mask()` replaces the entry's text fields in memory
with a neutral notice (HIDDEN_NOTICE), so lists and counts stay as they are and reveal
nothing, and the masked object refuses to be saved.
"""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from backa.casefile.models import (
    Action,
    Assessment,
    ChronologyEntry,
    Concern,
    ConcernReport,
    Conversation,
    FollowUp,
    Goal,
    Meeting,
    Plan,
)
from backa.consent.models import Category
from backa.organisations.models import ActivityKind

NOTES = Category.NOTES.value
ASSESSMENTS = Category.ASSESSMENTS.value
MEETING_MINUTES = Category.MEETING_MINUTES.value
PLAN_CONTRIBUTIONS = Category.PLAN_CONTRIBUTIONS.value

SOCIAL_SERVICES = ActivityKind.SOCIAL_SERVICES_IFO.value

HIDDEN_NOTICE = _("Content from another activity is not shown: no consent or legal basis covers it.")

# Every entry type: its category and the fields that hold what its activity wrote.
ENTRY_TYPES = {
    Concern: (NOTES, ("description", "status_note")),
    Conversation: (NOTES, ("child_words", "guardian_words", "professional_notes")),
    Assessment: (ASSESSMENTS, ("summary",)),
    ConcernReport: (NOTES, ("information", "reporter_description")),
    Plan: (PLAN_CONTRIBUTIONS, ("reason", "child_view", "guardian_view", "end_reason", "handed_over_to")),
    Goal: (PLAN_CONTRIBUTIONS, ("description",)),
    Action: (PLAN_CONTRIBUTIONS, ("description", "how", "expected_improvement")),
    FollowUp: (PLAN_CONTRIBUTIONS, ("summary", "child_view")),
    Meeting: (MEETING_MINUTES, ("agenda", "minutes", "child_heard_how")),
    ChronologyEntry: (NOTES, ("title", "description")),
}
# Social services' part of an orosanmälan: seen by social services' activity and, as the
# law's feedback to the reporter, by the reporter's activity.
REPORT_OUTCOME_FIELDS = ("feedback_to_reporter", "decision_note", "safety_note")
REPORT_OUTCOME_CLEARED = {
    "investigation_opened": None,
    "child_spoken_with": None,
    "child_heard_how": "",
    "child_not_heard_reason": "",
    "decision_reason": "",
    "decision": "",
    "pre_assessment_decided_on": None,
    "investigation_decided_on": None,
    "feedback_given_on": None,
}


def category_of(entry) -> str:
    return ENTRY_TYPES[type(entry)][0]


def entries_q(scope, category: str, field: str = "activity") -> Q:
    """A queryset filter: entries of `category` the scope's viewer may see."""
    return scope.activity_q(category, field)


def visible(scope, entry) -> bool:
    """May the scope's viewer see this entry (any entry type above)?

    An orosanmälan is also seen by social services' individual and family care: the duty
    to report is the legal basis that carries it there (socialtjänstlagen)."""
    if isinstance(entry, ConcernReport) and scope.viewer_activity_kind == SOCIAL_SERVICES:
        return True
    return scope.allows_entry(entry.activity_id, category_of(entry))


def split(entries, scope, category: str):
    """(visible entries, whether any were hidden), for rows already in memory."""
    shown = [e for e in entries if scope.allows_entry(e.activity_id, category)]
    return shown, len(shown) != len(entries)


def _refuse_save(*args, **kwargs):
    raise RuntimeError("A masked entry (casefile.secrecy.mask) cannot be saved.")


def mask(entry, scope):
    """The entry as the viewer may see it: unchanged, or with its text replaced by the notice.

    Returns the entry; `entry.hidden_by_secrecy` says which. Plans also mask their needs;
    reports social services' outcome where the viewer is neither social services nor the
    reporter. A meeting keeps whether the child was heard (the team's fact) and loses how."""
    fields = ENTRY_TYPES[type(entry)][1]
    hidden = not visible(scope, entry)
    if isinstance(entry, ConcernReport):
        _mask_report_outcome(entry, scope, hidden)
    if hidden:
        notice = str(HIDDEN_NOTICE)
        for name in fields:
            if getattr(entry, name, ""):
                setattr(entry, name, notice)
        if isinstance(entry, Plan):
            entry.needs = {}
        entry.save = _refuse_save
    entry.hidden_by_secrecy = hidden
    return entry


def _mask_report_outcome(report, scope, hidden: bool):
    outcome_seen = (
        scope.viewer_activity_kind == SOCIAL_SERVICES
        or scope.allows_entry(report.outcome_activity_id, NOTES)
        or (report.activity_id is not None and report.activity_id == scope.viewer_activity_id)
    )
    if not outcome_seen:
        for name in REPORT_OUTCOME_FIELDS:
            if getattr(report, name, ""):
                setattr(report, name, str(HIDDEN_NOTICE))
        for name, empty in REPORT_OUTCOME_CLEARED.items():
            if hasattr(report, name):
                setattr(report, name, empty)
        report.save = _refuse_save
    report.outcome_hidden_by_secrecy = not outcome_seen


def mask_all(entries, scope):
    """mask() each entry; returns the list (in the same order, none dropped)."""
    return [mask(e, scope) for e in entries]


def mask_plan(plan, scope, *, goals=None, actions=None, follow_ups=None):
    """The plan and its parts as the viewer may see them: each by its own writing activity."""
    mask(plan, scope)
    return (
        plan,
        mask_all(goals, scope) if goals is not None else None,
        mask_all(actions, scope) if actions is not None else None,
        mask_all(follow_ups, scope) if follow_ups is not None else None,
    )


def plan_parts(plan, scope) -> dict:
    """The plan masked, with its goals, actions and follow-ups each masked by its own activity."""
    mask(plan, scope)
    return {
        "goals": mask_all(list(plan.goals.all()), scope),
        "actions": mask_all(list(plan.actions.select_related("owner", "owner_organisation", "goal")), scope),
        "follow_ups": mask_all(list(FollowUp.objects.filter(plan=plan)), scope),
    }


SNAPSHOT_TEXT = ("reason", "child_view", "guardian_view", "external_ref")
SNAPSHOT_ITEM_TEXT = ("description", "how", "expected_improvement")


def mask_snapshot(snap: dict, scope, plan) -> dict:
    """A saved plan version as the viewer may see it: the plan's own texts by the plan's
    activity, each goal and action by its own (a part no longer in the plan: hidden). The
    version's shape stays: ids, dates, statuses and area codes keep their values."""
    notice = str(HIDDEN_NOTICE)
    masked = dict(snap)
    if not scope.allows_entry(plan.activity_id, PLAN_CONTRIBUTIONS):
        for key in SNAPSHOT_TEXT:
            if masked.get(key):
                masked[key] = notice
        masked["needs"] = {area: notice for area in (snap.get("needs") or {})}
    for key, model in (("goals", Goal), ("actions", Action)):
        owners = {str(pk): a for pk, a in model.objects.filter(plan=plan).values_list("id", "activity_id")}
        masked[key] = [
            item
            if scope.allows_entry(owners.get(str(item.get("id"))), PLAN_CONTRIBUTIONS)
            else {k: (notice if k in SNAPSHOT_ITEM_TEXT and v else v) for k, v in item.items()}
            for item in snap.get(key) or []
        ]
    return masked
