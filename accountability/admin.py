"""HQ sets the escalation rules and the kinds of accountability here. Nothing is deleted (a kind
is retired by unticking "in use"); notices and records are written only by the services."""

from django.contrib import admin

from campaign.admin import HQAdmin

from .models import AccountabilityKind, EscalationRule


class HQNoDeleteAdmin(HQAdmin):
    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(EscalationRule)
class EscalationRuleAdmin(HQNoDeleteAdmin):
    list_display = ["step", "threshold", "period_days", "is_active"]
    list_editable = ["threshold", "period_days", "is_active"]


@admin.register(AccountabilityKind)
class AccountabilityKindAdmin(HQNoDeleteAdmin):
    list_display = ["code", "name", "name_en", "order", "is_active"]
    list_editable = ["order", "is_active"]
