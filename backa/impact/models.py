"""Barnkonsekvensanalys (child impact assessment) for system-level decisions.

Follows Barnombudsmannen's steps for decisions that affect children in general. Every
save writes a new, immutable version; approval by the named decision-maker freezes the
version that was approved.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backa.organisations.models import District, Municipality


class DecisionKind(models.TextChoices):
    PILOT_START = "pilot_start", _("Start the pilot in a district")
    FORUM_MERGE = "forum_merge", _("Merge or close a forum")
    FORUM_CHANGE = "forum_change", _("Change how a forum works")
    OTHER = "other", _("Other decision")


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("Sent for decision")
    APPROVED = "approved", _("Approved")


class Right(models.TextChoices):
    """Articles of the Convention on the Rights of the Child most often at stake."""

    ART2 = "art2", _("Art. 2 – non-discrimination")
    ART3 = "art3", _("Art. 3 – the child's best interests")
    ART6 = "art6", _("Art. 6 – life, survival and development")
    ART12 = "art12", _("Art. 12 – the right to be heard")
    ART16 = "art16", _("Art. 16 – privacy")
    ART19 = "art19", _("Art. 19 – protection from violence and neglect")
    ART24 = "art24", _("Art. 24 – health and health care")
    ART28 = "art28", _("Art. 28 – education")
    ART31 = "art31", _("Art. 31 – rest, play and leisure")
    ART39 = "art39", _("Art. 39 – recovery and rehabilitation")


class ImpactAssessment(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    district = models.ForeignKey(
        District,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="impact_assessments",
        help_text=_("Leave empty for a decision for the whole city."),
    )
    title = models.CharField(_("decision the assessment belongs to"), max_length=200)
    decision_kind = models.CharField(_("kind of decision"), max_length=16, choices=DecisionKind.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    current_version = models.PositiveIntegerField(default=0, editable=False)
    decision_maker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decision-maker"),
    )
    approved_version = models.PositiveIntegerField(null=True, blank=True, editable=False)
    approved_at = models.DateTimeField(null=True, blank=True, editable=False)
    decision_comment = models.TextField(_("decision-maker's comment"), blank=True, max_length=2000)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="approved")
                | (models.Q(approved_version__isnull=False) & models.Q(decision_maker__isnull=False)),
                name="impact_approved_has_version_and_decider",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="in_review") | models.Q(decision_maker__isnull=False),
                name="impact_review_has_decider",
            ),
        ]
        verbose_name = _("child impact assessment")
        verbose_name_plural = _("child impact assessments")

    def __str__(self):
        return self.title


STEP_FIELDS = (
    "matter",
    "children_affected",
    "rights",
    "rights_notes",
    "knowledge",
    "indicators",
    "children_views",
    "views_gathered_how",
    "alternatives",
    "consequences",
    "weighing",
    "decision",
    "reasons",
    "compensating_measures",
    "feedback_to_children",
    "follow_up_on",
)


class ImpactAssessmentVersion(models.Model):
    """One saved state of the assessment. Never updated: a change is a new version."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    assessment = models.ForeignKey(ImpactAssessment, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    # 1. The matter
    matter = models.TextField(_("1. Describe the matter"), max_length=5000)
    # 2. Children and rights
    children_affected = models.TextField(_("2. Which children are affected"), max_length=5000)
    rights = models.JSONField(_("Rights at stake"), default=list)
    rights_notes = models.TextField(_("How the rights are affected"), max_length=5000, blank=True)
    # 3. Knowledge
    knowledge = models.TextField(_("3. Knowledge: research, experience, law, statistics"), max_length=5000)
    indicators = models.JSONField(_("The platform's indicators"), default=list, blank=True)
    indicator_values = models.JSONField(default=dict, blank=True, editable=False)
    # 4. The children's views
    children_views = models.TextField(_("4. The children's views"), max_length=5000)
    views_gathered_how = models.TextField(_("How the children's views were gathered"), max_length=2000)
    # 5. Alternatives
    alternatives = models.TextField(_("5. Alternatives"), max_length=5000)
    consequences = models.TextField(_("Consequences for the children of each alternative"), max_length=5000)
    # 6. Weighing and decision
    weighing = models.TextField(_("6. Weighing the child's best interests against other interests"), max_length=5000)
    decision = models.TextField(_("Decision"), max_length=3000, blank=True)
    reasons = models.TextField(_("Reasons"), max_length=5000, blank=True)
    compensating_measures = models.TextField(
        _("Compensating measures"),
        max_length=5000,
        blank=True,
        help_text=_("Required if the decision goes against the child's best interests."),
    )
    # 7. Feedback and follow-up
    feedback_to_children = models.TextField(_("7. How the children get feedback"), max_length=3000, blank=True)
    follow_up_on = models.DateField(_("Follow-up date"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["assessment", "number"], name="impact_version_unique")]
        verbose_name = _("version of a child impact assessment")
        verbose_name_plural = _("versions of child impact assessments")

    def get_rights_display(self):
        labels = dict(Right.choices)
        return [str(labels.get(r, r)) for r in self.rights]
