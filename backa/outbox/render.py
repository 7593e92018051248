"""The e-mail a row becomes: a subject and a line per kind, a link, nothing about the child."""

from __future__ import annotations

from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from backa.outbox import ical, kinds
from backa.outbox.models import Message


def link(path_name: str = "front:todo") -> str:
    return settings.BACKA_BASE_URL.rstrip("/") + reverse(path_name)


def build(message: Message, to_address: str) -> EmailMessage:
    with translation.override(settings.LANGUAGE_CODE):
        if message.channel == Message.Channel.DIGEST:
            count = int(message.payload.get("count", 0))
            subject = _("Backa barnet: your daily summary")
            line = ngettext(
                "You have %(count)d new notification in Backa barnet.",
                "You have %(count)d new notifications in Backa barnet.",
                count,
            ) % {"count": count}
        else:
            text = kinds.text_for(message.kind)
            subject = _("Backa barnet: something new for you")
            line = str(text.line)
        todo = link()
        body = "\n\n".join(
            [
                _("Hello,"),
                line,
                _("Log in to see it: %(link)s") % {"link": todo},
                _(
                    "This message was sent automatically and contains no details. Choose a daily summary or "
                    "turn off some e-mail on %(link)s"
                )
                % {"link": link("front:notifications")},
            ]
        )
        email = EmailMessage()
        email["Subject"] = subject
        email["From"] = settings.DEFAULT_FROM_EMAIL
        email["To"] = to_address
        email["Message-ID"] = message.message_id
        email["Date"] = format_datetime(message.created_at)
        email["Auto-Submitted"] = "auto-generated"
        email.set_content(body)
        if message.channel == Message.Channel.EMAIL and kinds.text_for(message.kind).calendar and message.payload:
            p = message.payload
            ics = ical.invitation(
                uid=p["uid"],
                sequence=int(p.get("sequence", 0)),
                starts_at=datetime.fromisoformat(p["starts_at"]),
                ends_at=datetime.fromisoformat(p["ends_at"]),
                method=p.get("method", "REQUEST"),
                link=todo,
                attendee=to_address,
            )
            email.add_attachment(
                ics,
                maintype="text",
                subtype="calendar",
                filename="invitation.ics",
                params={"method": p.get("method", "REQUEST")},
            )
        return email
