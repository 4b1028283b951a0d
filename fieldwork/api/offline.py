"""GET /api/field/offline/: what the signed-in person's phone keeps to work without signal
(fieldwork/selectors.py): an inspector's assigned round points with their checklists, a unit
handler's open tasks with their photos' addresses. Only what ``visible_to`` lets them see."""

from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import selectors
from . import serializers as s
from .devices import FieldStaffOnly


def _days(value: str | None) -> int:
    if value in (None, ""):
        return selectors.OFFLINE_DAYS_DEFAULT
    try:
        days = int(value)
    except ValueError:
        days = 0
    if not 1 <= days <= selectors.OFFLINE_DAYS_MAX:
        raise ValidationError({"days": [_("Give a whole number of days from 1 to %(max)s.")
                                        % {"max": selectors.OFFLINE_DAYS_MAX}]})
    return days


class OfflineBundleView(APIView):
    permission_classes = [FieldStaffOnly]

    @extend_schema(
        summary=_("The offline copy for this phone"), tags=["fieldwork"],
        parameters=[OpenApiParameter("days", OpenApiTypes.INT, description=_(
            "Round points of rounds starting within this many days (1-14, default 3)."))],
        responses={200: s.OfflineBundleSerializer,
                   400: OpenApiResponse(s.ErrorSerializer, description=_("days is not a number from 1 to 14.")),
                   403: OpenApiResponse(s.ErrorSerializer, description=_("Not signed in, or the phone is cut off."))},
    )
    def get(self, request):
        bundle = selectors.offline_bundle(user=request.user, days=_days(request.query_params.get("days")))
        return Response(s.OfflineBundleSerializer(bundle, context={"request": request}).data)


routes = [
    path("field/offline/", OfflineBundleView.as_view(), name="field-offline"),
]
