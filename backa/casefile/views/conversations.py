"""Recording the conversation with the child and family."""

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
from backa.casefile.conversations import do_record_conversation
from backa.casefile.interpreters import interpreter_need, interpreter_notice
from backa.casefile.models import Concern


@login_required
@require_http_methods(["GET", "POST"])
def new_conversation(request, child_id):
    child = get_child_for_request(request, child_id, object_type=ObjectType.CONVERSATION)
    concerns = list(Concern.objects.filter(child=child).exclude(status="closed").order_by("-observed_on"))
    initial = {"concern": request.GET.get("oro", "")}
    needed, language = interpreter_need(child)
    if needed:
        initial.update(interpreter_booked=True, interpreter_language=language)
    # The choice labels show each concern as this reader may see it (secrecy.mask on copies).
    labels = secrecy.mask_all([copy.copy(c) for c in concerns], visible_entry_scope(request, child))
    form = forms.ConversationForm(request.POST or None, concerns=labels, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        concern_id = data.pop("concern")
        concern = next((c for c in concerns if str(c.id) == concern_id), None)
        try:
            do_record_conversation(acting_user=Acting.of(request), child=child, concern=concern, **data)
        except ValidationError as error:
            form.apply_service_errors(error)
        else:
            messages.success(request, _("The conversation is recorded."))
            return redirect("casefile:child_concerns", child_id=child.id)
    return render(
        request,
        "casefile/conversation_form.html",
        {"child": child, "form": form, "interpreter": interpreter_notice(child)},
    )
