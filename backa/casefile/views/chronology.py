"""The child's chronology."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from backa.access.gate import get_child_for_request, visible_entry_scope
from backa.audit.context import Acting
from backa.audit.vocabulary import ObjectType
from backa.casefile import forms
from backa.casefile.chronology import CATEGORIES, chronology_with_hidden, do_add_chronology_entry

# -- chronology ---------------------------------------------------------------------------------


def _date_param(value):
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


@login_required
@require_http_methods(["GET", "POST"])
def chronology_page(request, child_id):
    child = get_child_for_request(request, child_id, object_type=ObjectType.CHRONOLOGY)
    form = forms.ChronologyEntryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            do_add_chronology_entry(acting_user=Acting.of(request), child=child, **form.cleaned_data)
        except ValidationError as error:
            form.apply_service_errors(error)
        else:
            messages.success(request, _("The event is added to the chronology."))
            return redirect("casefile:chronology", child_id=child.id)
    chosen = [c for c in request.GET.getlist("kategori") if c in CATEGORIES]
    since, until = _date_param(request.GET.get("fran")), _date_param(request.GET.get("till"))
    events, hidden = chronology_with_hidden(
        child, scope=visible_entry_scope(request, child), categories=chosen, since=since, until=until
    )
    return render(
        request,
        "casefile/chronology.html",
        {
            "child": child,
            "events": events,
            "categories": CATEGORIES.items(),
            "chosen": chosen,
            "since": since,
            "until": until,
            "form": form,
            "hidden": hidden,
        },
    )
