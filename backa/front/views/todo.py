"""Att göra: notifications, due reviews; the Upptäckare's own concerns."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from backa.audit.log import Action, log_access_many
from backa.audit.log import Action as LogAction
from backa.audit.vocabulary import ObjectType, Purpose
from backa.casefile.followups import due_reviews
from backa.casefile.models import Concern, Notification


@login_required
def my_concerns(request):
    concerns = list(
        Concern.objects.filter(reported_by=request.user).select_related("child").order_by("-created_at")[:100]
    )
    log_access_many(
        request=request,
        action=Action.LIST,
        children=[c.child for c in concerns],
        purpose=Purpose.MY_CONCERNS,
        object_type=ObjectType.CONCERN,
    )
    return render(request, "front/my_concerns.html", {"concerns": concerns})


# -- start page ---------------------------------------------------------------------------------

K = Notification.Kind
# Where each kind of notification opens (every target checks access itself). A kind not
# listed opens the start page's worklist of one's own concerns.
_LINKS = {
    K.NEW_CONCERN: lambda n: reverse("casefile:concern", args=[n.object_id]),
    K.MEETING_INVITATION: lambda n: reverse("casefile:meeting", args=[n.child_id, n.object_id]),
    K.MEETING_UPDATED: lambda n: reverse("casefile:meeting", args=[n.child_id, n.object_id]),
    K.MEETING_CANCELLED: lambda n: reverse("casefile:meeting", args=[n.child_id, n.object_id]),
    K.REMIND_FOLLOWUP_DUE: lambda n: reverse("casefile:plan", args=[n.child_id]),
    K.REMIND_FOLLOWUP_LATE: lambda n: reverse("casefile:plan", args=[n.child_id]),
    K.REMIND_HANDOVER: lambda n: reverse("front:handover", args=[n.object_id]),
    K.REMIND_CONSENT: lambda n: reverse("casefile:consent_detail", args=[n.child_id, n.object_id]),
    K.REMIND_EMERGENCY: lambda n: reverse("access:review_queue"),
    K.TEAM_INVITATION: lambda n: reverse("casefile:invitation", args=[n.object_id]),
    K.TEAM_INVITATION_ANSWERED: lambda n: reverse("casefile:team", args=[n.child_id]),
    # The intake (mottagning): the object is the report's queue item, or the report, or the review.
    K.ACUTE_REPORT: lambda n: reverse("casefile:intake_item", args=[n.object_id]),
    K.ACUTE_ESCALATED: lambda n: reverse("casefile:intake_item", args=[n.object_id]),
    K.REPORT_ASSIGNED: lambda n: reverse("casefile:intake_item", args=[n.object_id]),
    K.SECOND_LOOK: lambda n: reverse("casefile:intake_item", args=[n.object_id]),
    K.FEEDBACK_DUE: lambda n: reverse("casefile:intake_queue"),
    K.QUALITY_REVIEW: lambda n: reverse("casefile:intake_reviews"),
}


def notification_link(note: Notification) -> str:
    make = _LINKS.get(note.kind)
    return make(note) if make else reverse("front:my_concerns")


@login_required
@require_http_methods(["GET", "POST"])
def todo(request):
    """Due and overdue reviews for the barnkontakt and stödsamordnare, and new notifications."""
    if request.method == "POST" and request.POST.get("do") == "read":
        from backa.casefile.concerns import do_mark_notifications_read

        do_mark_notifications_read(acting_user=request.user)
        return redirect("front:todo")
    reviews = due_reviews(request.user)
    notes = list(
        Notification.objects.filter(recipient=request.user, read_at__isnull=True)
        .select_related("child")
        .order_by("-created_at")[:50]
    )
    log_access_many(
        request=request,
        action=LogAction.LIST,
        children=[p.child for p in reviews],
        purpose=Purpose.DUE_REVIEWS,
        object_type=ObjectType.PLAN,
    )
    for note in notes:
        note.link = notification_link(note)
    log_access_many(
        request=request,
        action=LogAction.LIST,
        children=[n.child for n in notes],
        purpose=Purpose.NOTIFICATIONS,
        object_type=ObjectType.NOTIFICATION,
    )
    return render(
        request, "front/todo.html", {"reviews": reviews, "notifications": notes, "today": timezone.localdate()}
    )
