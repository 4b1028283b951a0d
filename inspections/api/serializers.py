"""Serializers of the inspections API. They shape answers and validate input only; every
change goes through inspections/services.py.

Related fields accept only what the requesting user may see (``visible_to``), so an id from
another district is "does not exist", as in the pages. ``kind``, ``status`` and ``outcome`` mean
different things on different models of the project, so their enums are named explicitly in
the OpenAPI schema (``NamedChoiceField``).
"""

from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent, build_choice_field
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from campaign.api.serializers import VisibleRelatedField, WritableRelatedField
from campaign.models import Category, District, SamplePoint, User
from inspections.choices import InspectionKind, InspectionStatus, Outcome, RoundStatus
from inspections.models import (
    Checklist,
    ChecklistItem,
    ChecklistVersion,
    Inspection,
    ItemResult,
    ResultPhoto,
    Round,
    RoundPoint,
    RoundQuota,
)
from inspections.services import INSPECTING_ROLES
from ledger.api.serializers import ErrorSerializer, PhotoListField, ProblemRefSerializer
from ledger.choices import Severity

__all__ = ["ErrorSerializer"]  # re-exported for the views' error answers


def _label(source: str) -> serializers.CharField:
    """A read-only, human-readable name of a related object (null when there is none)."""
    return serializers.CharField(source=source, read_only=True, allow_null=True)


class NamedChoiceField(serializers.ChoiceField):
    """A choice field whose enum has a name of its own in the OpenAPI schema (``enum_name``).

    ``kind``, ``status`` and ``outcome`` mean different things on different models of the
    project; left to itself the schema generator would give their enums hashed names."""

    def __init__(self, choices, *, enum_name: str, **kwargs):
        self.enum_name = enum_name
        super().__init__(getattr(choices, "choices", choices), **kwargs)


class NamedChoiceFieldExtension(OpenApiSerializerFieldExtension):
    target_class = NamedChoiceField

    def map_serializer_field(self, auto_schema, direction):
        field = self.target
        schema = build_choice_field(serializers.ChoiceField(choices=list(field.choices.items())))
        schema.pop("x-spec-enum-id", None)
        component = ResolvedComponent(name=field.enum_name, type=ResolvedComponent.SCHEMA, object=field.enum_name,
                                      schema=schema)
        auto_schema.registry.register_on_missing(component)
        return component.ref




SCORE_BY = [("point", _("Sample point")), ("district", _("District")), ("category", _("Category"))]
TREND_PERIODS = [("month", _("Month")), ("week", _("Week"))]
FINDING_OUTCOMES = [
    ("new", _("New problem")),
    ("found_again", _("Found again while open")),
    ("rebound", _("Rebound of a closed problem")),
]


def _page_url(name: str, pk: int, fallback: str, request) -> str:
    # The photo views belong to the inspection pages; until they are wired, their paths are fixed.
    try:
        path = reverse(name, args=[pk])
    except NoReverseMatch:
        path = fallback
    return request.build_absolute_uri(path) if request is not None else path


class PersonSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="get_full_name", read_only=True)

    class Meta:
        model = User
        fields = ["id", "name"]
        read_only_fields = fields


# --- Checklists ------------------------------------------------------------------------------------


class ChecklistItemSerializer(serializers.ModelSerializer):
    text = serializers.CharField(read_only=True, help_text=_("The item's text in the requested language."))
    severity = serializers.ChoiceField(choices=Severity.choices, read_only=True)
    severity_label = serializers.CharField(source="get_severity_display", read_only=True)

    class Meta:
        model = ChecklistItem
        fields = ["id", "code", "text", "text_zh", "text_en", "points", "severity", "severity_label", "veto", "order"]
        read_only_fields = fields


class ChecklistVersionSummarySerializer(serializers.ModelSerializer):
    created_by = serializers.CharField(source="created_by.get_full_name", read_only=True, allow_null=True)
    item_count = serializers.IntegerField(read_only=True)
    is_used = serializers.BooleanField(
        source="used", read_only=True, help_text=_("Inspections used it: changing the checklist makes a new version."),
    )

    class Meta:
        model = ChecklistVersion
        fields = ["id", "number", "created_at", "created_by", "note", "item_count", "is_used"]
        read_only_fields = fields


