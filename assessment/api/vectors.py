"""REST API of the vector-control surveys: list (the page's filters), record, detail, raise a
failed survey's problems, and the thresholds with their sources (read). Surveys load through
``visible_to(request.user)`` (out of scope: 404); changes go through
assessment/services/vectors.py, whose refusals answer 400 naming each field
(``{"counts.rodent_rooms.positive": ["…"]}``) or 403."""

import datetime as dt

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import include, path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter
from rest_framework.views import APIView

from campaign.choices import CategoryKind, Role
from campaign.models import Category, District, SamplePoint
from config.api import FilterBackend, PageNumberPagination
from ledger.api.errors import ForbiddenError, ledger_errors

from ..filters.vectors import VectorSurveyFilterSet
from ..models import VectorCount, VectorSurvey, VectorThreshold
from ..models.vectors import may_record_vectors
from ..selectors.vectors import months_back, vector_trend
from ..services import vectors as services
from ..vectors.indicators import SPECS, Indicator, Species


class VectorPermission(BasePermission):
    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated and user.is_active):
            return False
        if not user.is_superuser and user.role == Role.PUBLIC:
            return False
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            return may_record_vectors(user)
        return True


class CountSerializer(serializers.ModelSerializer):
    unit = serializers.SerializerMethodField()

    class Meta:
        model = VectorCount
        fields = ["indicator", "checked", "positive", "value", "unit", "level"]

    def get_unit(self, count) -> str:
        return SPECS[count.indicator].unit


class VectorSurveySerializer(serializers.ModelSerializer):
    counts = CountSerializer(many=True, read_only=True)
    passed = serializers.BooleanField(read_only=True)
    sample_points = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = VectorSurvey
        fields = ["id", "species", "district", "place_type", "surveyed_on", "sample_points", "surveyed_by", "note",
                  "level", "passed", "counts", "recorded_by", "recorded_at", "updated_at", "problems_raised_at"]
        read_only_fields = fields


class CountInputSerializer(serializers.Serializer):
    checked = serializers.IntegerField()
    positive = serializers.IntegerField()


