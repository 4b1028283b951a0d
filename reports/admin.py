"""Reports in the admin: read-only for HQ staff (reports are snapshots; the pages and the
worker write them). Weekly tasks are entered on the reports pages."""

from django.contrib import admin

from .models import OverdueSnapshot, Report, WeeklyTask


class ReadOnlyHQAdmin(admin.ModelAdmin):
    def has_module_permission(self, request):
        return request.user.is_active and request.user.can_manage_structure

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Report)
class ReportAdmin(ReadOnlyHQAdmin):
    list_display = ["kind", "period_start", "district", "version", "status", "progress", "attempts",
                    "requested_at", "sent_at", "finished_at", "published_at"]
    list_filter = ["kind", "status", "scheduled"]
    date_hierarchy = "period_start"
    list_select_related = ["district"]
    exclude = ["data"]


@admin.register(WeeklyTask)
class WeeklyTaskAdmin(ReadOnlyHQAdmin):
    list_display = ["week_start", "text", "unit", "due_on", "created_by"]
    list_select_related = ["unit", "created_by"]


@admin.register(OverdueSnapshot)
class OverdueSnapshotAdmin(ReadOnlyHQAdmin):
    list_display = ["day", "district", "unit", "overdue", "oldest_deadline"]
    list_filter = ["day"]
    list_select_related = ["district", "unit"]
