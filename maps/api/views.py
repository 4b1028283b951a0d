"""The map's GeoJSON API: problems, sample points and boundaries, as the map page reads them.

Scoped like every list (``visible_to``: what a user may not see is absent), filtered with the
ledger's own FilterSet (the same query parameters as ``/api/problems/`` and the ledger page),
plus ``bbox`` and ``limit`` (maps/selectors.py).
"""

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from config.api import FilterBackend
from ledger.api.views import LedgerPermission
from ledger.filters import ProblemFilterSet
from ledger.models import Problem

from .. import selectors

WINDOW_PARAMETERS = [
    OpenApiParameter("bbox", str, description=_(
        "Only what lies in this box: west,south,east,north in degrees, in the map's display system "
        "(display_crs of the answer).")),
    OpenApiParameter("limit", {"type": "integer", "minimum": 1, "maximum": settings.MAP_MAX_FEATURES},
                     description=_("At most this many features (1 to MAP_MAX_FEATURES, its default).")),
]
FEATURES = OpenApiResponse(OpenApiTypes.OBJECT, description=_(
    "A GeoJSON FeatureCollection with display_crs, total (total_is_lower_bound when counting "
    "stopped), shown and limit."))


class MapView(GenericAPIView):
    permission_classes = [LedgerPermission]
    filter_backends = [FilterBackend]
    filterset_class = ProblemFilterSet
    pagination_class = None

    def get_queryset(self):
        return Problem.objects.visible_to(self.request.user)

    def window(self) -> selectors.MapWindow:
        try:
            return selectors.map_window(self.request.query_params)
        except selectors.MapQueryError as refused:
            raise ValidationError(refused.errors) from None


class MapProblemsView(MapView):
    @extend_schema(summary=_("Problems on the map"), tags=["map"], parameters=WINDOW_PARAMETERS,
                   description=_("Problems with coordinates, newest found first; open ones only unless a "
                                 "status, open, overdue or closed filter is given."),
                   responses={200: FEATURES})
    def get(self, request):
        window = self.window()
        filtered = self.filter_queryset(self.get_queryset())
        return Response(selectors.map_problems(filtered, request.query_params, window))


class MapSamplePointsView(MapView):
    @extend_schema(summary=_("Sample points on the map"), tags=["map"], parameters=WINDOW_PARAMETERS,
                   description=_("Active sample points with coordinates, narrowed by the district, category, "
                                 "team, responsible unit and sample point filters, each with its open and "
                                 "overdue problems among those the filters select."),
                   responses={200: FEATURES})
    def get(self, request):
        window = self.window()
        filtered = self.filter_queryset(self.get_queryset())
        try:
            answer = selectors.map_sample_points(request.user, filtered, request.query_params, window, request=request)
        except selectors.MapQueryError as refused:
            raise ValidationError(refused.errors) from None
        return Response(answer)


class MapBoundariesView(GenericAPIView):
    permission_classes = [LedgerPermission]
    pagination_class = None
    filter_backends = []

    @extend_schema(summary=_("District and grid boundaries"), tags=["map"],
                   description=_("The uploaded boundaries of the districts and grids you may see."),
                   responses={200: OpenApiResponse(OpenApiTypes.OBJECT, description=_("A GeoJSON FeatureCollection."))})
    def get(self, request):
        return Response(selectors.map_boundaries(request.user))
