"""The platform's own numbers an assessment can cite (step 3, knowledge).

Values come from the same functions as the district burden page and the evaluation, are
suppressed the same way, and are frozen into the version when it is saved, so an approved
assessment keeps the numbers it was decided on.
"""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

INDICATORS = [
    ("forums_in_inventory", _("Active forums in the district's inventory")),
    ("overlapping_forum_pairs", _("Pairs of forums with overlapping participants and purposes")),
    ("meetings", _("Meetings about children this term")),
    ("meetings_per_child", _("Meetings per child this term")),
    (
        "children_in_several_forums_same_month",
        _("Children discussed in two or more forums in the same month, this term"),
    ),
    ("families_over_limit", _("Families invited to more meetings than the district's limit, this term")),
]
LABELS = dict(INDICATORS)


def current_values(district, keys) -> dict:
    """{key: value or None (suppressed or not available)} for the district, today."""
    if district is None or not keys:
        return {}
    from backa.forums import burden
    from backa.forums.models import Forum
    from backa.forums.services import inventory_overlaps

    term = burden.Term.of(timezone.localdate())
    forums = list(Forum.objects.filter(district=district, is_active=True))
    values = dict(burden.evaluation_indicators(district, term))
    values["forums_in_inventory"] = len(forums)  # forum counts are not about children: not suppressed
    values["overlapping_forum_pairs"] = len(inventory_overlaps(forums))
    result = {key: values.get(key) for key in keys if key in LABELS}
    result["term"] = term.code
    return result
