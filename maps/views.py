"""The map page: the ledger's filters over a map of problems and sample points.

The page itself holds no data: static/js/map.js reads the map API (maps/api/views.py) with the
page's query string, so the page and the API apply one FilterSet and one scoping.
"""

from django.shortcuts import render
from django.views.decorators.http import require_GET

from campaign.views.structure import campaign_staff_required
from ledger.filters import ProblemFilterSet
from ledger.models import Problem
from ledger.views.problems import filter_form, scope_choices


@campaign_staff_required
@require_GET
def map_page(request):
    user = request.user
    filterset = ProblemFilterSet(request.GET or None, queryset=Problem.objects.visible_to(user), request=request)
    scope_choices(filterset, user)
    form = filter_form(filterset)
    filtered = any(v for k, v in request.GET.items() if k not in ("cursor", "sort"))
    status = 400 if form.is_bound and not form.is_valid() else 200
    return render(request, "maps/map.html", {"form": form, "filtered": filtered}, status=status)
