from django import template

register = template.Library()


@register.inclusion_tag("casefile/_overview_summary.html")
def plan_summary(child, user):
    """Links into the flow from the child overview. No queries: the overview's query
    budget is fixed, and the plan page itself shows the status."""
    return {"child": child, "user": user}
