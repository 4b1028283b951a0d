"""HQ sets up the programme here; nothing that holds a record is deleted."""

from django.contrib import admin

from campaign.admin import HQReadOnlyAdmin

from .models import (
    Pair,
    PairingEvent,
    PairTask,
    PairVisit,
    PlanRound,
    RoundPlan,
    RoundPlanEvent,
    RoundPlanQuota,
)


class ReadOnlyHQAdmin(HQReadOnlyAdmin):
    """Read in the admin, written only by the services (each change an event): the plan pages
    create, change, pause and resume plans; the sweep makes their rounds."""


class _ReadOnly(HQReadOnlyAdmin):
    """Pairing changes only through its services (pages and API): the admin reads."""


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


# --- Model sites and the sample points' build-out (programme/models/sites.py) ---------------
# Read-only here: every change goes through the programme's pages and API (the services).
from .models import (  # noqa: E402
    BuildoutEvent,
    ModelSite,
    ModelSiteEvent,
    ModelSitePhoto,
    SamplePointBuildout,
)


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ModelSitePhotoInline(_ReadOnlyInline):
    model = ModelSitePhoto
    fields = ["image", "width", "height", "uploaded_by", "uploaded_at"]
    readonly_fields = fields


class ModelSiteEventInline(_ReadOnlyInline):
    model = ModelSiteEvent
    fields = ["at", "action", "by", "from_status", "to_status", "reason"]
    readonly_fields = fields


@admin.register(ModelSite)
class ModelSiteAdmin(ReadOnlyHQAdmin):
    list_display = ["sample_point", "status", "marked_at", "status_changed_at"]
    list_filter = ["status", "sample_point__district"]
    search_fields = ["sample_point__code", "sample_point__name", "reason"]
    fields = ["sample_point", "status", "reason", "marked_by", "marked_at", "status_changed_at", "status_reason"]
    readonly_fields = fields
    inlines = [ModelSitePhotoInline, ModelSiteEventInline]


class BuildoutEventInline(_ReadOnlyInline):
    model = BuildoutEvent
    fields = ["at", "by", "from_state", "to_state", "on", "reason", "changes"]
    readonly_fields = fields


@admin.register(SamplePointBuildout)
class SamplePointBuildoutAdmin(ReadOnlyHQAdmin):
    list_display = ["sample_point", "state", "planned_completion", "building_on", "ready_on", "checked_on"]
    list_filter = ["state", "sample_point__district", "sample_point__category"]
    search_fields = ["sample_point__code", "sample_point__name"]
    readonly_fields = ["sample_point", "state", "planned_completion", "planned_on", "building_on", "ready_on",
                       "checked_on", "updated_at"]
    inlines = [BuildoutEventInline]
@admin.register(Pair)
class PairAdmin(_ReadOnly):
    list_display = ["community", "unit", "starts_on", "ends_on", "active"]
    list_filter = ["active", "community__district"]
    search_fields = ["community__name", "unit__name"]


@admin.register(PairTask)
class PairTaskAdmin(_ReadOnly):
    list_display = ["title", "pair", "due_on", "status", "done_on"]
    list_filter = ["status", "kind"]


@admin.register(PairVisit)
class PairVisitAdmin(_ReadOnly):
    list_display = ["pair", "visited_on", "visitors"]


@admin.register(PairingEvent)
class PairingEventAdmin(_ReadOnly):
    list_display = ["at", "actor", "action", "pair", "from_status", "to_status"]
    list_filter = ["action"]
