from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402

from backa.accounts.models import Position, User


class PositionInline(admin.TabularInline):
    model = Position
    extra = 0
    autocomplete_fields = ["unit"]


@admin.register(User)
class ProfessionalAdmin(UserAdmin):
    inlines = [PositionInline]
    list_display = ["username", "first_name", "last_name", "is_active"]
    fieldsets = UserAdmin.fieldsets + (("Identity provider", {"fields": ("hsa_id", "employee_id", "eppn")}),)


# TOTP devices: an administrator may see that a device exists and delete it (a lost phone:
# the person enrols again at the next login), but never read its secret key.

if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)


@admin.register(TOTPDevice)
class TOTPDeviceAdmin(admin.ModelAdmin):
    list_display = ["user", "name", "confirmed", "last_used_at"]
    fields = ["user", "name", "confirmed", "last_used_at", "throttling_failure_count"]
    readonly_fields = fields
    search_fields = ["user__username"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        from backa.accounts import events
        from backa.accounts.models import SecurityEventKind

        events.record(SecurityEventKind.TOTP_RESET, request=request, subject=obj.user_id, detail={"device_id": obj.pk})
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for device in queryset:
            self.delete_model(request, device)
