"""HQ sets up the programme here; nothing that holds a record is deleted."""

from django.contrib import admin

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
class ModelSiteAdmin(admin.ModelAdmin):
    list_display = ["sample_point", "status", "marked_at", "status_changed_at"]
    list_filter = ["status", "sample_point__district"]
    search_fields = ["sample_point__code", "sample_point__name", "reason"]
    readonly_fields = ["sample_point", "status", "marked_by", "marked_at", "status_changed_at", "status_reason"]
    fields = ["sample_point", "status", "reason", "marked_by", "marked_at", "status_changed_at", "status_reason"]
    inlines = [ModelSitePhotoInline, ModelSiteEventInline]

    def has_add_permission(self, request):
        return False  # marked on the programme's page, through the service

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class BuildoutEventInline(_ReadOnlyInline):
    model = BuildoutEvent
    fields = ["at", "by", "from_state", "to_state", "on", "reason", "changes"]
    readonly_fields = fields


@admin.register(SamplePointBuildout)
class SamplePointBuildoutAdmin(admin.ModelAdmin):
    list_display = ["sample_point", "state", "planned_completion", "building_on", "ready_on", "checked_on"]
    list_filter = ["state", "sample_point__district", "sample_point__category"]
    search_fields = ["sample_point__code", "sample_point__name"]
    readonly_fields = ["sample_point", "state", "planned_completion", "planned_on", "building_on", "ready_on",
                       "checked_on", "updated_at"]
    inlines = [BuildoutEventInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