class ChecklistVersionSerializer(ChecklistVersionSummarySerializer):
    """One version of a checklist with its items."""

    checklist = serializers.IntegerField(source="checklist_id", read_only=True)
    category = serializers.IntegerField(source="checklist.category_id", read_only=True)
    items = ChecklistItemSerializer(many=True, read_only=True)

    class Meta(ChecklistVersionSummarySerializer.Meta):
        fields = ["checklist", "category", *ChecklistVersionSummarySerializer.Meta.fields, "items"]
        read_only_fields = fields


class ChecklistSerializer(serializers.ModelSerializer):
    category_code = _label("category.code")
    category_label = _label("category.label")
    current_version = serializers.IntegerField(source="current_number", read_only=True, allow_null=True,
                                               help_text=_("The number of the version new inspections use."))

    class Meta:
        model = Checklist
        fields = ["id", "category", "category_code", "category_label", "name", "current_version"]
        read_only_fields = fields


class ChecklistDetailSerializer(ChecklistSerializer):
    version = serializers.SerializerMethodField(help_text=_("The version asked for (?version=N), else the current one."))
    versions = ChecklistVersionSummarySerializer(source="version_list", many=True, read_only=True)

    class Meta(ChecklistSerializer.Meta):
        fields = [*ChecklistSerializer.Meta.fields, "version", "versions"]
        read_only_fields = fields

    @extend_schema_field(ChecklistVersionSerializer(allow_null=True))
    def get_version(self, checklist: Checklist) -> dict | None:
        version = getattr(checklist, "shown_version", None)
        return ChecklistVersionSerializer(version, context=self.context).data if version else None


class ChecklistItemInputSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=30)
    text_zh = serializers.CharField(max_length=500)
    text_en = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    points = serializers.DecimalField(max_digits=5, decimal_places=1, min_value=0, max_value=100,
                                      help_text=_("Points lost when the item fails."))
    severity = serializers.ChoiceField(choices=Severity.choices, required=False, default=Severity.GENERAL,
                       help_text=_("The severity of the problem a failure raises."))
    veto = serializers.BooleanField(required=False, default=False, help_text=_("Failing it gives the point 0."))


class ChecklistReviseSerializer(serializers.Serializer):
    category = VisibleRelatedField(queryset=Category.objects.all())
    name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="",
                                 help_text=_("What changed."))
    items = ChecklistItemInputSerializer(many=True, allow_empty=False, help_text=_("Every item, in order."))


class ChecklistUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="",
                                 help_text=_("What changed."))
    items = ChecklistItemInputSerializer(many=True, allow_empty=False, help_text=_("Every item, in order."))


# --- Inspections -----------------------------------------------------------------------------------


class ResultPhotoSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()

    class Meta:
        model = ResultPhoto
        fields = ["id", "url", "thumbnail_url", "width", "height", "uploaded_at"]
        read_only_fields = fields

    def get_url(self, photo: ResultPhoto) -> str:
        return _page_url("inspections:result_photo", photo.pk, f"/inspections/photos/{photo.pk}/",
                         self.context.get("request"))

    def get_thumbnail_url(self, photo: ResultPhoto) -> str:
        return _page_url("inspections:result_photo_thumbnail", photo.pk, f"/inspections/photos/{photo.pk}/thumb/",
                         self.context.get("request"))


class ItemResultSerializer(serializers.ModelSerializer):
    outcome = NamedChoiceField(Outcome, enum_name="InspectionOutcomeEnum", read_only=True)
    outcome_label = serializers.CharField(source="get_outcome_display", read_only=True)
    photos = ResultPhotoSerializer(many=True, read_only=True)

    class Meta:
        model = ItemResult
        fields = ["id", "item", "outcome", "outcome_label", "note", "answered_at", "photos"]
        read_only_fields = fields


