"""The conversation with the child and family after a concern."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from backa.audit.context import as_acting
from backa.audit.log import Action
from backa.audit.vocabulary import ObjectType
from backa.casefile.common import _log, _not_in_future, writing_activity_id, writing_organisation_id
from backa.casefile.interpreters import validate_interpreter
from backa.casefile.models import Concern, ConcernStatus, ConsentStatus, Conversation


def do_record_conversation(
    *,
    acting_user,
    child,
    held_on: date,
    concern: Concern | None = None,
    child_words: str = "",
    guardian_words: str = "",
    professional_notes: str = "",
    consent_status: str = ConsentStatus.NOT_ASKED,
    consent_ref=None,
    child_took_part: bool = True,
    guardians_took_part: bool = True,
    interpreter_language: str = "",
    interpreter_booked: bool = False,
    position=None,
) -> Conversation:
    """Record a talk with the child and family, the child's words kept apart."""
    acting = as_acting(acting_user)
    acting_user = acting.user
    errors = {}
    if not held_on:
        errors["held_on"] = _("Give the date of the conversation.")
    _not_in_future(held_on, "held_on", errors)
    if concern is not None and concern.child_id != child.pk:
        errors["concern"] = _("The concern belongs to another child.")
    if not child_took_part and not guardians_took_part:
        errors["child_took_part"] = _("A conversation needs the child or a guardian taking part.")
    if child_words.strip() and not child_took_part:
        errors["child_words"] = _("The child's own words can only be recorded if the child took part.")
    if consent_status not in ConsentStatus.values:
        errors["consent_status"] = _("Choose whether consent was asked.")
    if concern is not None and held_on and held_on < concern.observed_on:
        errors["held_on"] = _("The conversation cannot be before the concern was noticed.")
    validate_interpreter(
        interpreter_language=interpreter_language, interpreter_booked=interpreter_booked, errors=errors
    )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        conversation = Conversation.objects.create(
            interpreter_language=interpreter_language if interpreter_booked else "",
            interpreter_booked=interpreter_booked,
            child=child,
            municipality_id=child.municipality_id,
            concern=concern,
            held_on=held_on,
            held_by=acting_user,
            organisation_id=writing_organisation_id(acting, position),
            activity_id=writing_activity_id(acting, position),
            child_words=child_words.strip(),
            guardian_words=guardian_words.strip(),
            professional_notes=professional_notes.strip(),
            consent_status=consent_status,
            consent_ref=consent_ref,
            child_took_part=child_took_part,
            guardians_took_part=guardians_took_part,
        )
        if concern is not None and concern.status == ConcernStatus.NEW:
            Concern.objects.filter(pk=concern.pk).update(status=ConcernStatus.IN_PROGRESS)
        _log(acting, child, Action.CREATE, ObjectType.CONVERSATION, conversation.id)
    return conversation
