"""``/api/assessment/satisfaction/``: the public-satisfaction survey.

- ``surveys/``: read by HQ, leaders and district leads; created and changed by HQ staff
  (``services.satisfaction.survey_create`` / ``survey_update``, as the pages).
- ``surveys/{id}/results/``: the figures of the results page, scoped (a district lead: their
  district whatever ``district`` asks).
- ``questions/``: HQ staff (``question_add`` / ``question_update``).

Answers have no API: the public page carries the device cookie, the proof of work and the
per-address limit, which an API client would sidestep (README "The public-satisfaction survey")."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from ..models import SatisfactionSurvey, SurveyQuestion
from ..models.satisfaction import QuestionKind
from ..selectors.satisfaction import (
    can_see_results,
    results_district_scope,
    survey_results,
    surveys_visible_to,
)
from ..services import satisfaction as services


class ReadsResultsWritesHQ(BasePermission):
    message = _("Only HQ staff set up satisfaction surveys.")

    def has_permission(self, request, view) -> bool:
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return can_see_results(request.user)
        return bool(request.user.is_authenticated and request.user.can_manage_structure)


class HQOnly(BasePermission):
    message = _("Only HQ staff set up satisfaction surveys.")

    def has_permission(self, request, view) -> bool:
        return bool(request.user.is_authenticated and request.user.can_manage_structure)


def _refused(error: DjangoValidationError):
    return ValidationError(error.message_dict if hasattr(error, "error_dict") else {"detail": error.messages})


class SurveySerializer(serializers.ModelSerializer):
    slug = serializers.SlugField(max_length=60)

    class Meta:
        model = SatisfactionSurvey
        fields = ["id", "slug", "title", "title_en", "intro", "intro_en", "target_rate", "opens_on", "closes_on",
                  "active", "created_at"]
        read_only_fields = ["id", "created_at"]


class QuestionSerializer(serializers.ModelSerializer):
    options = serializers.ListField(child=serializers.DictField(child=serializers.CharField(allow_blank=True)),
                                    required=False, help_text=_('One-choice questions: [{"zh": "…", "en": "…"}, …].'))

    class Meta:
        model = SurveyQuestion
        fields = ["id", "survey", "order", "text", "text_en", "kind", "options", "required", "active"]
        read_only_fields = ["id"]


class OptionCountSerializer(serializers.Serializer):
    value = serializers.IntegerField()
    label = serializers.CharField()
    count = serializers.IntegerField()


class QuestionDistrictSerializer(serializers.Serializer):
    district_id = serializers.IntegerField()
    district = serializers.CharField()
    answers = serializers.IntegerField()
    counts = serializers.ListField(child=serializers.IntegerField(), help_text=_("Per option, in the options' order."))
    rate = serializers.FloatField(allow_null=True)


class QuestionResultSerializer(serializers.Serializer):
    question_id = serializers.IntegerField()
    order = serializers.IntegerField()
    question = serializers.CharField()
    kind = serializers.ChoiceField(choices=QuestionKind.choices)
    active = serializers.BooleanField()
    counts_for_rate = serializers.BooleanField()
    options = OptionCountSerializer(many=True)
    answers = serializers.IntegerField()
    rate = serializers.FloatField(allow_null=True)
    districts = QuestionDistrictSerializer(many=True)


class OverallSerializer(serializers.Serializer):
    responses = serializers.IntegerField()
    rated = serializers.IntegerField()
    satisfied = serializers.IntegerField()
    rate = serializers.FloatField(allow_null=True, help_text=_("Percent."))
    target = serializers.FloatField()
    met = serializers.BooleanField(allow_null=True)


class DistrictResultSerializer(OverallSerializer):
    district_id = serializers.IntegerField()
    district = serializers.CharField()
    target = None


class TrendSerializer(serializers.Serializer):
    period = serializers.DateField(help_text=_("The week's Monday or the month's first day."))
    responses = serializers.IntegerField()
    rate = serializers.FloatField(allow_null=True)
    met = serializers.BooleanField(allow_null=True)


class ResultsSerializer(serializers.Serializer):
    survey_id = serializers.IntegerField()
    survey = serializers.CharField()
    since = serializers.DateField(allow_null=True)
    until = serializers.DateField(allow_null=True)
    district_id = serializers.IntegerField(allow_null=True)
    overall = OverallSerializer()
    districts = DistrictResultSerializer(many=True)
    questions = QuestionResultSerializer(many=True)
    trend = TrendSerializer(many=True)
    trend_by = serializers.ChoiceField(choices=["week", "month"])


class ResultsQuerySerializer(serializers.Serializer):
    since = serializers.DateField(required=False)
    until = serializers.DateField(required=False)
    district = serializers.IntegerField(required=False, min_value=1, max_value=2**31 - 1)
    trend = serializers.ChoiceField(choices=["week", "month"], required=False, default="week")


TAGS = ["assessment: satisfaction"]


@extend_schema_view(
    list=extend_schema(summary=_("Satisfaction surveys"), tags=TAGS),
    retrieve=extend_schema(summary=_("One satisfaction survey"), tags=TAGS),
    create=extend_schema(summary=_("Create a satisfaction survey (HQ)"), tags=TAGS),
    partial_update=extend_schema(summary=_("Change a satisfaction survey (HQ)"), tags=TAGS),
)
class SurveyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                    mixins.UpdateModelMixin, viewsets.GenericViewSet):
    lookup_value_regex = r"\d+"  # a path id that is not a number is a 404, never a 500
    serializer_class = SurveySerializer
    queryset = SatisfactionSurvey.objects.none()  # the model, for the schema; rows by get_queryset
    permission_classes = [ReadsResultsWritesHQ]
    filterset_fields = ["active"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return surveys_visible_to(self.request.user).order_by("-opens_on", "-pk")

    def perform_create(self, serializer):
        try:
            serializer.instance = services.survey_create(by=self.request.user, **serializer.validated_data)
        except DjangoValidationError as error:
            raise _refused(error) from None

    def perform_update(self, serializer):
        try:
            serializer.instance = services.survey_update(survey=serializer.instance, by=self.request.user,
                                                         **serializer.validated_data)
        except DjangoValidationError as error:
            raise _refused(error) from None

    @extend_schema(summary=_("A survey's results"), tags=TAGS, responses=ResultsSerializer,
                   parameters=[ResultsQuerySerializer,
                               OpenApiParameter("district", int, description=_(
                                   "One district (HQ and leaders); a district lead always gets theirs."))],
                   description=_("Per district and question (counts per option, satisfaction rate), the "
                                 "overall rate against the target and the trend by week or month."))
    @action(detail=True, methods=["get"], filterset_fields=[])
    def results(self, request, pk=None):
        survey = self.get_object()
        query = ResultsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        scope = results_district_scope(request.user)
        district_id = scope if scope is not None else query.validated_data.get("district")
        return Response(survey_results(survey=survey, since=query.validated_data.get("since"),
                                       until=query.validated_data.get("until"), district_id=district_id,
                                       trend=query.validated_data["trend"]))


@extend_schema_view(
    list=extend_schema(summary=_("Satisfaction survey questions (HQ)"), tags=TAGS),
    retrieve=extend_schema(summary=_("One survey question (HQ)"), tags=TAGS),
    create=extend_schema(summary=_("Add a survey question (HQ)"), tags=TAGS),
    partial_update=extend_schema(summary=_("Change a survey question (HQ)"), tags=TAGS),
)
class QuestionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                      mixins.UpdateModelMixin, viewsets.GenericViewSet):
    lookup_value_regex = r"\d+"  # a path id that is not a number is a 404, never a 500
    serializer_class = QuestionSerializer
    permission_classes = [HQOnly]
    filterset_fields = ["survey", "kind", "active"]
    http_method_names = ["get", "post", "patch", "head", "options"]
    queryset = SurveyQuestion.objects.order_by("survey", "order", "pk")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        try:
            serializer.instance = services.question_add(by=self.request.user, **data)
        except DjangoValidationError as error:
            raise _refused(error) from None
        except DjangoPermissionDenied:
            raise NotFound from None

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        if "survey" in data and data.pop("survey") != serializer.instance.survey:
            raise ValidationError({"survey": [_("A question cannot move to another survey.")]})
        try:
            serializer.instance = services.question_update(question=serializer.instance, by=self.request.user, **data)
        except DjangoValidationError as error:
            raise _refused(error) from None


router = SimpleRouter()
router.register("assessment/satisfaction/surveys", SurveyViewSet, basename="satisfaction-survey")
router.register("assessment/satisfaction/questions", QuestionViewSet, basename="satisfaction-question")

urlpatterns = [path("", include(router.urls))]
