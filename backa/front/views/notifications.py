"""Mina notiser: what was sent to me, when and by which channel; my e-mail choices."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from backa.casefile.models import Notification
from backa.lib.forms import AccessibleForm
from backa.outbox import kinds
from backa.outbox.models import EmailPreference, Message
from backa.outbox.services import do_set_email_preference

SHOWN = 100


class EmailPreferenceForm(AccessibleForm):
    mode = forms.ChoiceField(label=_("E-mail"), choices=EmailPreference.Mode.choices, widget=forms.RadioSelect)
    muted_kinds = forms.MultipleChoiceField(
        label=_("No e-mail about"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Urgent notifications (meetings, invitations) are always sent at once."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["muted_kinds"].choices = [(k, kinds.KINDS[k].label) for k in kinds.opt_outable()]


@login_required
@require_http_methods(["GET", "POST"])
def notifications(request):
    pref = EmailPreference.objects.filter(user=request.user).first()
    initial = {
        "mode": pref.mode if pref else EmailPreference.Mode.IMMEDIATE,
        "muted_kinds": pref.muted_kinds if pref else [],
    }
    form = EmailPreferenceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            do_set_email_preference(
                acting_user=request.user, mode=form.cleaned_data["mode"], muted_kinds=form.cleaned_data["muted_kinds"]
            )
            return redirect("front:notifications")
        except ValidationError as error:
            form.apply_service_errors(error)
    notes = list(Notification.objects.filter(recipient=request.user).order_by("-created_at")[:SHOWN])
    emails = Message.objects.filter(recipient=request.user, notification_id__in=[n.id for n in notes])
    by_note: dict = {}
    for message in emails:
        by_note.setdefault(message.notification_id, []).append(message)
    digests = list(
        Message.objects.filter(recipient=request.user, channel=Message.Channel.DIGEST).order_by("-created_at")[:30]
    )
    rows = [{"note": n, "emails": by_note.get(n.id, [])} for n in notes]
    return render(request, "front/notifications.html", {"rows": rows, "digests": digests, "form": form})
