"""The family's own pages: log in with e-ID, the children, the barnkontakt, the plan's family
version, upcoming meetings, and the family's own words before a meeting.

Every page reads the family person from the session (access.family) and opens a child only
through access.family.get_child_for_family, which logs the access as the family's own.
"""

import logging
from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import SuspiciousOperation, ValidationError
from django.db import transaction
from django.http import HttpResponseNotFound
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from backa.access.family import (
    CHILD,
    SESSION_KEY,
    FamilyNotFound,
    FamilyPerson,
    family_children,
    get_child_for_family,
)
from backa.audit.log import Action, log_family_access
from backa.audit.vocabulary import ObjectType
from backa.casefile.family import do_give_family_view, family_plan, upcoming_meetings
from backa.consent.extract import rows_for
from backa.family import forms
from backa.family.middleware import LAST_SEEN, STARTED
from backa.family.oidc import CitizenBackend, FamilyLoginView, Refused, citizen_login_enabled
from backa.lib.pdf import render_pdf_ua
from backa.roles.models import RoleAssignment, RoleKind, role_active_on

logger = logging.getLogger("backa.family")

FAILURES = {
    "acr": gettext_lazy("Your e-ID did not give a high enough level. Log in with BankID or Freja+."),
    "unknown": gettext_lazy(
        "We did not find you. Only guardians with custody, and children with their own e-ID, can log in here."
    ),
    "error": gettext_lazy("The login did not work. Please try again."),
}


def _not_found(request):
    return HttpResponseNotFound(render_to_string("404.html", request=request))


def _person(request):
    return FamilyPerson.of(request)


def start(request):
    """The family's login page."""
    if _person(request) is not None:
        return redirect("family:home")
    return render(request, "family/start.html", {"enabled": citizen_login_enabled()})


def login(request):
    if not citizen_login_enabled():
        return redirect("family:start")
    return FamilyLoginView.as_view()(request)


def callback(request):
    """The broker's answer: the person is a guardian with custody or a child, or nobody."""
    states = request.session.get("oidc_states") or {}
    state = request.GET.get("state")
    reason = "error"
    try:
        if request.GET.get("error") or state not in states or "code" not in request.GET:
            raise SuspiciousOperation("no such login")
        entry = states.pop(state)
        request.session["oidc_states"] = states
        backend = CitizenBackend()
        person = backend.authenticate(request, nonce=entry["nonce"], code_verifier=entry.get("code_verifier"))
        if person is None:
            raise SuspiciousOperation("no person")
    except Refused as refused:
        reason = refused.reason
        person = None
    except Exception:  # the broker unreachable or answering nonsense: refuse, never half-login
        logger.warning("family e-ID login refused reason=%s", reason)
        person = None
    if person is None:
        messages.error(request, FAILURES.get(reason, FAILURES["error"]))
        return redirect("family:start")
    # A fresh session: whoever was logged in before in this browser is logged out.
    language = request.session.get("_language")
    request.session.flush()
    now = int(timezone.now().timestamp())
    request.session[SESSION_KEY] = person.to_session()
    request.session[LAST_SEEN] = request.session[STARTED] = now
    if language:
        request.session["_language"] = language
    logger.info("family e-ID login kind=%s", person.kind)
    return redirect("family:home")


@require_POST
def logout(request):
    request.session.flush()
    return redirect("family:start")


def home(request):
    person = _person(request)
    if person is None:
        return redirect("family:start")
    children = family_children(person)
    with transaction.atomic():
        for child in children:
            log_family_access(
                request=request,
                person_kind=person.kind,
                person_id=person.id,
                action=Action.VIEW,
                child=child,
                object_type=ObjectType.FAMILY_START,
            )
    if len(children) == 1:
        return redirect("family:child", child_id=children[0].id)
    return render(request, "family/home.html", {"children": children, "family_person": person})