class InspectionListSerializer(serializers.ModelSerializer):
    kind = NamedChoiceField(InspectionKind, enum_name="InspectionKindEnum", read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    status = NamedChoiceField(InspectionStatus, enum_name="InspectionStatusEnum", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    sample_point_code = _label("sample_point.code")
    sample_point_label = _label("sample_point.name")
    district = serializers.IntegerField(source="sample_point.district_id", read_only=True)
    district_label = _label("sample_point.district.label")
    category = serializers.IntegerField(source="sample_point.category_id", read_only=True)
    category_label = _label("sample_point.category.label")
    checklist_version = serializers.IntegerField(source="checklist_version.number", read_only=True)
    round = serializers.IntegerField(source="round_point.round_id", read_only=True, allow_null=True)
    inspectors = PersonSerializer(many=True, read_only=True)
    created_by = PersonSerializer(read_only=True)

    class Meta:
        model = Inspection
        fields = [
            "id", "kind", "kind_label", "status", "status_label", "sample_point", "sample_point_code",
            "sample_point_label", "district", "district_label", "category", "category_label", "checklist_version",
            "round", "round_point", "inspectors", "created_by", "started_at", "ended_at", "submitted_at", "score",
        ]
        read_only_fields = fields


class InspectionItemSerializer(ChecklistItemSerializer):
    """A checklist item of the inspection with its answer (null until answered)."""

    result = serializers.SerializerMethodField()

    class Meta(ChecklistItemSerializer.Meta):
        fields = [*ChecklistItemSerializer.Meta.fields, "result"]
        read_only_fields = fields

    @extend_schema_field(ItemResultSerializer(allow_null=True))
    def get_result(self, item: ChecklistItem) -> dict | None:
        result = self.context.get("results_by_item", {}).get(item.pk)
        return ItemResultSerializer(result, context=self.context).data if result else None


class InspectionDetailSerializer(InspectionListSerializer):
    """An inspection with every item of its checklist, the answers given so far, and, once
    submitted, the problems its failed items put in the ledger."""

    items = serializers.SerializerMethodField()
    answered = serializers.SerializerMethodField(help_text=_("Items answered so far."))
    problems = serializers.SerializerMethodField(help_text=_("Problems of the ledger this inspection found."))

    class Meta(InspectionListSerializer.Meta):
        fields = [
            *InspectionListSerializer.Meta.fields, "latitude", "longitude", "location_accuracy_m", "note",
            "source_ref", "answered", "items", "problems",
        ]
        read_only_fields = fields

    def to_representation(self, inspection: Inspection) -> dict:
        self.context["results_by_item"] = {result.item_id: result for result in inspection.results.all()}
        return super().to_representation(inspection)

    @extend_schema_field(InspectionItemSerializer(many=True))
    def get_items(self, inspection: Inspection) -> list[dict]:
        return InspectionItemSerializer(inspection.checklist_version.items.all(), many=True, context=self.context).data

    def get_answered(self, inspection: Inspection) -> int:
        return len(self.context["results_by_item"])

    @extend_schema_field(ProblemRefSerializer(many=True))
    def get_problems(self, inspection: Inspection) -> list[dict]:
        if inspection.status != InspectionStatus.SUBMITTED or "request" not in self.context:
            return []
        from ledger.models import Problem

        ref = f"inspection:{inspection.pk}"
        problems = (
            Problem.objects.visible_to(self.context["request"].user)
            .filter(Q(source_ref=ref) | Q(events__data__source_ref=ref)).distinct().order_by("id")
        )
        return ProblemRefSerializer(problems, many=True).data


class FindingSerializer(serializers.Serializer):
    problem = serializers.IntegerField(source="problem.pk", read_only=True)
    code = serializers.CharField(source="problem.code", read_only=True)
    outcome = NamedChoiceField(
        FINDING_OUTCOMES, enum_name="FindingOutcomeEnum", read_only=True,
        help_text=_("new, found_again (added to the open problem's history) or rebound (linked to the closed one)."),
    )


class InspectionSubmittedSerializer(InspectionDetailSerializer):
    findings = serializers.SerializerMethodField(help_text=_("What each failed item did in the ledger."))

    class Meta(InspectionDetailSerializer.Meta):
        fields = [*InspectionDetailSerializer.Meta.fields, "findings"]
        read_only_fields = fields

    @extend_schema_field(FindingSerializer(many=True))
    def get_findings(self, inspection: Inspection) -> list[dict]:
        pairs = self.context.get("findings", [])
        return FindingSerializer([{"problem": problem, "outcome": outcome} for problem, outcome in pairs],
                                 many=True).data


@extend_schema_field(OpenApiTypes.INT)
class RoundPointReferenceField(serializers.PrimaryKeyRelatedField):
    """A drawn point of a round the user may see."""

    def get_queryset(self):
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if user is None:
            return RoundPoint.objects.none()
        return RoundPoint.objects.filter(round__in=Round.objects.visible_to(user)).select_related("round", "sample_point")


class InspectionStartSerializer(serializers.Serializer):
    sample_point = WritableRelatedField(queryset=SamplePoint.objects.all(), required=False,
                                        help_text=_("Needed unless a round point is given."))
    kind = NamedChoiceField(InspectionKind, enum_name="InspectionKindEnum", required=False, help_text=_("Default: the round's kind."))
    round_point = RoundPointReferenceField(required=False, allow_null=True,
                                           help_text=_("A drawn point of a round; starting it again resumes its draft."))
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6, required=False, allow_null=True,
                                        min_value=-90, max_value=90)
    longitude = serializers.DecimalField(max_digits=9, decimal_places=6, required=False, allow_null=True,
                                         min_value=-180, max_value=180)
    location_accuracy_m = serializers.IntegerField(required=False, allow_null=True, min_value=0)
    inspectors = serializers.PrimaryKeyRelatedField(
        many=True, required=False, queryset=User.objects.filter(is_active=True, role__in=INSPECTING_ROLES),
        help_text=_("Who inspects with you (you are always one)."),
    )
    checklist_version = serializers.IntegerField(
        required=False, allow_null=True, min_value=1,
        help_text=_("The id of the checklist version your answers follow (a phone's offline copy). When the "
                    "category's checklist has another current version, a new inspection is refused with 409 "
                    "checklist_replaced and the new checklist; resuming a draft keeps the draft's version."),
    )

    def validate(self, attrs: dict) -> dict:
        round_point = attrs.get("round_point")
        point = attrs.get("sample_point")
        if round_point is not None:
            if point is not None and point.pk != round_point.sample_point_id:
                raise serializers.ValidationError({"sample_point": _("The round drew another sample point here.")})
            if "kind" in attrs and attrs["kind"] != round_point.round.kind:
                raise serializers.ValidationError({"kind": _("The round's inspections are of its own kind.")})
            attrs["sample_point"] = round_point.sample_point
            attrs["kind"] = round_point.round.kind
        elif point is None:
            raise serializers.ValidationError({"sample_point": _("Give the sample point or a round point.")})
        elif "kind" not in attrs:
            raise serializers.ValidationError({"kind": _("Give the kind of inspection.")})
        if (attrs.get("latitude") is None) != (attrs.get("longitude") is None):
            raise serializers.ValidationError({"longitude": _("Give both latitude and longitude, or neither.")})
        return attrs


class ResultInputSerializer(serializers.Serializer):
    item = serializers.IntegerField(help_text=_("The id of an item of the inspection's checklist."))
    outcome = NamedChoiceField(Outcome, enum_name="InspectionOutcomeEnum")
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    photos = PhotoListField(help_text=_("Photos of the item (multipart only), optional."))


class ResultPhotosInputSerializer(serializers.Serializer):
    photos = PhotoListField(required=True, allow_empty=False, help_text=_("One or more photos of the item."))
    outcome = NamedChoiceField(Outcome, enum_name="InspectionOutcomeEnum", required=False,
                      help_text=_("Needed only when the item has no answer yet; default: keep the answer."))
    note = serializers.CharField(max_length=500, required=False, allow_blank=True,
                                 help_text=_("Default: keep the answer's note."))


class SubmitSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")
    ended_at = serializers.DateTimeField(required=False, allow_null=True, help_text=_("Default: now."))
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6, required=False, allow_null=True,
                                        min_value=-90, max_value=90)
    longitude = serializers.DecimalField(max_digits=9, decimal_places=6, required=False, allow_null=True,
                                         min_value=-180, max_value=180)

    def validate(self, attrs: dict) -> dict:
        if (attrs.get("latitude") is None) != (attrs.get("longitude") is None):
            raise serializers.ValidationError({"longitude": _("Give both latitude and longitude, or neither.")})
        return attrs


