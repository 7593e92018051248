"""Records management pages.

For the municipality's archive administrator (access.objects.is_archive_admin): the retention
rules and their versions, legal holds, the purge's runs and what a run would remove now.
For the data protection officer's work (archive or district administrators): the record of
processing, as a page and a CSV to attach to the DPIA. For everyone, without logging in: the
privacy notice for families and the accessibility statement with its feedback form.
"""

import json
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from backa.access.lookups import find_child_for_legal_hold
from backa.access.objects import is_archive_admin, is_district_admin, reachable_object, tool_required
from backa.accounts.models import User
from backa.accounts.positions import current_position
from backa.audit.context import Acting
from backa.audit.log import Action, log_access
from backa.audit.vocabulary import ObjectType
from backa.lib.csv import csv_response
from backa.organisations.models import Municipality
from backa.records import notices, ropa
from backa.records.feedback import do_handle_feedback, do_receive_feedback
from backa.records.forms import FeedbackForm, FeedbackHandleForm, HoldForm, RuleForm
from backa.records.holds import do_place_hold, do_release_hold
from backa.records.models import (
    AccessibilityFeedback,
    FeedbackStatus,
    LegalHold,
    PurgeRecord,
    PurgeRun,
    RetentionRule,
    active_holds_q,
)
from backa.records.purge import plan_purge
from backa.records.registry import label_of
from backa.records.rules import StaleRule, do_change_rule, ensure_default_rules

# Written by backa/records/tests/test_accessibility.py (BACKA_WRITE_AXE_RESULTS=1) from a real browser run.
AXE_RESULTS = Path(settings.BASE_DIR) / "backa" / "records" / "axe_results.json"


def _municipality(request):
    return current_position(request).unit.organisation.municipality


def _may_see_ropa(request) -> bool:
    return is_archive_admin(request) or is_district_admin(request)


@login_required
@require_GET
@tool_required(is_archive_admin, tool=ObjectType.RETENTION_RULE)
def rule_list(request):
    municipality = _municipality(request)
    ensure_default_rules(municipality)  # idempotent: seeds only what the municipality lacks
    rules = list(RetentionRule.objects.filter(municipality=municipality))
    for rule in rules:
        rule.type_label = label_of(rule.record_type)
    rules.sort(key=lambda r: (str(r.type_label), r.verksamhet))
    unconfirmed = sum(1 for r in rules if not r.confirmed_by_archivist)
    return render(request, "records/rule_list.html", {"rules": rules, "unconfirmed": unconfirmed})


@login_required
@require_http_methods(["GET", "POST"])
@tool_required(is_archive_admin, tool=ObjectType.RETENTION_RULE)
def rule_edit(request, rule_id):
    rule = reachable_object(
        RetentionRule.objects.filter(municipality=_municipality(request)), rule_id, ObjectType.RETENTION_RULE
    )
    form = RuleForm(request.POST or None, instance=rule, initial={"version": rule.version})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            do_change_rule(
                acting_user=Acting.of(request),
                rule=rule,
                version=data["version"],
                period_months=data["period_months"],
                start_event=data["start_event"],
                disposal=data["disposal"],
                research_exemption=data["research_exemption"],
                source=data["source"],
                confirmed_by_archivist=data["confirmed_by_archivist"],
                reason=data["reason"],
            )
        except StaleRule:
            form.add_error(None, _("Someone else changed the rule while you were editing it. Reload and try again."))
        else:
            messages.success(request, _("The rule was saved as a new version."))
            return redirect("records:rules")
    versions = list(rule.versions.select_related("changed_by"))
    return render(
        request,
        "records/rule_edit.html",
        {"rule": rule, "type_label": label_of(rule.record_type), "form": form, "versions": versions},
    )


@login_required
@require_http_methods(["GET", "POST"])
@tool_required(is_archive_admin, tool=ObjectType.LEGAL_HOLD)
def hold_list(request):
    municipality = _municipality(request)
    owners = User.objects.filter(is_active=True, positions__unit__organisation__municipality=municipality).distinct()
    form = HoldForm(request.POST or None, owners=owners.order_by("last_name", "first_name"))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        child = None
        if data["number"] is not None:
            child = find_child_for_legal_hold(data["number"], municipality_id=municipality.pk)
            if child is None:
                form.add_error("number", _("No child in the municipality has this number."))
        if not form.errors:
            try:
                do_place_hold(
                    acting_user=Acting.of(request),
                    municipality=municipality,
                    child=child,
                    record_type=data["record_type"],
                    reason=data["reason"],
                    reference=data["reference"],
                    owner=data["owner"],
                    ends_on=data["ends_on"],
                )
            except ValidationError as error:
                form.apply_service_errors(error)
            else:
                messages.success(request, _("The hold was placed. The purge leaves what it covers."))
                return redirect("records:holds")
    today = timezone.localdate()
    holds = list(LegalHold.objects.filter(municipality=municipality).select_related("owner", "child")[:200])
    for hold in holds:
        hold.active = hold.is_active_on(today)
        hold.type_label = label_of(hold.record_type) if hold.record_type else _("Every record type")
    return render(request, "records/hold_list.html", {"form": form, "holds": holds})


