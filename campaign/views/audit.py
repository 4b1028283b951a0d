"""The audit trail for HQ: sign-ins, failed sign-ins, role and scope changes, exports."""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from ..filters import AuditEntryFilterSet
from ..models import AuditEntry
from .people import structure_manager_required

ENTRIES_PER_PAGE = 50


@structure_manager_required
@require_GET
def audit_list(request):
    filterset = AuditEntryFilterSet(request.GET or None, queryset=AuditEntry.objects.select_related("actor"), request=request)
    entries = filterset.qs if filterset.is_bound else filterset.queryset
    page = Paginator(entries.order_by("-at", "-id"), ENTRIES_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "campaign/audit_list.html", {"filterset": filterset, "page": page})