def _barnkontakt(child):
    today = timezone.localdate()
    assignment = (
        RoleAssignment.objects.filter(role_active_on(today), child=child, kind=RoleKind.BARNKONTAKT)
        .select_related("position__user", "position__unit")
        .first()
    )
    return assignment.position if assignment else None


def child(request, child_id):
    person = _person(request)
    if person is None:
        return redirect("family:start")
    try:
        scope = get_child_for_family(request, person, child_id)
    except FamilyNotFound:
        return _not_found(request)
    context = {
        "family_person": person,
        "child": scope.child,
        "is_child": person.kind == CHILD,
        "restricted": scope.restricted,
        "hide_places": scope.hide_places,
        "barnkontakt": _barnkontakt(scope.child),
    }
    if not scope.restricted:
        context.update(plan=family_plan(scope.child), meetings=upcoming_meetings(scope.child))
    return render(request, "family/child.html", context)


@require_http_methods(["GET", "POST"])
def meeting_view(request, child_id, meeting_id):
    """Give your view before a meeting, in your own words."""
    person = _person(request)
    if person is None:
        return redirect("family:start")
    try:
        scope = get_child_for_family(
            request, person, child_id, object_type=ObjectType.FAMILY_VIEW, object_id=meeting_id
        )
    except FamilyNotFound:
        return _not_found(request)
    meeting = (
        None
        if scope.restricted
        else next((m for m in upcoming_meetings(scope.child) if str(m.id) == str(meeting_id)), None)
    )
    if meeting is None:
        return _not_found(request)
    form = forms.FamilyViewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            do_give_family_view(person=person, meeting=meeting, text=form.cleaned_data["text"], request=request)
        except ValidationError as error:
            form.apply_service_errors(error)
        else:
            messages.success(request, _("Thank you. The people at the meeting will read what you wrote."))
            return redirect("family:child", child_id=scope.child.id)
    return render(
        request,
        "family/meeting_view.html",
        {
            "family_person": person,
            "child": scope.child,
            "meeting": meeting,
            "form": form,
            "hide_places": scope.hide_places,
            "is_child": person.kind == CHILD,
        },
    )


EXTRACT_DAYS = 365
FAMILY_ROLES = {
    "guardian": gettext_lazy("A guardian, on the family's pages"),
    "child": gettext_lazy("The child, on the family's pages"),
}


def _extract_rows(child):
    """Who opened the child's file in the last year: organisation, unit, when, what kind of
    access. No professional's name (that needs a secrecy review: ask the barnkontakt for the
    full extract, casefile.views.consent.log_extract); the family's own accesses say so."""
    end = timezone.localdate()
    start = end - timedelta(days=EXTRACT_DAYS)
    rows = rows_for(child, start, end, names=False)
    for row in rows:
        if row["organisation"] == "–" and row["purpose"] in ("family_guardian", "family_child"):
            row["organisation"] = FAMILY_ROLES["guardian" if row["purpose"] == "family_guardian" else "child"]
            row["unit"] = ""
            row["purpose"] = ""
    return start, end, rows


def log_extract(request, child_id, pdf=False):
    """ "Who has looked at my file": the log extract for the family, as a page and a PDF.
    Producing it is itself in the log (object type log_extract, the family's own)."""
    person = _person(request)
    if person is None:
        return redirect("family:start")
    try:
        scope = get_child_for_family(request, person, child_id, object_type=ObjectType.LOG_EXTRACT)
    except FamilyNotFound:
        return _not_found(request)
    if scope.restricted:
        return _not_found(request)
    start, end, rows = _extract_rows(scope.child)
    context = {
        "family_person": person,
        "child": scope.child,
        "rows": rows,
        "start": start,
        "end": end,
        "is_child": person.kind == CHILD,
    }
    if pdf:
        return render_pdf_ua(request, "family/log_extract_print.html", context, filename="vem-har-tittat.pdf")
    return render(request, "family/log_extract.html", context)


def log_extract_pdf(request, child_id):
    return log_extract(request, child_id, pdf=True)
