"""Outcomes of concern reports from social services' own journal system (Treserva, Lifecare
IFO, Viva/Procapita, Combine keep the investigation). A CSV file, one report per line,
keyed by the platform's report reference or by the child's number and the day reported:

    reference,number,reported_on,received_on,decision,decided_on,child_spoken_with,investigation_closed_on,feedback_given_on

- reference: the report's id as the platform shows it (leave empty to key by number and day);
- number: the child's personnummer or samordningsnummer (only when reference is empty);
- reported_on, received_on, decided_on, investigation_closed_on, feedback_given_on: YYYY-MM-DD;
- decision: investigation, no_investigation, transfer or joined (empty: not yet decided);
- child_spoken_with: ja/nej (yes/no; empty: not recorded).

Everything is validated first; any error refuses the whole file with a message per line and
changes nothing. A line equal to what the platform holds changes nothing, so a re-run of the
same file changes nothing. A decision already made in the platform is not overwritten by a
different one (an error for that line). Messages never contain an identity number.
"""

import csv
import io
import uuid
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backa.access.lookups import children_by_number_for_import
from backa.audit.log import Action, log_access
from backa.audit.vocabulary import ObjectType, Purpose
from backa.casefile.models import ConcernReport, IntakeItem, PreAssessmentDecision, ReportStatus

HEADER = [
    "reference",
    "number",
    "reported_on",
    "received_on",
    "decision",
    "decided_on",
    "child_spoken_with",
    "investigation_closed_on",
    "feedback_given_on",
]
YES = {"ja", "yes", "j", "y", "1", "true"}
NO = {"nej", "no", "n", "0", "false"}
STATUS = {
    PreAssessmentDecision.INVESTIGATION: ReportStatus.INVESTIGATION_OPENED,
    PreAssessmentDecision.NO_INVESTIGATION: ReportStatus.NOT_OPENED,
    PreAssessmentDecision.TRANSFER: ReportStatus.TRANSFERRED,
    PreAssessmentDecision.JOINED: ReportStatus.JOINED,
}


@dataclass
class OutcomeResult:
    lines: int
    changed: int
    unchanged: int


def _date(text, field, problems):
    if not text:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        problems.append(_("%(field)s must be YYYY-MM-DD") % {"field": field})
        return None
    if day > timezone.localdate():
        problems.append(_("%(field)s is in the future") % {"field": field})
    return day


