"""HQ reads the field phones in the admin; they are registered by the phones and cut off on
/field/devices/ (fieldwork/services/devices.py, audited), never changed here."""

from django.contrib import admin

from campaign.admin import HQReadOnlyAdmin

from .models import FieldDevice, FieldDeviceSession


class FieldDeviceSessionInline(admin.TabularInline):
    model = FieldDeviceSession
    extra = 0
    fields = ["first_seen_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(FieldDevice)
class FieldDeviceAdmin(HQReadOnlyAdmin):
    list_display = ["user", "label", "device", "registered_at", "last_seen_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["user__username", "user__full_name", "label"]
    list_select_related = ["user"]
    inlines = [FieldDeviceSessionInline]
