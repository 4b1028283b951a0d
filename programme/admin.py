"""HQ sets up the programme here; nothing that holds a record is deleted."""

from django.contrib import admin

from campaign.admin import HQAdmin

from .models import PlanRound, RoundPlan, RoundPlanEvent, RoundPlanQuota


class ReadOnlyHQAdmin(HQAdmin):
    """Read in the admin, written only by the services (each change an event): the plan pages
    create, change, pause and resume plans; the sweep makes their rounds."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class RoundPlanQuotaInline(admin.TabularInline):
    model = RoundPlanQuota
    extra = 0
    readonly_fields = ["category", "quota"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(RoundPlan)
class RoundPlanAdmin(ReadOnlyHQAdmin):
    list_display = ["name", "kind", "recurrence", "every_weeks", "anchor", "district", "active", "owner",
                    "last_error_at"]
    list_filter = ["kind", "recurrence", "active", "district"]
    search_fields = ["name"]
    inlines = [RoundPlanQuotaInline]


@admin.register(PlanRound)
class PlanRoundAdmin(ReadOnlyHQAdmin):
    list_display = ["plan", "period_start", "period_end", "round", "made_at"]
    list_filter = ["plan"]
    date_hierarchy = "period_start"


@admin.register(RoundPlanEvent)
class RoundPlanEventAdmin(ReadOnlyHQAdmin):
    list_display = ["plan", "action", "at", "by", "note"]
    list_filter = ["action", "plan"]
