"""Readiness's admin: the pass lines, draw sizes and mock assessments, read only."""

from django.contrib import admin

from .models import DrawSize, MockAssessment, PassLine


class ReadOnlyHistory(admin.ModelAdmin):
    """Readiness settings are changed on the readiness settings page (or the API) through the
    services, each change a new row; here they are read, never edited or deleted."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PassLine)
class PassLineAdmin(ReadOnlyHistory):
    list_display = ["set_at", "rule", "min_share", "min_average", "window_days", "half_life_days", "set_by", "reason"]


@admin.register(DrawSize)
class DrawSizeAdmin(ReadOnlyHistory):
    list_display = ["category", "size", "source", "set_by", "set_at"]
    list_filter = ["category"]


@admin.register(MockAssessment)
class MockAssessmentAdmin(ReadOnlyHistory):
    list_display = ["round", "created_by", "created_at"]
    readonly_fields = ["round", "pass_line", "predicted", "created_by", "created_at"]