class VectorSurveyInputSerializer(serializers.Serializer):
    species = serializers.ChoiceField(choices=Species.choices)
    district = serializers.PrimaryKeyRelatedField(queryset=District.objects.none())
    place_type = serializers.PrimaryKeyRelatedField(queryset=Category.objects.filter(kind=CategoryKind.KEY_PLACE))
    surveyed_on = serializers.DateField()
    sample_points = serializers.PrimaryKeyRelatedField(queryset=SamplePoint.objects.none(), many=True, required=False)
    surveyed_by = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    note = serializers.CharField(required=False, allow_blank=True, default="")
    counts = serializers.DictField(child=CountInputSerializer(), allow_empty=False,
                                   help_text="Per indicator (" + ", ".join(Indicator.values) + "): checked and positive.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:  # (the schema builds it without one)
            self.fields["district"].queryset = District.objects.visible_to(request.user)
            self.fields["sample_points"].child_relation.queryset = SamplePoint.objects.visible_to(request.user)


class VectorSurveyEditSerializer(VectorSurveyInputSerializer):
    reason = serializers.CharField(max_length=500, help_text=_("Why the survey is corrected (kept in its history)."))


class ThresholdSerializer(serializers.ModelSerializer):
    class Meta:
        model = VectorThreshold
        fields = ["id", "species", "indicator", "level", "max_value", "source", "sourced", "updated_at"]
        read_only_fields = fields


@extend_schema_view(
    list=extend_schema(summary=_("Vector surveys the user may see, newest first")),
    retrieve=extend_schema(summary=_("One vector survey: its counts, values and levels")),
    create=extend_schema(summary=_("Record a vector survey"), request=VectorSurveyInputSerializer,
                         responses={201: VectorSurveySerializer, 400: OpenApiResponse(description=_("Impossible counts, by field")),
                                    403: OpenApiResponse(description=_("Only HQ and the vector-control team lead"))}),
)
class VectorSurveyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                          viewsets.GenericViewSet):
    lookup_value_regex = r"\d+"  # a path id that is not a number is a 404, never a 500
    permission_classes = [VectorPermission]
    serializer_class = VectorSurveySerializer
    queryset = VectorSurvey.objects.none()  # the model, for the schema; rows by get_queryset (scoped)
    pagination_class = PageNumberPagination
    filter_backends = [FilterBackend]
    filterset_class = VectorSurveyFilterSet

    def get_queryset(self):
        return (VectorSurvey.objects.visible_to(self.request.user).select_related("district", "place_type")
                .prefetch_related("counts", "sample_points").order_by("-surveyed_on", "-id"))

    def create(self, request, *args, **kwargs):
        data = VectorSurveyInputSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        values = data.validated_data
        counts = {code: services.CountInput(checked=c["checked"], positive=c["positive"])
                  for code, c in values["counts"].items()}
        try:
            survey = services.vector_survey_record(
                by=request.user, species=values["species"], district=values["district"],
                place_type=values["place_type"], surveyed_on=values["surveyed_on"], counts=counts,
                sample_points=values.get("sample_points", []), surveyed_by=values["surveyed_by"], note=values["note"])
        except services.VectorInvalid as refused:
            raise ValidationError({_api_field(field): [message] for field, message in refused.errors.items()}) \
                from refused
        except services.VectorForbidden as refused:
            raise ForbiddenError(str(refused)) from refused
        return Response(VectorSurveySerializer(survey).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary=_("Correct a vector survey (fields not sent stay as they are; a reason is required)"),
                   request=VectorSurveyEditSerializer,
                   responses={200: VectorSurveySerializer, 400: OpenApiResponse(description=_("Impossible counts, by field")),
                              403: OpenApiResponse(description=_("Only HQ and the vector-control team lead"))})
    def partial_update(self, request, pk=None):
        survey = get_object_or_404(self.get_queryset(), pk=pk)
        data = VectorSurveyEditSerializer(data=request.data, partial=True, context={"request": request})
        data.is_valid(raise_exception=True)
        values = data.validated_data
        counts = ({code: services.CountInput(checked=c["checked"], positive=c["positive"])
                   for code, c in values["counts"].items()} if "counts" in values else
                  {c.indicator: services.CountInput(checked=c.checked, positive=c.positive) for c in survey.counts.all()})
        try:
            survey = services.vector_survey_edit(
                survey=survey, by=request.user, reason=values.get("reason", ""),
                species=values.get("species", survey.species), district=values.get("district", survey.district),
                place_type=values.get("place_type", survey.place_type),
                surveyed_on=values.get("surveyed_on", survey.surveyed_on), counts=counts,
                sample_points=values.get("sample_points", list(survey.sample_points.all())),
                surveyed_by=values.get("surveyed_by", survey.surveyed_by), note=values.get("note", survey.note))
        except services.VectorInvalid as refused:
            raise ValidationError({_api_field(field): [message] for field, message in refused.errors.items()}) \
                from refused
        except services.VectorForbidden as refused:
            raise ForbiddenError(str(refused)) from refused
        return Response(VectorSurveySerializer(self.get_queryset().get(pk=survey.pk)).data)

    @extend_schema(summary=_("Raise ledger problems for a failed survey (idempotent)"), request=None,
                   responses={200: OpenApiResponse(description=_("The codes of the problems raised now")),
                              400: OpenApiResponse(description=_("The survey passed")),
                              403: OpenApiResponse(description=_("HQ only"))})
    @action(detail=True, methods=["post"], url_path="raise-problems")
    def raise_problems(self, request, pk=None):
        survey = get_object_or_404(self.get_queryset(), pk=pk)
        try:
            with ledger_errors():
                new = services.vector_survey_raise_problems(survey=survey, by=request.user)
        except services.VectorInvalid as refused:
            raise ValidationError({field: [message] for field, message in refused.errors.items()}) from refused
        except services.VectorForbidden as refused:
            raise ForbiddenError(str(refused)) from refused
        return Response({"raised": [p.code for p in new]})


