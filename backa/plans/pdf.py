"""The plan as a tagged PDF (PDF/UA-1): the professionals' version, or the child's
plain-Swedish version with ?for=barn. Producing it is logged as a print of the plan."""
from django.contrib.auth.decorators import login_required

from backa.audit.log import Action as LogAction
from backa.children.access import get_child_for_request
from backa.pdf import render_pdf_ua

from .views import _plan


@login_required
def plan_pdf(request, child_id, plan_id):
    child = get_child_for_request(request, child_id, object_type="plan", object_id=plan_id, action=LogAction.PRINT)
    plan = _plan(child, plan_id)
    for_child = request.GET.get("for") == "barn"
    context = {
        "child": child, "plan": plan, "for_child": for_child, "goals": list(plan.goals.all()),
        "actions": list(plan.actions.select_related("owner", "owner_organisation")),
    }
    name = "din-plan" if for_child else "barnets-plan"
    return render_pdf_ua(request, "plans/plan_print.html", context, filename=f"{name}-{plan.id}-v{plan.version}.pdf")
