"""Likely duplicates while a problem is recorded: the open problems of its category near its
place (ledger/nearby.py), as JSON for the record form's list (static/js/problem_record.js)."""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.text import Truncator

from campaign.views.structure import campaign_staff_required

from ..choices import Action
from ..forms import NearbyQueryForm
from ..nearby import problems_nearby, thumbnail_urls
from ..rules import ROLES, role_of


@campaign_staff_required
def problem_nearby(request):
    """GET ?category=&latitude=&longitude= (or &sample_point=): the open problems the user may
    see within NEARBY_RADIUS_M and NEARBY_DAYS, nearest first. Only for those who record."""
    user = request.user
    if role_of(user) not in ROLES[Action.RECORD]:
        raise PermissionDenied
    form = NearbyQueryForm(request.GET, user=user)
    if not form.is_valid():
        return JsonResponse({"errors": form.errors}, status=400)
    data = form.cleaned_data
    found = []
    if data["latitude"] is not None:
        found = problems_nearby(user=user, category=data["category"], latitude=data["latitude"],
                                longitude=data["longitude"])
    thumbnails = thumbnail_urls(problem.before_photo_id for problem in found)
    detail = reverse("ledger:problem_detail", args=[0]).rsplit("/0/", 1)[0]
    return JsonResponse({
        "radius_m": settings.NEARBY_RADIUS_M,
        "days": settings.NEARBY_DAYS,
        "results": [
            {
                "id": problem.pk,
                "code": problem.code,
                "url": f"{detail}/{problem.pk}/",
                "description": Truncator(problem.description).chars(80),
                "address": problem.address,
                "status": problem.get_status_display(),
                "found_at": timezone.localtime(problem.found_at).strftime("%Y-%m-%d %H:%M"),
                "distance_m": round(problem.distance_m),
                "thumbnail": thumbnails.get(problem.before_photo_id),
            }
            for problem in found
        ],
    })


routes = [
    path("problems/nearby/", problem_nearby, name="problem_nearby"),
]
