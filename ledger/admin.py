"""The admin's view of the ledger's numbering: the blocks of problem numbers imports reserved,
and which were voided (skipped for ever) and why. Read-only, for HQ staff."""

from django.contrib import admin

from campaign.admin import HQAdmin

from .models import ProblemCodeBlock


@admin.register(ProblemCodeBlock)
class ProblemCodeBlockAdmin(HQAdmin):
    list_display = ["codes", "size", "ledger_import", "reserved_at", "voided_at", "void_reason"]
    list_filter = [("voided_at", admin.EmptyFieldListFilter), "year"]
    list_select_related = ["ledger_import"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
