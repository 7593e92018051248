"""What each kind of notification says in an e-mail, and whether it is urgent.

The text never names the child, a guardian or the content: only that something is waiting
in Backa barnet, and a link. A kind not listed here (a new Notification.Kind) gets the
generic text and is treated as urgent, so that nothing important waits for a digest by
mistake; list it here to make it opt-outable."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class KindText:
    line: str | Promise
    urgent: bool
    # A calendar invitation is attached (payload holds the meeting's times and sequence).
    calendar: bool = False
    # What a user turns off on Mina meddelanden ("No e-mail about …"); non-urgent kinds only.
    label: str | Promise = ""


GENERIC = KindText(_("You have a new task in Backa barnet."), urgent=True)

KINDS: dict[str, KindText] = {
    "new_concern": KindText(_("You have a new task in Backa barnet."), urgent=False, label=_("new concerns")),
    "report_feedback": KindText(
        _("You have new feedback in Backa barnet."), urgent=False, label=_("feedback on my concern reports")
    ),
    "meeting_invitation": KindText(_("You are invited to a meeting in Backa barnet."), urgent=True, calendar=True),
    "meeting_updated": KindText(_("A meeting you are invited to has changed."), urgent=True, calendar=True),
    "meeting_cancelled": KindText(_("A meeting you were invited to is cancelled."), urgent=True, calendar=True),
    "team_invitation": KindText(_("You have an invitation waiting in Backa barnet."), urgent=True),
    "team_answer": KindText(
        _("Someone has answered your invitation in Backa barnet."), urgent=False, label=_("answers to my invitations")
    ),
    "remind_followup_due": KindText(
        _("A follow-up is due soon in Backa barnet."), urgent=False, label=_("follow-ups due soon")
    ),
    "remind_followup_late": KindText(
        _("A follow-up is overdue in Backa barnet."), urgent=False, label=_("overdue follow-ups")
    ),
    "remind_handover": KindText(
        _("A handover is waiting in Backa barnet."), urgent=False, label=_("handovers waiting")
    ),
    "remind_consent": KindText(
        _("A consent expires soon in Backa barnet."), urgent=False, label=_("consents that expire soon")
    ),
    "accessibility_feedback": KindText(
        _("Someone has sent feedback on accessibility. It waits in Backa barnet."),
        urgent=False,
        label=_("accessibility feedback"),
    ),
    "remind_emergency": KindText(
        _("An emergency access waits for review."), urgent=False, label=_("emergency accesses to review")
    ),
}


def text_for(kind: str) -> KindText:
    return KINDS.get(kind, GENERIC)


def is_urgent(kind: str, urgent: bool | None = None) -> bool:
    return text_for(kind).urgent if urgent is None else urgent


def opt_outable() -> list[str]:
    """The kinds a user may turn off by e-mail (the non-urgent ones)."""
    return [kind for kind, text in KINDS.items() if not text.urgent]
