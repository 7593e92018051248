"""Filtering a child's entries by the organisation that wrote them (OSL between organisations).

The rule lives in the consent app; `visible_entry_scope(request, child)` asks it once per
request. Our entries have one fixed information category per model, so the filter is built
here from the scope's (organisation, category) pairs. An entry without an organisation
(written before organisations were recorded) is shown to nobody: default deny.
"""

from django.db.models import Q

from backa.consent.models import Category

NOTES = Category.NOTES.value
ASSESSMENTS = Category.ASSESSMENTS.value
MEETING_MINUTES = Category.MEETING_MINUTES.value


def entries_q(scope, category: str, field: str = "organisation") -> Q:
    """A queryset filter: entries of `category` this scope's organisation may see."""
    if scope.viewer_org_id is None:
        return Q(pk__in=[])
    allowed = {scope.viewer_org_id} | {org_id for org_id, c in scope.pairs if c == category}
    return Q(**{f"{field}_id__in": sorted(allowed, key=str)})


def split(entries, scope, category: str):
    """(visible entries, whether any were hidden), for rows already in memory."""
    visible = [e for e in entries if scope.allows(e.organisation_id, category)]
    return visible, len(visible) != len(entries)
