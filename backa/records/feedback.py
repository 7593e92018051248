"""Accessibility feedback (lag 2018:1937 12 §): received from anyone, handled by the municipality.

Whoever meets a barrier writes on the accessibility statement's page, without logging in. The
row is saved and, in the same transaction, every archive administrator gets an e-mail from the
outbox (it says only that feedback is waiting, never what it says). An archive or district
administrator opens the inbox, answers (by the contact the writer gave) and records what was
done, or closes it when no answer was asked for. A handled item is not handled twice: a second
person who tries sees who did it.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backa.accounts.models import Position, PositionKind
from backa.outbox.services import enqueue_email
from backa.records.models import AccessibilityFeedback, FeedbackStatus

KIND = "accessibility_feedback"
ANSWER_MAX = 5000


def handlers():
    """The users who are told when feedback arrives: archive administrators in an active position."""
    today = timezone.localdate()
    positions = Position.objects.filter(kind=PositionKind.ARCHIVE_ADMIN, user__is_active=True).select_related("user")
    return sorted({p.user_id for p in positions if p.is_active_on(today)}, key=str)


def do_receive_feedback(*, page: str, message: str, contact: str) -> AccessibilityFeedback:
    message = (message or "").strip()
    if not message:
        raise ValidationError({"message": _("Write what did not work.")})
    with transaction.atomic():
        item = AccessibilityFeedback.objects.create(page=page.strip(), message=message, contact=contact.strip())
        enqueue_email(recipient_ids=handlers(), kind=KIND, object_id=item.id)
    return item


def do_handle_feedback(*, acting_user, feedback_id, status: str, answer: str) -> AccessibilityFeedback:
    """Record what was done. `answered` needs the answer given; the item must still be new."""
    answer = (answer or "").strip()
    errors = {}
    if status not in (FeedbackStatus.ANSWERED, FeedbackStatus.CLOSED):
        errors["status"] = _("Choose whether you answered or closed it.")
    if status == FeedbackStatus.ANSWERED and not answer:
        errors["answer"] = _("Write what you answered or did.")
    if len(answer) > ANSWER_MAX:
        errors["answer"] = _("At most %(n)s characters.") % {"n": ANSWER_MAX}
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        item = AccessibilityFeedback.objects.select_for_update().get(pk=feedback_id)
        if item.status != FeedbackStatus.NEW:
            who = item.handled_by.get_full_name() if item.handled_by else ""
            raise ValidationError(
                {"status": _("This feedback was already handled by %(who)s.") % {"who": who or _("someone else")}}
            )
        item.status, item.answer = status, answer
        item.handled_by, item.handled_at = acting_user, timezone.now()
        item.save(update_fields=["status", "answer", "handled_by", "handled_at"])
    return item
