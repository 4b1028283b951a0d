"""REST API of the campaign structure.

Every viewset reads through ``Model.objects.visible_to(request.user)``: what a user may not
see is a 404 on detail and absent from lists. Only HQ staff create and change the structure
(through ``campaign.services.structure``); nothing is deleted over the API (deactivate a
sample point instead), so DELETE answers 405.
"""

from django.conf import settings
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import filters, mixins, serializers, status, viewsets
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from campaign.choices import AuditAction
from campaign.filters import (
    CategoryFilterSet,
    DistrictFilterSet,
    GridFilterSet,
    IndicatorFilterSet,
    RoadFilterSet,
    SamplePointFilterSet,
    TeamFilterSet,
    UnitFilterSet,
)
from campaign.models import (
    Category,
    District,
    Grid,
    Indicator,
    IndicatorValue,
    Road,
    SamplePoint,
    Team,
    Unit,
)
from campaign.services.audit import audit_record
from campaign.services.structure import (
    api_token_get_or_create,
    sample_point_create,
    sample_point_update,
    structure_create,
    structure_update,
)
from campaign.throttling import ScopedLoginThrottle
from config.api import FilterBackend, PageNumberPagination

from . import serializers as api_serializers
from .permissions import StructurePermission


class StructurePagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500


def _as_api_error(error: DjangoValidationError) -> serializers.ValidationError:
    if hasattr(error, "error_dict"):
        return serializers.ValidationError(error.message_dict)
    return serializers.ValidationError(error.messages)


class StructureViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """List, read, create and change; no delete (the ledger refers to the structure)."""

    # Token first: an API client without credentials gets 401 with "WWW-Authenticate: Token".
    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [StructurePermission]
    filter_backends = [FilterBackend, filters.SearchFilter, filters.OrderingFilter]
    pagination_class = StructurePagination
    select_related: tuple[str, ...] = ()
    prefetch_related: tuple = ()

    def get_queryset(self):
        model = self.queryset.model
        queryset = model.objects.visible_to(self.request.user)
        if self.select_related:
            queryset = queryset.select_related(*self.select_related)
        if self.prefetch_related:
            queryset = queryset.prefetch_related(*self.prefetch_related)
        return queryset

    def create_object(self, data: dict):
        return structure_create(model=self.queryset.model, data=data, by=self.request.user)

    def update_object(self, instance, data: dict):
        return structure_update(instance=instance, data=data, by=self.request.user)

    def perform_create(self, serializer):
        try:
            serializer.instance = self.create_object(serializer.validated_data)
        except DjangoValidationError as error:
            raise _as_api_error(error) from error

    def perform_update(self, serializer):
        try:
            serializer.instance = self.update_object(serializer.instance, serializer.validated_data)
        except DjangoValidationError as error:
            raise _as_api_error(error) from error


class DistrictViewSet(StructureViewSet):
    """Districts, counties and development zones, with their area chiefs."""

    queryset = District.objects.all()
    serializer_class = api_serializers.DistrictSerializer
    filterset_class = DistrictFilterSet
    search_fields = ["code", "name", "name_en"]
    ordering_fields = ["code", "name"]
    ordering = ["code"]


class GridViewSet(StructureViewSet):
    """Grid cells and their grid chiefs."""

    queryset = Grid.objects.all()
    serializer_class = api_serializers.GridSerializer
    filterset_class = GridFilterSet
    select_related = ("district",)
    search_fields = ["code", "name", "chief_name"]
    ordering_fields = ["code", "name", "district__code"]
    ordering = ["district__code", "code"]


class RoadViewSet(StructureViewSet):
    """Roads (sections) and their road chiefs."""

    queryset = Road.objects.all()
    serializer_class = api_serializers.RoadSerializer
    filterset_class = RoadFilterSet
    select_related = ("district",)
    search_fields = ["name", "section", "chief_name"]
    ordering_fields = ["name", "district__code"]
    ordering = ["district__code", "name"]