@login_required
@require_POST
@tool_required(is_archive_admin, tool=ObjectType.LEGAL_HOLD)
def hold_release(request, hold_id):
    hold = reachable_object(
        LegalHold.objects.filter(active_holds_q(timezone.localdate()), municipality=_municipality(request)),
        hold_id,
        ObjectType.LEGAL_HOLD,
    )
    do_release_hold(acting_user=Acting.of(request), hold=hold)
    messages.success(request, _("The hold was released."))
    return redirect("records:holds")


@login_required
@require_GET
@tool_required(is_archive_admin, tool=ObjectType.PURGE)
def purge_overview(request):
    municipality = _municipality(request)
    plan = plan_purge()
    planned = [p for p in plan.rules if (p.rows or p.held) and p.rule.municipality_id == municipality.pk]
    for p in planned:
        p.type_label = label_of(p.kind.key)
    runs = list(PurgeRun.objects.order_by("-started_at")[:20])
    records = list(
        PurgeRecord.objects.filter(Q(municipality=municipality) | Q(municipality__isnull=True)).order_by("-created_at")[
            :100
        ]
    )
    for record in records:
        record.type_label = label_of(record.record_type)
    return render(
        request,
        "records/purge.html",
        {"planned": planned, "partitions": plan.partitions, "runs": runs, "records": records},
    )


@login_required
@require_GET
@tool_required(_may_see_ropa, tool=ObjectType.RECORD_OF_PROCESSING)
def record_of_processing(request):
    municipality = _municipality(request)
    ensure_default_rules(municipality)
    entries = ropa.rows(municipality.pk)
    with transaction.atomic():
        log_access(
            request=request,
            action=Action.EXPORT if request.GET.get("format") == "csv" else Action.VIEW,
            municipality_id=municipality.pk,
            object_type=ObjectType.RECORD_OF_PROCESSING,
        )
    if request.GET.get("format") == "csv":
        header = [
            _("Record"),
            _("Kinds of personal data"),
            _("Legal basis"),
            _("Recipients"),
            _("Retention"),
            _("Where it is stored"),
        ]
        data = [
            [e["name"], "; ".join(e["categories"]), e["basis"], e["recipients"], e["retention"], e["storage"]]
            for e in entries
        ]
        return csv_response("registerforteckning.csv", header, data, excel_bom=True)
    return render(
        request,
        "records/ropa.html",
        {"entries": entries, "storage": ropa.STORAGE, "perms_archive": is_archive_admin(request)},
    )


@require_GET
def privacy_notice(request):
    return render(request, "records/privacy.html", {"sections": notices.PRIVACY})


def _axe_results():
    try:
        return json.loads(AXE_RESULTS.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


@require_http_methods(["GET", "POST"])
def accessibility_statement(request):
    form = FeedbackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            do_receive_feedback(page=data["page"], message=data["message"], contact=data["contact"])
        except ValidationError as error:
            form.apply_service_errors(error)
        else:
            messages.success(request, _("Thank you. We have received what you wrote."))
            return redirect("records:accessibility")
    owner = Municipality.objects.order_by("name").values_list("name", flat=True).first()
    return render(
        request,
        "records/accessibility.html",
        {
            "form": form,
            "owner": owner,
            "axe": _axe_results(),
            "known_issues": notices.KNOWN_ISSUES,
            "digg_url": notices.DIGG_COMPLAINT_URL,
            "updated_on": notices.STATEMENT_UPDATED,
        },
    )


# -- the feedback inbox (records/feedback.py) ---------------------------------------------------


@login_required
@require_GET
@tool_required(_may_see_ropa, tool=ObjectType.ACCESSIBILITY_FEEDBACK)
def feedback_list(request):
    items = list(AccessibilityFeedback.objects.select_related("handled_by").order_by("-received_at")[:500])
    now = timezone.now()
    for item in items:
        item.age_days = (now - item.received_at).days
    new = [i for i in items if i.status == FeedbackStatus.NEW]
    log_access(request=request, action=Action.LIST, object_type=ObjectType.ACCESSIBILITY_FEEDBACK)
    return render(request, "records/feedback_list.html", {"new": new, "handled": [i for i in items if i not in new]})


@login_required
@require_http_methods(["GET", "POST"])
@tool_required(_may_see_ropa, tool=ObjectType.ACCESSIBILITY_FEEDBACK)
def feedback_detail(request, feedback_id):
    item = reachable_object(
        AccessibilityFeedback.objects.select_related("handled_by"), feedback_id, ObjectType.ACCESSIBILITY_FEEDBACK
    )
    form = FeedbackHandleForm(request.POST or None) if item.status == FeedbackStatus.NEW else None
    if form is not None and request.method == "POST" and form.is_valid():
        try:
            do_handle_feedback(
                acting_user=request.user,
                feedback_id=item.pk,
                status=form.cleaned_data["status"],
                answer=form.cleaned_data["answer"],
            )
        except ValidationError as error:
            form.apply_service_errors(error)
        else:
            log_access(
                request=request, action=Action.UPDATE, object_type=ObjectType.ACCESSIBILITY_FEEDBACK, object_id=item.pk
            )
            messages.success(request, _("The feedback is marked as handled."))
            return redirect("records:feedback_list")
    elif request.method == "POST":
        form = None
        messages.error(request, _("This feedback was already handled."))
    log_access(request=request, action=Action.VIEW, object_type=ObjectType.ACCESSIBILITY_FEEDBACK, object_id=item.pk)
    return render(request, "records/feedback_detail.html", {"item": item, "form": form})