# --- Rounds ----------------------------------------------------------------------------------------


class RoundQuotaSerializer(serializers.ModelSerializer):
    category_label = _label("category.label")

    class Meta:
        model = RoundQuota
        fields = ["category", "category_label", "quota"]
        read_only_fields = fields


class RoundSerializer(serializers.ModelSerializer):
    kind = NamedChoiceField(InspectionKind, enum_name="InspectionKindEnum", read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    status = NamedChoiceField(RoundStatus, enum_name="RoundStatusEnum", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    district_label = _label("district.label")
    created_by = PersonSerializer(read_only=True)
    quotas = RoundQuotaSerializer(many=True, read_only=True)
    point_count = serializers.IntegerField(read_only=True, help_text=_("Points drawn."))
    done_count = serializers.IntegerField(read_only=True, help_text=_("Drawn points inspected and submitted."))

    class Meta:
        model = Round
        fields = [
            "id", "name", "kind", "kind_label", "status", "status_label", "district", "district_label", "starts_on",
            "ends_on", "exclude_inspected_days", "seed", "drawn_at", "created_by", "created_at", "quotas",
            "cross_inspection",
            "point_count", "done_count",
        ]
        read_only_fields = fields


class RoundPointSerializer(serializers.ModelSerializer):
    sample_point_code = _label("sample_point.code")
    sample_point_label = _label("sample_point.name")
    district = serializers.IntegerField(source="sample_point.district_id", read_only=True)
    district_label = _label("sample_point.district.label")
    category_label = _label("category.label")
    inspector = PersonSerializer(read_only=True, allow_null=True)
    inspection = serializers.SerializerMethodField()
    inspection_status = serializers.SerializerMethodField()
    score = serializers.SerializerMethodField()

    class Meta:
        model = RoundPoint
        fields = [
            "id", "sample_point", "sample_point_code", "sample_point_label", "district", "district_label", "category",
            "category_label", "draw_order", "inspector", "inspection", "inspection_status", "score",
        ]
        read_only_fields = fields

    @staticmethod
    def _inspection(point: RoundPoint) -> Inspection | None:
        return getattr(point, "inspection", None)

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_inspection(self, point: RoundPoint) -> int | None:
        inspection = self._inspection(point)
        return inspection.pk if inspection else None

    @extend_schema_field(NamedChoiceField(InspectionStatus, enum_name="InspectionStatusEnum", allow_null=True))
    def get_inspection_status(self, point: RoundPoint) -> str | None:
        inspection = self._inspection(point)
        return inspection.status if inspection else None

    @extend_schema_field(serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True))
    def get_score(self, point: RoundPoint) -> str | None:
        inspection = self._inspection(point)
        return None if inspection is None or inspection.score is None else str(inspection.score)


class RoundDetailSerializer(RoundSerializer):
    points = RoundPointSerializer(source="visible_points", many=True, read_only=True,
                                  help_text=_("The drawn points you may see (an inspector: those assigned to them)."))

    class Meta(RoundSerializer.Meta):
        fields = [*RoundSerializer.Meta.fields, "points"]
        read_only_fields = fields


class QuotaInputSerializer(serializers.Serializer):
    category = VisibleRelatedField(queryset=Category.objects.all())
    quota = serializers.IntegerField(min_value=1, max_value=10000)


class RoundCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    kind = NamedChoiceField(InspectionKind, enum_name="InspectionKindEnum")
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    district = WritableRelatedField(queryset=District.objects.all(), required=False, allow_null=True,
                                    help_text=_("Empty: the whole city (HQ staff only)."))
    exclude_inspected_days = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=3650,
        help_text=_("Leave out points inspected in the last N days."),
    )
    quotas = QuotaInputSerializer(many=True, allow_empty=False)

    def validate_quotas(self, quotas: list[dict]) -> list[dict]:
        categories = [quota["category"].pk for quota in quotas]
        if len(set(categories)) != len(categories):
            raise serializers.ValidationError(_("Give each category once."))
        return quotas


