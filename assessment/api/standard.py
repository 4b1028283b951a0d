"""The standard as data over the API: editions, parts, articles and required materials, read
by every member of staff with the FilterSets the standard's page uses; HQ sets a material's
responsible unit and due date (PATCH) through the same service as the page. Nothing is
created or deleted here: editions come from the data file (``load_standard``) or HQ's workbook."""

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import filters, mixins, serializers, viewsets
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.exceptions import PermissionDenied

from campaign.api.permissions import StructurePermission
from campaign.api.serializers import VisibleRelatedField
from campaign.api.views import StructurePagination
from campaign.models import Unit
from config.api import FilterBackend

from ..filters.standard import (
    MaterialRequirementFilterSet,
    StandardArticleFilterSet,
    StandardEditionFilterSet,
    StandardPartFilterSet,
)
from ..models import MaterialRequirement, StandardArticle, StandardEdition, StandardPart
from ..selectors.standard import indicators_by_part
from ..services import standard as standard_service


class StandardEditionSerializer(serializers.ModelSerializer):
    label = serializers.CharField(read_only=True)

    class Meta:
        model = StandardEdition
        fields = ["id", "code", "name", "name_en", "label", "source", "in_use", "loaded_at"]


class IndicatorCountsSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    met = serializers.IntegerField()
    unmet = serializers.IntegerField()
    no_value = serializers.IntegerField()


class StandardPartSerializer(serializers.ModelSerializer):
    label = serializers.CharField(read_only=True)
    category_code = serializers.CharField(source="category.code", read_only=True, allow_null=True, default=None)
    team_code = serializers.CharField(source="team.code", read_only=True, allow_null=True, default=None)
    indicators = serializers.SerializerMethodField()

    class Meta:
        model = StandardPart
        fields = ["id", "edition", "number", "title", "title_en", "label", "category", "category_code", "team",
                  "team_code", "indicators"]

    @extend_schema_field(IndicatorCountsSerializer)
    def get_indicators(self, part: StandardPart) -> dict:
        """The part's core indicators today: total, met, unmet and without a value."""
        counts = self.context.setdefault("_indicator_counts", {})
        if part.edition_id not in counts:
            counts[part.edition_id] = indicators_by_part(edition=part.edition, as_of=timezone.localdate())
        return counts[part.edition_id].get(part.pk, {"total": 0, "met": 0, "unmet": 0, "no_value": 0})


class StandardArticleSerializer(serializers.ModelSerializer):
    label = serializers.CharField(read_only=True)
    part_number = serializers.IntegerField(source="part.number", read_only=True)
    edition = serializers.IntegerField(source="part.edition_id", read_only=True)
    indicator_codes = serializers.SerializerMethodField()
    answering_team = serializers.SerializerMethodField()

    class Meta:
        model = StandardArticle
        fields = ["id", "edition", "part", "part_number", "number", "order", "title", "title_en", "label", "team",
                  "answering_team", "indicators", "indicator_codes", "active"]

    def get_indicator_codes(self, article: StandardArticle) -> list[str]:
        return sorted(indicator.code for indicator in article.indicators.all())

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_answering_team(self, article: StandardArticle) -> int | None:
        """The article's team, or its part's when it has none."""
        team = article.answering_team
        return team.pk if team else None


class MaterialRequirementSerializer(serializers.ModelSerializer):
    label = serializers.CharField(read_only=True)
    part_number = serializers.IntegerField(source="article.part.number", read_only=True)
    article_number = serializers.CharField(source="article.number", read_only=True)
    edition = serializers.IntegerField(source="article.part.edition_id", read_only=True)
    responsible_unit = VisibleRelatedField(queryset=Unit.objects.all(), allow_null=True, required=False)
    # A method, not source="responsible_unit.label": on a PATCH (partial) DRF leaves a dotted
    # source out of the answer when the unit is cleared, and the schema says the key is always there.
    responsible_unit_label = serializers.SerializerMethodField()

    class Meta:
        model = MaterialRequirement
        fields = ["id", "edition", "part_number", "article", "article_number", "code", "order", "title", "title_en",
                  "label", "responsible_unit", "responsible_unit_label", "due_date", "active"]
        read_only_fields = ["article", "code", "order", "title", "title_en", "active"]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_responsible_unit_label(self, material) -> str | None:
        return material.responsible_unit.label if material.responsible_unit_id else None


class StandardReadViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    lookup_value_regex = r"\d+"  # a path id that is not a number is a 404, never a 500
    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [StructurePermission]
    filter_backends = [FilterBackend, filters.OrderingFilter]
    pagination_class = StructurePagination

    def get_queryset(self):
        return self.queryset.model.objects.visible_to(self.request.user)


class StandardEditionViewSet(StandardReadViewSet):
    """Editions of the national standard; one is in use."""
    lookup_value_regex = r"\d+"  # a path id that is not a number is a 404, never a 500

    queryset = StandardEdition.objects.all()
    serializer_class = StandardEditionSerializer
    filterset_class = StandardEditionFilterSet
    ordering_fields = ["code"]
    ordering = ["-code"]


class StandardPartViewSet(StandardReadViewSet):
    """The parts of each edition (the 2021 edition's eight), with their special team and how many
    of their core indicators are met today."""
    lookup_value_regex = r"\d+"  # a path id that is not a number is a 404, never a 500

    queryset = StandardPart.objects.all()
    serializer_class = StandardPartSerializer
    filterset_class = StandardPartFilterSet
    ordering_fields = ["number"]
    ordering = ["edition", "number"]

    def get_queryset(self):
        return super().get_queryset().select_related("edition", "category", "team")


class StandardArticleViewSet(StandardReadViewSet):
    """Articles, numbered as in the standard; a blank title is one HQ has still to fill in."""
    lookup_value_regex = r"\d+"  # a path id that is not a number is a 404, never a 500

    queryset = StandardArticle.objects.all()
    serializer_class = StandardArticleSerializer
    filterset_class = StandardArticleFilterSet
    ordering_fields = ["order", "number"]
    ordering = ["part__edition", "part__number", "order"]

    def get_queryset(self):
        return super().get_queryset().select_related("part__team", "team").prefetch_related("indicators")


@extend_schema_view(
    partial_update=extend_schema(
        summary=_("Set a material's responsible unit and due date (HQ)"),
        responses={200: MaterialRequirementSerializer, 403: OpenApiResponse(description=_("Not HQ staff."))},
    ),
    update=extend_schema(
        summary=_("Set a material's responsible unit and due date (HQ)"),
        responses={200: MaterialRequirementSerializer, 403: OpenApiResponse(description=_("Not HQ staff."))},
    ),
)
class MaterialRequirementViewSet(mixins.UpdateModelMixin, StandardReadViewSet):
    """The materials each article requires (创卫资料), with their responsible unit and due date."""

    queryset = MaterialRequirement.objects.all()
    serializer_class = MaterialRequirementSerializer
    filterset_class = MaterialRequirementFilterSet
    ordering_fields = ["code", "due_date"]
    ordering = ["article__part__edition", "article__part__number", "article__order", "order"]

    def get_queryset(self):
        return super().get_queryset().select_related("article__part", "responsible_unit").prefetch_related(
            Prefetch("article__part__edition"))

    def perform_update(self, serializer):
        data = serializer.validated_data
        material = serializer.instance
        try:
            serializer.instance = standard_service.material_requirement_assign(
                material=material, actor=self.request.user,
                responsible_unit=data.get("responsible_unit", material.responsible_unit),
                due_date=data.get("due_date", material.due_date))
        except standard_service.StandardPermissionError as error:
            raise PermissionDenied(str(error)) from error
