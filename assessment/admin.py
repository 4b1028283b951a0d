"""HQ edits the standard and the assessment's settings here; nothing that holds a record
(uploads, reviews, survey answers) is deleted."""


# --- The materials archive: read only (uploads and reviews go through the pages and the API) ---
from django.contrib import admin  # noqa: E402

from .models import ArchiveExport, MaterialEvent, MaterialFile, MaterialState  # noqa: E402


class ReadOnlyArchiveAdmin(admin.ModelAdmin):
    """Nothing here is added, changed or deleted: the archive's records are append-only."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(MaterialFile)
class MaterialFileAdmin(ReadOnlyArchiveAdmin):
    list_display = ["requirement", "version", "original_name", "kind", "size", "uploaded_by", "uploaded_at"]
    list_filter = ["kind"]
    search_fields = ["requirement__code", "original_name", "sha256"]
    list_select_related = ["requirement", "uploaded_by"]


@admin.register(MaterialEvent)
class MaterialEventAdmin(ReadOnlyArchiveAdmin):
    list_display = ["requirement", "action", "from_status", "to_status", "actor", "at"]
    list_filter = ["action", "to_status"]
    search_fields = ["requirement__code", "comment"]
    list_select_related = ["requirement", "actor"]


@admin.register(MaterialState)
class MaterialStateAdmin(ReadOnlyArchiveAdmin):
    list_display = ["requirement", "status", "latest_file", "accepted_file", "changed_at"]
    list_filter = ["status"]
    list_select_related = ["requirement", "latest_file", "accepted_file"]


@admin.register(ArchiveExport)
class ArchiveExportAdmin(ReadOnlyArchiveAdmin):
    list_display = ["pk", "requested_by", "created_at", "status", "processed_rows", "total_rows", "attempts"]
    list_filter = ["status"]
