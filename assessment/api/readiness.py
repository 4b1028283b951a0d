"""Readiness in the API: the figures per category of place (``/api/readiness/``) and the mock
assessments (``/api/mock-assessments/``: list with filters, one with its findings, and HQ's
draw). Scoped as the page: HQ staff and leaders the whole city or any district, a district lead
their own district only (asking for another is 404)."""

import django_filters
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from campaign.choices import Role
from campaign.models import District
from config.api import FilterBackend, PageNumberPagination
from inspections.services import InspectionError

from ..models import MockAssessment
from ..selectors.readiness import (
    mock_assessment_findings,
    mock_assessments_visible_to,
    readiness_by_category,
    readiness_trend,
)
from ..selectors.readiness_page import may_see_readiness, readiness_district
from ..services import readiness as services


class ReadinessPermission(BasePermission):
    """HQ staff, leaders and district leads read; HQ staff draw mock assessments."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not may_see_readiness(user):
            return False
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            return user.is_superuser or user.role == Role.HQ_STAFF
        return True


class ReadinessDragSerializer(serializers.Serializer):
    sample_point_id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    pass_probability = serializers.FloatField(help_text=_("The chance the place passes its next inspection."))
    inspections = serializers.IntegerField(help_text=_("Its inspections counted (in the window)."))
    district_id = serializers.IntegerField()


class ReadinessTrendPointSerializer(serializers.Serializer):
    week = serializers.DateField(help_text=_("The week's last day (Sunday)."))
    readiness = serializers.FloatField(allow_null=True)
    low = serializers.FloatField(allow_null=True)
    high = serializers.FloatField(allow_null=True)


class CategoryReadinessSerializer(serializers.Serializer):
    category_id = serializers.IntegerField()
    category = serializers.CharField()
    category_code = serializers.CharField()
    draw_size = serializers.IntegerField(help_text=_("Places the assessors draw (at most the places there are)."))
    draw_size_set = serializers.BooleanField(help_text=_("False: HQ has not set it; the default counts."))
    readiness = serializers.FloatField(allow_null=True, help_text=_(
        "0 to 1: the chance a draw inspected today meets the pass line; null while no place was inspected."))
    low = serializers.FloatField(allow_null=True, help_text=_("10th percentile of the estimate."))
    high = serializers.FloatField(allow_null=True, help_text=_("90th percentile of the estimate."))
    places = serializers.IntegerField()
    inspected_places = serializers.IntegerField()
    drag = ReadinessDragSerializer(many=True)
    trend = ReadinessTrendPointSerializer(many=True, required=False, help_text=_("Only with trend=true."))


class ReadinessAnswerSerializer(serializers.Serializer):
    as_of = serializers.DateField()
    district_id = serializers.IntegerField(allow_null=True)
    categories = CategoryReadinessSerializer(many=True)


class ReadinessQuerySerializer(serializers.Serializer):
    as_of = serializers.DateField(required=False, help_text=_("Default today; not in the future."))
    district = serializers.IntegerField(required=False, min_value=1, help_text=_(
        "A district's places only (a district lead: their own, the default)."))
    trend = serializers.BooleanField(required=False, default=False, help_text=_("Add the 12 weeks' trend."))

    def validate_as_of(self, value):
        if value > timezone.localdate():
            raise serializers.ValidationError(_("The date lies in the future."))
        return value


def _district_for(user, asked: int | None) -> int | None:
    """The district a request may read: a district lead only their own (another: 404)."""
    own = readiness_district(user)
    if own is None:
        if asked is not None and not District.objects.filter(pk=asked).exists():
            raise Http404
        return asked
    if asked is not None and asked != own:
        raise Http404
    return own


class ReadinessView(GenericAPIView):
    permission_classes = [ReadinessPermission]
    pagination_class = None
    serializer_class = ReadinessAnswerSerializer

    @extend_schema(
        summary=_("Readiness per category of place"), tags=["assessment"],
        parameters=[ReadinessQuerySerializer],
        description=_("Per key-place category: the chance that a draw of the assessors' size, inspected on the "
                      "day, meets the pass line, with its 10th–90th percentile interval, and the places that drag "
                      "it down (README \"Readiness\"). HQ staff and leaders: the city or a district; district "
                      "leads: their district."),
        responses={200: ReadinessAnswerSerializer, 400: OpenApiResponse(description=_("A parameter is invalid.")),
                   403: OpenApiResponse(description=_("Not HQ staff, a leader or a district lead.")),
                   404: OpenApiResponse(description=_("A district you may not read, or none such."))},
    )
    def get(self, request):
        query = ReadinessQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        as_of = data.get("as_of") or timezone.localdate()
        district_id = _district_for(request.user, data.get("district"))
        rows = readiness_by_category(as_of=as_of, district_id=district_id)
        if data["trend"]:
            trend = {row["category_id"]: row["points"] for row in
                     readiness_trend(as_of=as_of, district_id=district_id)["categories"]}
            for row in rows:
                row["trend"] = trend.get(row["category_id"], [])
        return Response({"as_of": as_of, "district_id": district_id, "categories": rows})


class MockAssessmentSerializer(serializers.ModelSerializer):
    round_id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(source="round.name", read_only=True)
    starts_on = serializers.DateField(source="round.starts_on", read_only=True)
    ends_on = serializers.DateField(source="round.ends_on", read_only=True)
    district_id = serializers.IntegerField(source="round.district_id", read_only=True, allow_null=True)
    status = serializers.CharField(source="round.status", read_only=True)
    pass_line = serializers.CharField(source="pass_line.__str__", read_only=True, allow_null=True, default=None)
    created_by = serializers.CharField(source="created_by.username", read_only=True)

    class Meta:
        model = MockAssessment
        fields = ["id", "round_id", "name", "starts_on", "ends_on", "district_id", "status", "pass_line",
                  "created_by", "created_at"]


class MockFindingSerializer(serializers.Serializer):
    category_id = serializers.IntegerField()
    category = serializers.CharField()
    drawn = serializers.IntegerField()
    inspected = serializers.IntegerField()
    passing = serializers.IntegerField(help_text=_("Inspected with no veto and no serious failure."))
    share = serializers.FloatField(allow_null=True, help_text=_("Passing ÷ inspected, in percent."))
    average = serializers.FloatField(allow_null=True)
    met = serializers.BooleanField(allow_null=True, help_text=_("The pass line met on what was inspected."))
    complete = serializers.BooleanField()
    predicted = serializers.FloatField(allow_null=True, help_text=_("Readiness predicted at the draw (0 to 1)."))


class MockAssessmentDetailSerializer(MockAssessmentSerializer):
    findings = serializers.SerializerMethodField()

    class Meta(MockAssessmentSerializer.Meta):
        fields = [*MockAssessmentSerializer.Meta.fields, "findings"]

    @extend_schema_field(MockFindingSerializer(many=True))
    def get_findings(self, mock) -> list:
        return mock_assessment_findings(mock)


class MockAssessmentCreateSerializer(serializers.Serializer):
    starts_on = serializers.DateField()
    ends_on = serializers.DateField(required=False)
    district = serializers.PrimaryKeyRelatedField(queryset=District.objects.all(), required=False, allow_null=True)
    name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    seed = serializers.IntegerField(required=False, min_value=0, max_value=2**31 - 1,
                                    help_text=_("The draw's seed (default random); the same seed draws the same."))


class MockAssessmentFilterSet(django_filters.FilterSet):
    district = django_filters.ModelChoiceFilter(field_name="round__district", queryset=District.objects.all(),
                                                label=_("District"))
    starts_after = django_filters.DateFilter(field_name="round__starts_on", lookup_expr="gte",
                                             label=_("Starts on or after"))
    starts_before = django_filters.DateFilter(field_name="round__starts_on", lookup_expr="lte",
                                              label=_("Starts on or before"))

    class Meta:
        model = MockAssessment
        fields = ["district", "starts_after", "starts_before"]


class MockAssessmentPagination(PageNumberPagination):
    page_size = 50


@extend_schema_view(
    list=extend_schema(summary=_("Mock assessments"), tags=["assessment"], description=_(
        "Mock assessments you may see (as their rounds), latest first.")),
    retrieve=extend_schema(summary=_("A mock assessment with its findings against the prediction"),
                           tags=["assessment"]),
    create=extend_schema(summary=_("Draw a mock assessment (HQ)"), tags=["assessment"],
                         request=MockAssessmentCreateSerializer, description=_(
        "Plans an inspection round of kind mock with the assessors' draw size per category and draws it."),
        responses={201: MockAssessmentDetailSerializer,
                   400: OpenApiResponse(description=_("Invalid input or nothing to draw.")),
                   403: OpenApiResponse(description=_("Only HQ staff draw mock assessments."))}),
)
class MockAssessmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                            viewsets.GenericViewSet):
    permission_classes = [ReadinessPermission]
    filter_backends = [FilterBackend]
    filterset_class = MockAssessmentFilterSet
    pagination_class = MockAssessmentPagination
    lookup_value_regex = r"\d+"
    queryset = MockAssessment.objects.none()

    def get_queryset(self):
        return mock_assessments_visible_to(self.request.user)

    def get_serializer_class(self):
        if self.action == "retrieve":
            return MockAssessmentDetailSerializer
        if self.action == "create":
            return MockAssessmentCreateSerializer
        return MockAssessmentSerializer

    def create(self, request, *args, **kwargs):
        if not (request.user.is_superuser or request.user.role == Role.HQ_STAFF):
            raise PermissionDenied
        given = MockAssessmentCreateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        try:
            mock = services.mock_assessment_create(
                by=request.user, starts_on=data["starts_on"], ends_on=data.get("ends_on"),
                district=data.get("district"), name=data.get("name", ""), seed=data.get("seed"))
        except services.ReadinessError as error:
            raise ValidationError({error.field or "non_field_errors": [str(error)]}) from None
        except InspectionError as error:
            raise ValidationError({"non_field_errors": [str(error)]}) from None
        mock = self.get_queryset().get(pk=mock.pk)
        return Response(MockAssessmentDetailSerializer(mock, context=self.get_serializer_context()).data,
                        status=status.HTTP_201_CREATED)

