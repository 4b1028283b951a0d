"""Pages of the campaign's structure: the overview, the sample-point list and a sample point.

Everything is loaded through ``visible_to(request.user)``; what a user may not see is a 404.
"""

from collections import defaultdict
from datetime import date
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext_lazy as _

from ..choices import Role
from ..filters import SamplePointFilterSet
from ..forms import bootstrap_form
from ..models import Category, District, Indicator, IndicatorValue, SamplePoint, Team
from ..panels import SAMPLE_POINT, render_panels

SAMPLE_POINTS_PER_PAGE = 50
TREND_MONTHS = 12


def campaign_staff_required(view):
    """Signed-in campaign staff only: anonymous users go to the login page, the public get 403.

    Members of the public have their own reporting pages; the command system is not for them.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            if is_htmx(request):
                # A fragment request after the session ended: send the whole page to login
                # instead of swapping the login page into the results.
                response = HttpResponse(status=204)
                response["HX-Redirect"] = redirect_to_login(request.get_full_path())["Location"]
                return response
            return redirect_to_login(request.get_full_path())
        if user.role == Role.PUBLIC and not user.is_superuser:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def is_htmx(request) -> bool:
    """A request from htmx that wants a fragment (not a history restore, which wants the page)."""
    return request.headers.get("HX-Request") == "true" and not request.headers.get(
        "HX-History-Restore-Request"
    )


def _months_back(today: date, months: int) -> date:
    """The first day of the month ``months - 1`` months before today's month."""
    index = today.year * 12 + today.month - 1 - (months - 1)
    return date(index // 12, index % 12 + 1, 1)


def _district_category_table(user, points):
    """Active sample points counted by category (rows) and district (columns), with totals."""
    counts = defaultdict(int)
    for district_id, category_id, n in (
        points.values_list("district_id", "category_id").annotate(n=Count("id")).order_by()
    ):
        counts[district_id, category_id] = n
    district_ids = {d for d, _ in counts}
    category_ids = {c for _, c in counts}
    districts = [
        d
        for d in District.objects.visible_to(user)
        if d.pk in district_ids or user.sees_whole_city or d.pk == user.district_id
    ]
    categories = list(Category.objects.filter(pk__in=category_ids))
    # Categories as rows and districts as columns: a city has more categories than districts,
    # so the table grows downwards and stays narrow enough for a phone and a printed page.
    rows = []
    for category in categories:
        cells = [counts[d.pk, category.pk] for d in districts]
        rows.append({"category": category, "cells": cells, "total": sum(cells)})
    totals = [sum(counts[d.pk, c.pk] for c in categories) for d in districts]
    return {
        "districts": districts,
        "rows": rows,
        "totals": totals,
        "total": sum(totals),
    }


def _indicator_rows(user, today: date):
    """Core indicators with their monthly values of the last TREND_MONTHS months."""
    since = _months_back(today, TREND_MONTHS)
    indicators = Indicator.objects.visible_to(user).prefetch_related(
        Prefetch(
            "values",
            queryset=IndicatorValue.objects.filter(month__gte=since).order_by("month"),
            to_attr="recent_values",
        )
    )
    rows = []
    for indicator in indicators:
        latest = indicator.recent_values[-1] if indicator.recent_values else None
        rows.append(
            {
                "indicator": indicator,
                "latest": latest,
                "met": indicator.is_met(latest.value) if latest else None,
                "values": indicator.recent_values,
            }
        )
    return rows


@campaign_staff_required
def overview(request):
    user = request.user
    points = SamplePoint.objects.visible_to(user).filter(active=True)
    team_counts = dict(
        points.exclude(team=None).values_list("team_id").annotate(n=Count("id")).order_by()
    )
    teams = list(
        Team.objects.visible_to(user).select_related("lead_unit").prefetch_related("member_units")
    )
    for team in teams:
        team.point_count = team_counts.get(team.pk, 0)
    context = {
        "matrix": _district_category_table(user, points),
        "teams": teams,
        "indicators": _indicator_rows(user, timezone.localdate()),
        "trend_months": TREND_MONTHS,
    }
    return render(request, "campaign/overview.html", context)


@campaign_staff_required
def sample_point_list(request):
    visible = SamplePoint.objects.visible_to(request.user)
    filterset = SamplePointFilterSet(
        request.GET or None,
        queryset=visible.select_related(
            "district", "category", "grid", "road", "responsible_unit", "team"
        ),
        request=request,
    )
    form = bootstrap_form(filterset.form)
    # django-filter's yes/no select says "Unknown" for "either": say what it means here.
    form.fields["active"].widget.choices = [
        ("unknown", _("All")), ("true", _("Active only")), ("false", _("Inactive only")),
    ]
    paginator = Paginator(filterset.qs, SAMPLE_POINTS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    filtered = any(v for k, v in request.GET.items() if k != "page")
    context = {
        "filterset": filterset,
        "form": form,
        "page": page,
        "paginator": paginator,
        "filtered": filtered,
        "visible_count": visible.count() if filtered else paginator.count,
    }
    template = (
        "campaign/_sample_point_results.html" if is_htmx(request) else "campaign/sample_point_list.html"
    )
    response = render(request, template, context)
    # The same URL answers with a fragment or a page: caches must keep them apart.
    patch_vary_headers(response, ["HX-Request"])
    return response


@campaign_staff_required
def sample_point_detail(request, pk: int):
    point = get_object_or_404(
        SamplePoint.objects.visible_to(request.user).select_related(
            "district", "category", "grid", "road", "responsible_unit",
            "team", "team__lead_unit",
        ),
        pk=pk,
    )
    return render(request, "campaign/sample_point_detail.html", {
        "point": point,
        "panels": render_panels(SAMPLE_POINT, request, point),  # problems, inspections… (campaign/panels.py)
    })
