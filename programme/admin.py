"""HQ sets up the programme here; nothing that holds a record is deleted."""

from django.contrib import admin

from .models import Pair, PairingEvent, PairTask, PairVisit


class _ReadOnly(admin.ModelAdmin):
    """Pairing changes only through its services (pages and API): the admin reads."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


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
