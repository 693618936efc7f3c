"""Django admin for the roster (issue 2 point 11); tenancy rules come from ``TenantAdmin``."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from organisations.admin import TenantAdmin

from .models import Employee


@admin.register(Employee)
class EmployeeAdmin(TenantAdmin):
    list_display = ("full_name", "email", "organisation", "office", "membership", "status", "created_at")
    list_select_related = ("organisation", "office", "membership__user")
    list_filter = ("status", "organisation")
    search_fields = ("first_name", "last_name", "email", "membership__user__email")

    @admin.display(description=_("name"), ordering="last_name")
    def full_name(self, obj) -> str:
        return str(obj)
