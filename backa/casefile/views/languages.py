"""The family's languages and interpreter needs: the child and each guardian with custody."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from backa.access.gate import get_child_for_request
from backa.audit.context import Acting
from backa.audit.log import Action as LogAction
from backa.audit.vocabulary import ObjectType
from backa.casefile import authority, forms
from backa.casefile.interpreters import do_set_language_need, family_needs, guardians_with_custody
from backa.casefile.languages import INTERPRETER_WARNING


@login_required
@require_http_methods(["GET", "POST"])
def languages(request, child_id):
    action = LogAction.UPDATE if request.method == "POST" else LogAction.VIEW
    child = get_child_for_request(request, child_id, action=action, object_type=ObjectType.LANGUAGE_NEED)
    may_change = authority.standing(Acting.of(request), child).member
    needs = family_needs(child)
    people = [("child", None, child.given_name)] + [(str(g.pk), g, g.full_name) for g in guardians_with_custody(child)]
    data = request.POST if request.method == "POST" else None
    rows = []
    for key, guardian, name in people:
        need = needs.get(guardian.pk if guardian else None)
        initial = (
            {
                "languages": need.languages,
                "other_language": need.other_language,
                "interpreter_needed": need.interpreter_needed,
                "interpreter_language": need.interpreter_language,
            }
            if need
            else {}
        )
        rows.append((name, guardian, need, forms.LanguageNeedForm(data, prefix=f"p-{key}", initial=initial)))
    if request.method == "POST":
        if not may_change:
            raise authority.AuthorityRefused("languages")
        if all(form.is_valid() for *_rest, form in rows):
            try:
                with transaction.atomic():
                    for _name, guardian, _need, form in rows:
                        do_set_language_need(
                            acting_user=Acting.of(request), child=child, guardian=guardian, **form.cleaned_data
                        )
            except ValidationError as error:
                rows[0][3].apply_service_errors(error)
            else:
                messages.success(request, _("The family's languages are saved."))
                return redirect("casefile:languages", child_id=child.id)
    return render(
        request,
        "casefile/languages.html",
        {"child": child, "rows": rows, "may_change": may_change, "warning": INTERPRETER_WARNING},
    )
