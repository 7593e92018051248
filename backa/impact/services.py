"""Writes to child impact assessments: versions, sending for decision, deciding."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backa.impact import indicators
from backa.impact.models import STEP_FIELDS, ImpactAssessment, ImpactAssessmentVersion, Status
from backa.lib.merge import three_way


def _add_version(assessment, *, acting_user, steps: dict) -> ImpactAssessmentVersion:
    assessment.current_version += 1
    version = ImpactAssessmentVersion(
        assessment=assessment,
        number=assessment.current_version,
        created_by=acting_user,
        **{field: steps[field] for field in STEP_FIELDS if field in steps},
    )
    version.indicator_values = indicators.current_values(assessment.district, version.indicators)
    version.full_clean(exclude=["assessment"])
    version.save()
    assessment.save(update_fields=["current_version"])
    return version


def do_create_assessment(
    *, acting_user, municipality, district, title: str, decision_kind: str, steps: dict
) -> ImpactAssessment:
    """Start an assessment for a decision, with its first version."""
    with transaction.atomic():
        assessment = ImpactAssessment(
            municipality=municipality,
            district=district,
            title=title,
            decision_kind=decision_kind,
            created_by=acting_user,
        )
        assessment.full_clean()
        assessment.save()
        _add_version(assessment, acting_user=acting_user, steps=steps)
    return assessment


class VersionConflict(Exception):
    """Two people changed the same step of a draft (decision 0018): `conflicts` lists (field,
    label, my value, their value); `mine` the fields this editor changed. Nothing is saved."""

    def __init__(self, assessment, conflicts: list, mine: list):
        super().__init__("impact assessment version conflict")
        self.assessment, self.conflicts, self.mine = assessment, conflicts, mine


def _steps(source) -> dict:
    """Steps as comparable plain values (lists sorted, dates as ISO text); a dict gives only its keys."""
    out = {}
    for field in STEP_FIELDS:
        if isinstance(source, dict):
            if field not in source:
                continue
            value = source[field]
        else:
            value = getattr(source, field)
        if isinstance(value, list | tuple):
            value = sorted(str(v) for v in value)
        elif hasattr(value, "isoformat"):
            value = value.isoformat()
        out[field] = value
    return out


def do_save_version(
    *, acting_user, assessment, steps: dict, expected_version: int, keep_theirs=()
) -> ImpactAssessmentVersion:
    """Save the steps as a new version. Only a draft changes. A form loaded at an older version
    is merged three ways against that version (backa.lib.merge): steps only someone else changed
    keep theirs, a step both changed raises VersionConflict."""
    with transaction.atomic():
        locked = ImpactAssessment.objects.select_for_update().get(pk=assessment.pk)
        if locked.status != Status.DRAFT:
            raise ValidationError(_("Only a draft can be changed. Ask the decision-maker to return it first."))
        current = locked.versions.get(number=locked.current_version)
        seen = locked.versions.filter(number=expected_version).first()
        if seen is None:
            raise ValidationError(_("Someone else saved a newer version while you were editing. Reload and try again."))
        merge = three_way(_steps(seen), _steps(steps), _steps(current), keep_theirs=keep_theirs)
        if merge.conflicts:
            labels = {f: str(ImpactAssessmentVersion._meta.get_field(f).verbose_name) for f in STEP_FIELDS}
            show = lambda v: ", ".join(v) if isinstance(v, list) else ("" if v is None else str(v))  # noqa: E731
            raise VersionConflict(
                locked,
                [(f, labels[f], show(my), show(th)) for f, _was, my, th in merge.conflicts],
                mine=[*merge.changes, *(c[0] for c in merge.conflicts)],
            )
        merged = {f: getattr(current, f) for f in STEP_FIELDS}
        merged.update({f: steps[f] for f in merge.changes})
        return _add_version(locked, acting_user=acting_user, steps=merged)


def missing_for_decision(version) -> list[str]:
    """What a version lacks before it can be decided (steps 6 and 7 must be filled in)."""
    missing = []
    for field in ("decision", "reasons", "feedback_to_children"):
        if not getattr(version, field).strip():
            missing.append(str(version._meta.get_field(field).verbose_name))
    if version.follow_up_on is None:
        missing.append(str(version._meta.get_field("follow_up_on").verbose_name))
    return missing


def do_send_for_decision(*, acting_user, assessment, decision_maker) -> ImpactAssessment:
    """Send the current version to a named decision-maker."""
    with transaction.atomic():
        locked = ImpactAssessment.objects.select_for_update().get(pk=assessment.pk)
        if locked.status != Status.DRAFT:
            raise ValidationError(_("Only a draft can be sent for decision."))
        if decision_maker.pk == acting_user.pk:
            raise ValidationError(_("Someone other than yourself must decide."))
        missing = missing_for_decision(locked.versions.get(number=locked.current_version))
        if missing:
            raise ValidationError(_("Fill in before sending: %(fields)s.") % {"fields": ", ".join(missing)})
        locked.decision_maker = decision_maker
        locked.status = Status.IN_REVIEW
        locked.save(update_fields=["decision_maker", "status"])
    return locked


def do_decide(*, acting_user, assessment, approve: bool, comment: str = "") -> ImpactAssessment:
    """The named decision-maker approves the current version, or returns it as a draft with a comment."""
    with transaction.atomic():
        locked = ImpactAssessment.objects.select_for_update().get(pk=assessment.pk)
        if locked.status != Status.IN_REVIEW or locked.decision_maker_id != acting_user.pk:
            raise ValidationError(_("Only the named decision-maker can decide, and only once it has been sent."))
        if not approve and not comment.strip():
            raise ValidationError(_("Say what needs to change when you return the assessment."))
        locked.decision_comment = comment
        if approve:
            locked.status = Status.APPROVED
            locked.approved_version = locked.current_version
            locked.approved_at = timezone.now()
        else:
            locked.status = Status.DRAFT
        locked.full_clean()
        locked.save()
    return locked
