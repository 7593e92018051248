"""Admin for the one piece of sharing configuration a municipality edits: its activity sharing rules."""

from django.contrib import admin

from backa.consent.models import ActivitySharingRule


@admin.register(ActivitySharingRule)
class ActivitySharingRuleAdmin(admin.ModelAdmin):
    """Which activity of a board may see which categories of another of its activities without
    consent. No rule: no crossing (the default)."""

    list_display = ["from_activity", "to_activity", "categories", "basis", "created_at"]
    search_fields = ["from_activity__name", "to_activity__name", "basis"]
    list_select_related = ["from_activity", "to_activity"]
