from django.contrib import admin

from .models import Delivery, GroupRobot


@admin.register(GroupRobot)
class GroupRobotAdmin(admin.ModelAdmin):
    """HQ sets each unit's and district's group robot here."""

    list_display = ["name", "platform", "unit", "district", "active"]
    list_filter = ["platform", "active"]
    search_fields = ["name", "unit__name", "district__name"]
    autocomplete_fields = ["unit", "district"]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    """The delivery log, read-only: what was sent, by which channel, with how many tries."""

    list_display = ["created_at", "notification", "channel", "status", "attempts", "sent_at"]
    list_filter = ["status", "channel", "notification__event"]
    search_fields = ["notification__recipient__username", "notification__robot__name", "last_error"]
    list_select_related = ["notification__recipient", "notification__robot"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
