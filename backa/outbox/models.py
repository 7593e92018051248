"""The outbox: one row per side effect, written in the transaction of the change.

A row holds ids, a kind and delivery state, never child data: the e-mail it becomes says
only that there is something new in Backa barnet (docs/security.md)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class EmailPreference(models.Model):
    """A user's choice: e-mail at once or one daily digest, and kinds they do not want by e-mail.
    Urgent kinds are always sent at once and cannot be turned off (outbox.kinds)."""

    class Mode(models.TextChoices):
        IMMEDIATE = "immediate", _("At once, one e-mail per notification")
        DAILY = "daily", _("One daily digest")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="email_preference"
    )
    mode = models.CharField(_("e-mail"), max_length=10, choices=Mode.choices, default=Mode.IMMEDIATE)
    muted_kinds = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)


class Message(models.Model):
    """One outgoing side effect (today: an e-mail to one user).

    States: pending → sending (claimed by a worker, committed) → handed_over (the message body
    is at the SMTP server, the final dot is about to be written: committed before it) → sent.
    A worker that dies in `sending` never wrote the final dot, so the SMTP server discarded the
    message and the row is sent again after the lease. A worker that dies in `handed_over` may
    have been accepted: the row becomes `unconfirmed` and is not sent again automatically
    (decision 0009)."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        DIGEST = "digest", _("E-mail, daily digest")

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENDING = "sending", _("Being sent")
        HANDED_OVER = "handed_over", _("Handed to the mail server")
        SENT = "sent", _("Sent")
        UNCONFIRMED = "unconfirmed", _("Probably sent, not confirmed")
        HELD = "held", _("Waiting for the daily digest")
        DIGESTED = "digested", _("In the daily digest")
        SKIPPED = "skipped", _("Not sent")
        BOUNCED = "bounced", _("Refused by the mail server")
        DEAD = "dead", _("Failed, given up")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.EMAIL)
    kind = models.CharField(max_length=40)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="outbox_messages")
    # The notification this row delivers (casefile.Notification, above this layer: a plain id).
    notification_id = models.UUIDField(null=True, blank=True)
    object_id = models.UUIDField(null=True, blank=True)
    # Ids, times and counters only (e.g. a meeting's start for the calendar attachment).
    payload = models.JSONField(default=dict, blank=True)
    urgent = models.BooleanField(default=False)
    digest = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="items")
    digest_day = models.DateField(null=True, blank=True)
    state = models.CharField(max_length=12, choices=State.choices, default=State.PENDING)
    # Why a row was skipped: "opted_out", "no_address".
    skip_reason = models.CharField(max_length=20, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    handed_over_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    to_address = models.CharField(max_length=254, blank=True)
    smtp_code = models.PositiveSmallIntegerField(null=True, blank=True)
    # The SMTP reply or exception class, never message content.
    last_error = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="outbox_due"),
            models.Index(fields=["recipient", "-created_at"], name="outbox_recipient"),
        ]
        constraints = [
            # One digest per user and day, however often the digest job runs.
            models.UniqueConstraint(
                fields=["recipient", "digest_day"], condition=Q(channel="digest"), name="outbox_one_digest_a_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} → user {self.recipient_id} ({self.state})"

    @property
    def message_id(self) -> str:
        """Stable per row: a resent row carries the same Message-ID (mail stores collapse it)."""
        return f"<{self.id}@{settings.EMAIL_MESSAGE_ID_DOMAIN}>"
