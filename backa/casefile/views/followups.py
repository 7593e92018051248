"""Following up the plan."""

import copy

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from backa.access.gate import get_child_for_request, visible_entry_scope
from backa.audit.context import Acting
from backa.audit.vocabulary import ObjectType
from backa.casefile import forms, secrecy
from backa.casefile.followups import do_follow_up
from backa.casefile.models import Assessment
from backa.casefile.views.common import _plan


@login_required
@require_http_methods(["GET", "POST"])
def follow_up(request, child_id, plan_id):
    child = get_child_for_request(request, child_id, object_type=ObjectType.FOLLOW_UP, object_id=plan_id)
    plan = _plan(child, plan_id)
    goals = list(plan.goals.filter(status="open"))
    scope = visible_entry_scope(request, child)
    assessments = list(
        Assessment.objects.filter(secrecy.entries_q(scope, secrecy.ASSESSMENTS), child=child).order_by("-assessed_on")[
            :5
        ]
    )
    form = forms.FollowUpForm(
        request.POST or None, goals=secrecy.mask_all([copy.copy(g) for g in goals], scope), assessments=assessments
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            do_follow_up(
                acting_user=Acting.of(request),
                plan=plan,
                held_on=data["held_on"],
                outcome=data["outcome"],
                progress=form.progress(),
                summary=data["summary"],
                child_view=data["child_view"],
                next_review_date=data["next_review_date"],
                assessment=form.assessment_map.get(data["assessment"] or ""),
            )
        except ValidationError as error:
            form.apply_service_errors(error)
        else:
            messages.success(request, _("The follow-up is recorded."))
            return redirect("casefile:plan", child_id=child.id)
    return render(request, "casefile/follow_up_form.html", {"child": child, "plan": plan, "form": form})
