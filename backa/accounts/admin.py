from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import Position, User


class PositionInline(admin.TabularInline):
    model = Position
    extra = 0
    autocomplete_fields = ["unit"]


@admin.register(User)
class ProfessionalAdmin(UserAdmin):
    inlines = [PositionInline]
    list_display = ["username", "first_name", "last_name", "is_active"]
    fieldsets = UserAdmin.fieldsets + (("Identity provider", {"fields": ("hsa_id", "employee_id")}),)
