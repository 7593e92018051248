"""The dead letters for administrators: the Django admin holds reference data and this
(an outbox row is ids, a kind and delivery state; no child data)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from backa.outbox.models import Message
from backa.outbox.services import do_requeue


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ("created_at", "kind", "channel", "recipient", "state", "attempts", "smtp_code", "last_error")
    list_filter = ("state", "channel", "kind")
    list_select_related = ("recipient",)
    ordering = ("-created_at",)
    actions = ["requeue"]
    readonly_fields = [f.name for f in Message._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Send again (dead, refused or unconfirmed; same Message-ID)"))
    def requeue(self, request, queryset):
        count = do_requeue(acting_user=request.user, message_ids=queryset.values_list("id", flat=True))
        self.message_user(request, _("%(count)d sent again.") % {"count": count})
