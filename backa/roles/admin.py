"""District administrators edit the life-phase rules here. Role assignments and handovers
name children, so they are not in the admin; they change only through the services."""

from django.contrib import admin

from backa.roles.models import LifePhaseConfig


@admin.register(LifePhaseConfig)
class LifePhaseConfigAdmin(admin.ModelAdmin):
    list_display = ["phase", "priority", "unit_type", "position_kind", "handover_days", "municipality"]
    list_filter = ["phase", "municipality"]
    ordering = ["municipality", "phase", "priority"]
