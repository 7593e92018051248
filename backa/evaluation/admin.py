from django.contrib import admin

from backa.evaluation.models import EthicsApproval


@admin.register(EthicsApproval)
class EthicsApprovalAdmin(admin.ModelAdmin):
    list_display = ("reference", "study_title", "board", "valid_from", "valid_to")
    filter_horizontal = ("extractors",)