class DrawSerializer(serializers.Serializer):
    seed = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=2**62,
                                    help_text=_("Draw with this seed to repeat a draw; default: a random one."))


class ShortfallSerializer(serializers.Serializer):
    category = serializers.IntegerField(source="category.pk")
    category_label = serializers.CharField(source="category.label")
    missing = serializers.IntegerField(help_text=_("Points the quota asked for but no eligible point was left."))


class DrawResultSerializer(serializers.Serializer):
    round = RoundDetailSerializer()
    shortfalls = ShortfallSerializer(many=True)


class RoundAssignSerializer(serializers.Serializer):
    inspectors = serializers.PrimaryKeyRelatedField(
        many=True, allow_empty=False, queryset=User.objects.filter(is_active=True),
        help_text=_("The drawn points are shared among them, category by category in turn."),
    )


class ProgressRowSerializer(serializers.Serializer):
    name = serializers.CharField()
    done = serializers.IntegerField()
    todo = serializers.IntegerField()


class ProgressSerializer(serializers.Serializer):
    done = serializers.IntegerField()
    todo = serializers.IntegerField()
    inspectors = ProgressRowSerializer(many=True, help_text=_("Per inspector (an empty name: not assigned yet)."))
    categories = ProgressRowSerializer(many=True)
    problems = ProblemRefSerializer(many=True, help_text=_("Problems the round's inspections found, that you may see."))