def _api_field(field: str) -> str:
    return f"counts.{field}" if field.split(".")[0] in SPECS else field


class ThresholdInputSerializer(serializers.Serializer):
    max_value = serializers.DecimalField(max_digits=10, decimal_places=2, min_value=0)
    source = serializers.CharField(max_length=2000)
    reason = serializers.CharField(max_length=500)


@extend_schema_view(list=extend_schema(summary=_("The control-level thresholds and their sources")),
                    retrieve=extend_schema(summary=_("One threshold")))
class VectorThresholdViewSet(viewsets.ReadOnlyModelViewSet):
    lookup_value_regex = r"\d+"  # a path id that is not a number is a 404, never a 500
    permission_classes = [VectorPermission]
    serializer_class = ThresholdSerializer
    pagination_class = None
    queryset = VectorThreshold.objects.order_by("species", "indicator", "level")

    @extend_schema(summary=_("Set one threshold (HQ): its value, source and why; every survey is re-levelled"),
                   request=ThresholdInputSerializer,
                   responses={200: ThresholdSerializer, 400: OpenApiResponse(description=_("Refused values, by field")),
                              403: OpenApiResponse(description=_("HQ only"))})
    def partial_update(self, request, pk=None):
        threshold = self.get_object()
        data = ThresholdInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            current = services.vector_threshold_set(threshold=threshold, by=request.user, **data.validated_data)
        except services.VectorInvalid as refused:
            raise ValidationError({field: [message] for field, message in refused.errors.items()}) from refused
        except services.VectorForbidden as refused:
            raise ForbiddenError(str(refused)) from refused
        return Response(ThresholdSerializer(current).data)


TREND_EARLIEST = dt.date(2000, 1, 1)
TREND_MONTHS = 12  # as the trends page


class TrendQuerySerializer(serializers.Serializer):
    species = serializers.ChoiceField(choices=Species.choices, required=False)
    end = serializers.DateField(required=False, help_text=_("The last month's day (default today)."))

    def validate_end(self, value):
        today = timezone.localdate()
        latest = today.replace(year=today.year + 1, day=min(today.day, 28))
        if not TREND_EARLIEST <= value <= latest:
            raise ValidationError(_("end: give a date from %(earliest)s to %(latest)s.") % {
                "earliest": TREND_EARLIEST.isoformat(), "latest": latest.isoformat()})
        return value


class VectorTrendView(APIView):
    """The trends page's figures: per district in scope and month, the worst level, the number of
    surveys and each indicator's pooled value (12 months up to ``end``)."""

    permission_classes = [VectorPermission]

    @extend_schema(summary=_("Vector-control trends per district and month (scoped)"),
                   parameters=[TrendQuerySerializer], responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        user = request.user
        if not (may_record_vectors(user) or user.is_superuser or user.role in (Role.LEADER, Role.DISTRICT_LEAD)):
            raise Http404
        query = TrendQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        species = query.validated_data.get("species") or Species.RODENT
        months = months_back(query.validated_data.get("end") or timezone.localdate(), TREND_MONTHS)
        trend = vector_trend(user=user, species=species, months=months)
        return Response({
            "species": species, "months": [month.isoformat()[:7] for month in months],
            "indicators": [spec.code for spec in trend["specs"]],
            "rows": [{"district_id": row["district"].pk, "district": str(row["district"]),
                      "cells": [{"month": cell["month"].isoformat()[:7], "level": cell["level"],
                                 "surveys": cell["surveys"],
                                 "values": {code: (None if value is None else str(value))
                                            for code, value in cell["values"].items()}}
                                for cell in row["cells"]]}
                     for row in trend["rows"]],
        })


router = SimpleRouter()
router.register("vector-surveys", VectorSurveyViewSet, basename="vector-survey")
router.register("vector-thresholds", VectorThresholdViewSet, basename="vector-threshold")

urlpatterns = [path("", include(router.urls)),
               path("vector-trends/", VectorTrendView.as_view(), name="api-vector-trends")]
