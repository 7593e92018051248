"""RFC 5545 invitations for meetings. The event names no child and no place: "Möte i Backa
barnet", the time and a link. Updates and cancellations keep the UID and raise SEQUENCE."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vCalAddress, vText


def invitation(
    *, uid: str, sequence: int, starts_at: datetime, ends_at: datetime, method: str, link: str, attendee: str
) -> bytes:
    """method: REQUEST (new or changed) or CANCEL."""
    cal = Calendar()
    cal.add("prodid", "-//Backa barnet//outbox//SV")
    cal.add("version", "2.0")
    cal.add("method", method)
    event = Event()
    event.add("uid", uid)
    event.add("sequence", sequence)
    event.add("dtstamp", timezone.now())
    event.add("dtstart", starts_at)
    event.add("dtend", ends_at)
    event.add("summary", _("Meeting in Backa barnet"))
    event.add("description", _("Log in to see the meeting: %(link)s") % {"link": link})
    event.add("url", link)
    event.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    organizer = vCalAddress(f"mailto:{settings.DEFAULT_FROM_EMAIL}")
    organizer.params["cn"] = vText("Backa barnet")
    event["organizer"] = organizer
    if attendee:
        who = vCalAddress(f"mailto:{attendee}")
        who.params["role"] = vText("REQ-PARTICIPANT")
        who.params["partstat"] = vText("NEEDS-ACTION")
        event.add("attendee", who, encode=0)
    cal.add_component(event)
    return cal.to_ical()