def import_outcomes(*, acting_user, text: str, municipality) -> OutcomeResult:
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header = next(reader, None)
    if header is None or [h.strip().lower() for h in header] != HEADER:
        raise ValidationError([_("The first line must be: %(header)s") % {"header": ",".join(HEADER)}])
    rows = [(n, row) for n, row in enumerate(reader, start=2) if any(cell.strip() for cell in row)]
    numbers = {row[1].strip() for _n, row in rows if len(row) == len(HEADER) and not row[0].strip() and row[1].strip()}
    children, bad_numbers = children_by_number_for_import(municipality.pk, numbers)
    errors, updates, seen = [], [], set()
    for line, row in rows:
        if len(row) != len(HEADER):
            errors.append(
                _("Line %(line)s: expected %(n)s fields, found %(found)s.")
                % {"line": line, "n": len(HEADER), "found": len(row)}
            )
            continue
        ref, number, reported, received, decision, decided, spoken, closed, feedback = (c.strip() for c in row)
        problems: list = []
        report = None
        reported_on = _date(reported, "reported_on", problems)
        if ref:
            try:
                report = ConcernReport.objects.filter(pk=uuid.UUID(ref), municipality=municipality).first()
            except ValueError:
                report = None
            if report is None:
                problems.append(_("no report with reference %(ref)s") % {"ref": ref[:40]})
        elif number:
            if number in bad_numbers:
                problems.append(_("the child's number is not valid"))
            elif number not in children:
                problems.append(_("no child with that number in the municipality"))
            elif reported_on is None:
                problems.append(_("give reported_on with the child's number"))
            else:
                candidates = [
                    r
                    for r in ConcernReport.objects.filter(child=children[number])
                    if timezone.localdate(r.reported_at) == reported_on
                ]
                if len(candidates) != 1:
                    problems.append(
                        _("no report about that child on %(day)s") % {"day": reported_on}
                        if not candidates
                        else _("several reports about that child on %(day)s: use the reference") % {"day": reported_on}
                    )
                else:
                    report = candidates[0]
        else:
            problems.append(_("give the reference, or the child's number and reported_on"))
        received_on = _date(received, "received_on", problems)
        decided_on = _date(decided, "decided_on", problems)
        closed_on = _date(closed, "investigation_closed_on", problems)
        feedback_on = _date(feedback, "feedback_given_on", problems)
        if decision and decision not in PreAssessmentDecision.values:
            problems.append(_("unknown decision %(value)s") % {"value": decision[:30]})
        if bool(decision) != bool(decided_on):
            problems.append(_("give the decision and decided_on together"))
        child_spoken_with = True if spoken.lower() in YES else False if spoken.lower() in NO else None
        if spoken and child_spoken_with is None:
            problems.append(_("child_spoken_with must be ja or nej"))
        if closed_on and decision != PreAssessmentDecision.INVESTIGATION:
            problems.append(_("an investigation can only be closed if one was opened"))
        if report is not None:
            day = timezone.localdate(report.reported_at)
            for value, field in (
                (received_on, "received_on"),
                (decided_on, "decided_on"),
                (feedback_on, "feedback_given_on"),
            ):
                if value and value < day:
                    problems.append(_("%(field)s is before the report was made") % {"field": field})
            if decided_on and received_on and decided_on < received_on:
                problems.append(_("decided_on is before received_on"))
            if closed_on and decided_on and closed_on < decided_on:
                problems.append(_("investigation_closed_on is before decided_on"))
            if report.outcome_source == "platform" and report.decision and decision and decision != report.decision:
                problems.append(_("the platform already holds another decision for this report"))
            elif report.outcome_source == "platform" and report.decision and decision:
                decision = ""  # the same decision: the platform's record stands
            if report.pk in seen:
                problems.append(_("the report is on an earlier line too"))
            seen.add(report.pk)
        if problems:
            errors.append(_("Line %(line)s: %(problems)s.") % {"line": line, "problems": "; ".join(problems)})
            continue
        values = {}
        if received_on:
            values["received_on"] = received_on
        if decision:
            # The platform's own decision fields (handler, coded reason) stay empty: the
            # journal system keeps the decision; status and dates are what the indicators read.
            values.update(
                pre_assessment_decided_on=decided_on,
                investigation_opened=decision == PreAssessmentDecision.INVESTIGATION,
                investigation_decided_on=decided_on,
                status=STATUS[decision],
            )
            if report.outcome_source != "platform":
                values["outcome_source"] = "import"
        if child_spoken_with is not None:
            values["child_spoken_with"] = child_spoken_with
        if closed_on:
            values["investigation_closed_on"] = closed_on
        if feedback_on:
            values["feedback_given_on"] = feedback_on
        changed = {k: v for k, v in values.items() if getattr(report, k) != v}
        updates.append((report, changed))
    if errors:
        raise ValidationError(errors)
    result = OutcomeResult(lines=len(rows), changed=0, unchanged=0)
    with transaction.atomic():
        for report, changed in updates:
            if not changed:
                result.unchanged += 1
                continue
            ConcernReport.objects.filter(pk=report.pk).update(**changed)
            if "status" in changed:
                IntakeItem.objects.filter(report=report, closed_at__isnull=True).update(closed_at=timezone.now())
            log_access(
                user=acting_user,
                child_id=report.child_id,
                municipality_id=report.municipality_id,
                action=Action.UPDATE,
                object_type=ObjectType.CONCERN_REPORT,
                object_id=report.pk,
                purpose=Purpose.OUTCOME_IMPORT,
            )
            result.changed += 1
    return result
