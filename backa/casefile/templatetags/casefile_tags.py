from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.inclusion_tag("casefile/_overview_summary.html")
def plan_summary(child, user):
    """Links into the flow from the child overview. No queries: the overview's query
    budget is fixed, and the plan page itself shows the status."""
    return {"child": child, "user": user}


@register.filter
def where(position, child):
    """Where a professional works, as a page about `child` may say it: the unit's name, or only
    the organisation's where the child has protected identity (a unit tells where the child goes)."""
    if position is None:
        return ""
    if getattr(child, "protected_identity", False):
        return position.unit.organisation.name
    return position.unit.name


@register.filter
def meeting_place(place, child):
    """A meeting's place, or a neutral line where the child has protected identity."""
    if getattr(child, "protected_identity", False) and place:
        return _("The place is given separately (protected personal data).")
    return place