class UnitViewSet(StructureViewSet):
    """Responsible units: city departments, district governments, street offices, enterprises."""

    queryset = Unit.objects.all()
    serializer_class = api_serializers.UnitSerializer
    filterset_class = UnitFilterSet
    select_related = ("district",)
    search_fields = ["name", "name_en", "contact_name"]
    ordering_fields = ["name", "kind"]
    ordering = ["kind", "name"]


class TeamViewSet(StructureViewSet):
    """Special teams with their leader, lead unit, member units and categories."""

    queryset = Team.objects.all()
    serializer_class = api_serializers.TeamSerializer
    filterset_class = TeamFilterSet
    select_related = ("lead_unit",)
    prefetch_related = ("member_units", "categories")
    search_fields = ["code", "name", "name_en", "leader_name"]
    ordering_fields = ["code", "name"]
    ordering = ["code"]


class CategoryViewSet(StructureViewSet):
    """The 8 categories of the national standard and the key-place categories."""

    queryset = Category.objects.all()
    serializer_class = api_serializers.CategorySerializer
    filterset_class = CategoryFilterSet
    search_fields = ["code", "name_zh", "name_en"]
    ordering_fields = ["code", "order", "name_zh"]
    ordering = ["kind", "order", "code"]


class SamplePointViewSet(StructureViewSet):
    """Sample points: the places assessors may visit. Deactivate one (``active: false``)
    instead of deleting it."""

    queryset = SamplePoint.objects.all()
    serializer_class = api_serializers.SamplePointSerializer
    filterset_class = SamplePointFilterSet
    select_related = ("category", "district", "grid", "road", "responsible_unit", "team")
    search_fields = ["code", "name", "address"]
    ordering_fields = ["code", "name", "district__code", "category__code", "updated_at"]
    ordering = ["code"]

    def create_object(self, data: dict):
        return sample_point_create(data=data, by=self.request.user)

    def update_object(self, instance, data: dict):
        return sample_point_update(point=instance, data=data, by=self.request.user)


class IndicatorViewSet(StructureViewSet):
    """Core indicators with their targets, monthly values, latest value and whether it is met."""

    queryset = Indicator.objects.all()
    serializer_class = api_serializers.IndicatorSerializer
    filterset_class = IndicatorFilterSet
    select_related = ("category",)
    search_fields = ["code", "name", "name_en"]
    ordering_fields = ["code", "name"]
    ordering = ["code"]

    def get_queryset(self):
        values = IndicatorValue.objects.order_by("month")
        return super().get_queryset().prefetch_related(Prefetch("values", queryset=values))


# --- API access ----------------------------------------------------------------------------


@extend_schema_view(
    post=extend_schema(
        summary=_("Obtain an API token"),
        description=_(
            "Exchange a username and password for a token, then send "
            '"Authorization: Token <token>" with every request. Throttled; after repeated '
            "failures for one username from one address, sign-in is locked for a while."
        ),
        request=api_serializers.TokenRequestSerializer,
        responses={
            200: api_serializers.TokenSerializer,
            400: OpenApiResponse(description=_("Wrong username or password, or a field missing.")),
            429: OpenApiResponse(
                api_serializers.LockedOutSerializer,
                description=_("Too many attempts: throttled or locked out."),
            ),
        },
        auth=[],
        tags=["auth"],
    )
)
class ObtainTokenView(APIView):
    """``POST /api/auth/token/`` with username and password answers ``{"token": "…"}``."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedLoginThrottle]
    throttle_scope = "login"

    def post(self, request):
        data = api_serializers.TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        # Passing the request lets django-axes count this failure and refuse a locked-out
        # username and address, exactly as on the sign-in page.
        user = authenticate(
            request=request,
            username=data.validated_data["username"],
            password=data.validated_data["password"],
        )
        if getattr(request, "axes_locked_out", False):
            return Response(
                {"detail": str(settings.AXES_COOLOFF_MESSAGE)}, status=settings.AXES_HTTP_RESPONSE_CODE
            )
        if user is None or not user.is_active:
            raise serializers.ValidationError(
                {"non_field_errors": [_("Unable to sign in with that username and password.")]}
            )
        audit_record(action=AuditAction.SIGN_IN, request=request, actor=user, details={"via": "api token"})
        return Response({"token": api_token_get_or_create(user=user)}, status=status.HTTP_200_OK)