# --- Scores ----------------------------------------------------------------------------------------


class ScoreRowSerializer(serializers.Serializer):
    id = serializers.IntegerField(allow_null=True)
    code = serializers.CharField(allow_null=True, help_text=_("Sample points only."))
    name = serializers.CharField(allow_null=True)
    district_label = serializers.CharField(allow_null=True, help_text=_("Sample points only."))
    category_label = serializers.CharField(allow_null=True, help_text=_("Sample points only."))
    latest = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True,
                                      help_text=_("The latest score (sample points only)."))
    average = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    inspections = serializers.IntegerField()
    last_inspected = serializers.DateTimeField(allow_null=True, help_text=_("Sample points only."))


class ScoreTableSerializer(serializers.Serializer):
    by = NamedChoiceField(SCORE_BY, enum_name="ScoresByEnum")
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = ScoreRowSerializer(many=True)


class TrendPointSerializer(serializers.Serializer):
    period = serializers.DateField(help_text=_("The first day of the week or month."))
    average = serializers.DecimalField(max_digits=6, decimal_places=2)


class TrendSeriesSerializer(serializers.Serializer):
    name = serializers.CharField(allow_null=True)
    points = TrendPointSerializer(many=True)


class ScoreTrendSerializer(serializers.Serializer):
    by = NamedChoiceField(SCORE_BY[1:], enum_name="ScoreTrendByEnum")
    trend = NamedChoiceField(TREND_PERIODS, enum_name="ScoreTrendPeriodEnum")
    series = TrendSeriesSerializer(many=True)


class ScoreQuerySerializer(serializers.Serializer):
    by = serializers.ChoiceField(SCORE_BY, required=False, default="point",
                   help_text=_("Scores per sample point (latest, average, count), district or category."))
    trend = serializers.ChoiceField(TREND_PERIODS, required=False,
                      help_text=_("The average per month or week instead (by district or category)."))
    start = serializers.DateField(required=False, help_text=_("Inspections submitted on or after this day."))
    end = serializers.DateField(required=False, help_text=_("Inspections submitted on or before this day."))
    kind = NamedChoiceField(InspectionKind, enum_name="InspectionKindEnum", required=False, help_text=_("Only inspections of this kind (tables only)."))
    order = serializers.ChoiceField([("code", "code"), ("worst", "worst")], required=False, default="code",
                      help_text=_("Sample points: by code, or the worst latest score first."))

    def validate(self, attrs: dict) -> dict:
        if attrs.get("trend") and attrs["by"] == "point":
            raise serializers.ValidationError({"by": _("Trends are by district or by category.")})
        if attrs.get("start") and attrs.get("end") and attrs["end"] < attrs["start"]:
            raise serializers.ValidationError({"end": _("The period ends before it starts.")})
        return attrs


# --- A checklist as a phone keeps it (the offline copy, and a 409 checklist_replaced) -----------


class OfflineChecklistItemSerializer(serializers.ModelSerializer):
    text = serializers.CharField(read_only=True, help_text=_("In the language of the request."))
    section = serializers.SerializerMethodField(help_text=_("Checklists have no sections yet: always null."))

    class Meta:
        model = ChecklistItem
        fields = ["id", "code", "text", "section", "points", "veto", "severity", "order"]
        read_only_fields = fields

    def get_section(self, item) -> str | None:
        return None


class OfflineChecklistSerializer(serializers.Serializer):
    """A checklist version with its items, as the field app answers it offline."""

    version = serializers.IntegerField(source="pk", read_only=True, help_text=_("The version's id."))
    number = serializers.IntegerField(read_only=True, help_text=_("The version's number within its checklist."))
    category = serializers.CharField(source="checklist.category.label", read_only=True)
    items = OfflineChecklistItemSerializer(many=True, read_only=True)


class ConflictSerializer(serializers.Serializer):
    """A refused change: the state changed meanwhile. ``code`` says what happened."""

    detail = serializers.CharField(read_only=True, help_text=_("Why the request was refused, for the user."))
    code = serializers.CharField(read_only=True, help_text=_(
        "conflict (the inspection or problem is not in a state that allows this), checklist_replaced, "
        "round_point_reassigned."
    ))
    checklist = OfflineChecklistSerializer(read_only=True, required=False, help_text=_(
        "With checklist_replaced: the category's current checklist."
    ))
