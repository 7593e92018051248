"""Admin for reference data only. Children and their records never appear in the admin."""

from django.contrib import admin

from backa.organisations.models import Activity, District, LegalReference, Municipality, Organisation, Unit


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "socialjour_phone", "acute_escalation_minutes", "report_feedback_days"]


@admin.register(LegalReference)
class LegalReferenceAdmin(admin.ModelAdmin):
    """Where a lawyer corrects the product's references to the law, without a code change."""

    list_display = ["key", "statute", "provision", "confirmed", "updated_at"]
    list_filter = ["confirmed"]


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "municipality", "evaluation_arm", "pilot_start"]
    list_filter = ["evaluation_arm", "municipality"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "is_osl_authority", "municipality"]
    list_filter = ["kind", "is_osl_authority"]
    search_fields = ["name"]


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name", "unit_type", "organisation", "activity", "district"]
    list_filter = ["unit_type", "district"]
    search_fields = ["name", "external_id"]
    list_select_related = ["organisation", "district"]


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    """The activities (verksamheter) secrecy runs between; units and posts point to them."""

    list_display = ["name", "kind", "organisation"]
    list_filter = ["kind"]
    search_fields = ["name", "organisation__name"]
    list_select_related = ["organisation"]
