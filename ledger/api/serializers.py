"""Serializers of the ledger API. They shape answers and validate input only; every change goes
through ledger/services.py.

Every related field accepts only what the requesting user may see (``visible_to``), so an id
from another district is "does not exist", as in the pages; a field that records or changes a
problem accepts only what the user may write for (campaign/write_scope.py), else a 400 naming it.
"""

from datetime import date

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import ISO_8601, serializers
from rest_framework.settings import api_settings

from campaign.api.serializers import VisibleRelatedField, WritableRelatedField
from campaign.geo import city_coordinate_errors
from campaign.models import Category, District, Grid, Road, SamplePoint, Team, Unit
from ledger.choices import (
    OPEN_STATUSES,
    Action,
    ClassStatus,
    Severity,
    Source,
    Status,
    choice_label,
)
from ledger.forms import classes_to_choose
from ledger.models import EvidencePhoto, Problem, ProblemClass, ProblemClassEvent, ProblemEvent
from ledger.rules import PAGE_ACTIONS, ROLES, allowed_actions, role_of


def _label(source: str) -> serializers.CharField:
    """A read-only, human-readable name of a related object (null when there is none)."""
    return serializers.CharField(source=source, read_only=True, allow_null=True)


class ChoiceLabelField(serializers.CharField):
    """The label of a choice field's value, read from one dict per language (no per-row
    ``get_FOO_display``)."""

    def __init__(self, choices, **kwargs):
        self.choices_class = choices
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, value) -> str:
        return choice_label(self.choices_class, value)


def _page_url(name: str, pk: int, fallback: str, request) -> str:
    # The photo views belong to the ledger pages; until they are wired, their paths are fixed.
    try:
        path = reverse(name, args=[pk])
    except NoReverseMatch:
        path = fallback
    return request.build_absolute_uri(path) if request is not None else path


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(read_only=True, help_text=_("Why the request was refused, for the user."))


class PhotoSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()

    class Meta:
        model = EvidencePhoto
        fields = ["id", "kind", "url", "thumbnail_url", "width", "height", "uploaded_at"]
        read_only_fields = fields

    def get_url(self, photo: EvidencePhoto) -> str:
        return _page_url("ledger:photo", photo.pk, f"/ledger/photos/{photo.pk}/", self.context.get("request"))

    def get_thumbnail_url(self, photo: EvidencePhoto) -> str:
        return _page_url(
            "ledger:photo_thumbnail", photo.pk, f"/ledger/photos/{photo.pk}/thumb/", self.context.get("request")
        )


class EventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.get_full_name", read_only=True)
    action_label = serializers.CharField(source="get_action_display", read_only=True)
    # ``from`` is a Python keyword, so it cannot be written as an attribute.
    locals()["from"] = serializers.CharField(source="from_status", read_only=True)
    to = serializers.CharField(source="to_status", read_only=True)
    photos = serializers.SerializerMethodField()

    class Meta:
        model = ProblemEvent
        fields = ["seq", "actor", "at", "action", "action_label", "from", "to", "note", "data", "photos"]
        read_only_fields = fields

    @extend_schema_field(PhotoSerializer(many=True))
    def get_photos(self, event: ProblemEvent) -> list[dict]:
        # The problem's photos are loaded once and grouped by event (see ProblemDetailSerializer).
        photos = self.context.get("photos_by_event", {}).get(event.pk, [])
        return PhotoSerializer(photos, many=True, context=self.context).data


class ProblemListSerializer(serializers.ModelSerializer):
    """One row of the ledger: what the list shows, with names, at bounded query cost."""

    status_label = ChoiceLabelField(Status, source="status")
    severity_label = ChoiceLabelField(Severity, source="severity")
    source_label = ChoiceLabelField(Source, source="source")
    category_label = _label("category.label")
    district_label = _label("district.label")
    sample_point_label = _label("sample_point.name")
    responsible_unit_label = _label("responsible_unit.label")
    team_label = _label("team.label")
    days_overdue = serializers.IntegerField(read_only=True)

    class Meta:
        model = Problem
        fields = [
            "id", "code", "description", "status", "status_label", "severity", "severity_label",
            "source", "source_label", "category", "category_label", "district", "district_label", "grid", "road",
            "sample_point", "sample_point_label", "address", "responsible_unit", "responsible_unit_label",
            "team", "team_label", "found_at", "deadline", "days_overdue", "closed_at", "problem_class",
            "rebound_of", "version",
        ]
        read_only_fields = fields

    def to_representation(self, problem: Problem) -> dict:
        """The same answer as the fields above give (a test compares the two), written out: per
        row, DRF's generic walk over 27 fields was most of the list endpoint's time."""
        english = (translation.get_language() or "").startswith("en")
        when, day = self._datetime, self._date
        category, district = problem.category, problem.district
        point, unit, team = problem.sample_point, problem.responsible_unit, problem.team
        return {
            "id": problem.pk,
            "code": problem.code,
            "description": problem.description,
            "status": problem.status,
            "status_label": choice_label(Status, problem.status),
            "severity": problem.severity,
            "severity_label": choice_label(Severity, problem.severity),
            "source": problem.source,
            "source_label": choice_label(Source, problem.source),
            "category": problem.category_id,
            "category_label": (category.name_en if english else category.name_zh) if category else None,
            "district": problem.district_id,
            "district_label": _bilingual(district, english),
            "grid": problem.grid_id,
            "road": problem.road_id,
            "sample_point": problem.sample_point_id,
            "sample_point_label": point.name if point else None,
            "address": problem.address,
            "responsible_unit": problem.responsible_unit_id,
            "responsible_unit_label": _bilingual(unit, english),
            "team": problem.team_id,
            "team_label": _bilingual(team, english),
            "found_at": when.to_representation(problem.found_at) if problem.found_at else None,
            "deadline": day.to_representation(problem.deadline) if problem.deadline else None,
            "days_overdue": problem.days_overdue,
            "closed_at": when.to_representation(problem.closed_at) if problem.closed_at else None,
            "problem_class": problem.problem_class_id,
            "rebound_of": problem.rebound_of_id,
            "version": problem.version,
        }

    @cached_property
    def _datetime(self) -> serializers.DateTimeField:
        return serializers.DateTimeField()

    @cached_property
    def _date(self) -> serializers.DateField:
        return serializers.DateField()


# The columns of the list's rows, read with ``values()``: no model instance per row.
LIST_VALUES = (
    "id", "code", "description", "status", "severity", "source", "category_id", "category__name_zh",
    "category__name_en", "district_id", "district__name", "district__name_en", "grid_id", "road_id",
    "sample_point_id", "sample_point__name", "address", "responsible_unit_id", "responsible_unit__name",
    "responsible_unit__name_en", "team_id", "team__name", "team__name_en", "found_at", "deadline", "closed_at",
    "problem_class_id", "rebound_of_id", "version",
)


def problem_list_rows(rows) -> list[dict]:
    """What ``ProblemListSerializer`` answers for each problem, from rows read with
    ``values(*LIST_VALUES)`` (a test compares the two): the list endpoint makes no model
    instances (six per row with their names), which were a quarter of its time."""
    english = (translation.get_language() or "").startswith("en")
    when, day = _datetime_writer(), _date_writer()
    today = timezone.localdate()
    statuses, severities, sources = (_labels_of(Status), _labels_of(Severity), _labels_of(Source))
    out = []
    for row in rows:
        status, deadline = row["status"], row["deadline"]
        days_overdue = max(0, (today - deadline).days) if deadline and status in OPEN_STATUSES else 0
        out.append({
            "id": row["id"],
            "code": row["code"],
            "description": row["description"],
            "status": status,
            "status_label": statuses.get(status, status),
            "severity": row["severity"],
            "severity_label": severities.get(row["severity"], row["severity"]),
            "source": row["source"],
            "source_label": sources.get(row["source"], row["source"]),
            "category": row["category_id"],
            "category_label": (
                (row["category__name_en"] if english else row["category__name_zh"]) if row["category_id"] else None
            ),
            "district": row["district_id"],
            "district_label": _bilingual_row(row, "district", english),
            "grid": row["grid_id"],
            "road": row["road_id"],
            "sample_point": row["sample_point_id"],
            "sample_point_label": row["sample_point__name"] if row["sample_point_id"] else None,
            "address": row["address"],
            "responsible_unit": row["responsible_unit_id"],
            "responsible_unit_label": _bilingual_row(row, "responsible_unit", english),
            "team": row["team_id"],
            "team_label": _bilingual_row(row, "team", english),
            "found_at": when(row["found_at"]) if row["found_at"] else None,
            "deadline": day(deadline) if deadline else None,
            "days_overdue": days_overdue,
            "closed_at": when(row["closed_at"]) if row["closed_at"] else None,
            "problem_class": row["problem_class_id"],
            "rebound_of": row["rebound_of_id"],
            "version": row["version"],
        })
    return out


def _datetime_writer():
    """What ``DateTimeField().to_representation`` writes, for the rows of one request: with
    DRF's default ISO 8601 format, an aware time in the current time zone, ``Z`` for UTC. DRF's
    field asks for the time zone again per value (a third of the rows' time); any other
    DATETIME_FORMAT, or naive times, go through the field itself."""
    field = serializers.DateTimeField()
    if api_settings.DATETIME_FORMAT != ISO_8601 or not settings.USE_TZ:
        return field.to_representation
    zone = timezone.get_current_timezone()

    def write(value) -> str:
        if value.tzinfo is None:
            return field.to_representation(value)
        text = value.astimezone(zone).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text
    return write


def _date_writer():
    """What ``DateField().to_representation`` writes: ``isoformat()`` with DRF's default format."""
    if api_settings.DATE_FORMAT != ISO_8601:
        return serializers.DateField().to_representation
    return date.isoformat


def _labels_of(choices) -> dict:
    return {value: choice_label(choices, value) for value in choices.values}


def _bilingual_row(row: dict, relation: str, english: bool) -> str | None:
    """``_bilingual`` of a related object read as ``relation__name`` and ``relation__name_en``."""
    if row[f"{relation}_id"] is None:
        return None
    name_en = row[f"{relation}__name_en"]
    return name_en if (english and name_en) else row[f"{relation}__name"]


def _bilingual(obj, english: bool) -> str | None:
    """BilingualName.label without asking for the language again per row."""
    if obj is None:
        return None
    return obj.name_en if (english and obj.name_en) else obj.name


class ProblemRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Problem
        fields = ["id", "code", "status"]
        read_only_fields = fields


class ProblemDetailSerializer(ProblemListSerializer):
    """A problem with its whole history, its photos and what the requesting user may do now."""

    found_by = serializers.CharField(source="found_by.get_full_name", read_only=True)
    problem_class_label = serializers.SerializerMethodField()
    rebound_of_code = _label("rebound_of.code")
    duplicate_of_code = _label("duplicate_of.code")
    closing_applied_by = serializers.SerializerMethodField()
    events = serializers.SerializerMethodField()
    photos = serializers.SerializerMethodField()
    allowed_actions = serializers.SerializerMethodField(
        help_text=_(
            "Actions the requesting user may take now: assign and reassign (assign/), acknowledge, "
            "apply_close (apply-close/), approve and reject (verify/), invalidate, rebound."
        )
    )

    class Meta(ProblemListSerializer.Meta):
        fields = [
            *ProblemListSerializer.Meta.fields,
            "latitude", "longitude", "source_ref", "found_by", "problem_class_label", "rebound_of_code",
            "duplicate_of", "duplicate_of_code", "assigned_at", "closing_applied_at", "closing_applied_by",
            "rectification_note", "rejection_count", "last_rejection_reason", "invalid_reason",
            "updated_at", "events", "photos", "allowed_actions",
        ]
        read_only_fields = fields

    def to_representation(self, problem: Problem) -> dict:
        photos = list(problem.photos.all())
        by_event: dict[int, list] = {}
        for photo in photos:
            by_event.setdefault(photo.event_id, []).append(photo)
        self.context["photos_by_event"] = by_event
        self.context["photos"] = photos
        # The generic walk over the fields (the list's written-out answer has only its own).
        return serializers.ModelSerializer.to_representation(self, problem)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_problem_class_label(self, problem: Problem) -> str | None:
        return str(problem.problem_class) if problem.problem_class_id else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_closing_applied_by(self, problem: Problem) -> str | None:
        return problem.closing_applied_by.get_full_name() if problem.closing_applied_by_id else None

    @extend_schema_field(EventSerializer(many=True))
    def get_events(self, problem: Problem) -> list[dict]:
        return EventSerializer(problem.events.all(), many=True, context=self.context).data

    @extend_schema_field(PhotoSerializer(many=True))
    def get_photos(self, problem: Problem) -> list[dict]:
        return PhotoSerializer(self.context["photos"], many=True, context=self.context).data

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=PAGE_ACTIONS)))
    def get_allowed_actions(self, problem: Problem) -> list[str]:
        request = self.context.get("request")
        return [str(a) for a in allowed_actions(problem, request.user)] if request else []


# --- Input ---------------------------------------------------------------------------------------


class PhotoListField(serializers.ListField):
    """Uploaded files sent as repeated ``photos`` (or ``photos[]``) parts of a multipart body."""

    def __init__(self, **kwargs):
        kwargs.setdefault("child", serializers.FileField(allow_empty_file=True))
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_empty", True)
        super().__init__(**kwargs)

    def get_value(self, dictionary):
        if hasattr(dictionary, "getlist"):
            files = [*dictionary.getlist(self.field_name, []), *dictionary.getlist(f"{self.field_name}[]", [])]
            return files if files else serializers.empty
        return super().get_value(dictionary)


class VersionMixin(serializers.Serializer):
    version = serializers.IntegerField(
        required=False, min_value=1,
        help_text=_("The version of the problem you saw; a stale version is refused with 409."),
    )


@extend_schema_field(OpenApiTypes.STR)
class ProblemReferenceField(serializers.Field):
    """A visible problem given by its id or its code (2026-000123)."""

    default_error_messages = {"does_not_exist": _("No problem %(value)s that you may see.")}

    def to_internal_value(self, data):
        user = self.context["request"].user
        visible = Problem.objects.visible_to(user)
        value = str(data).strip()
        found = visible.filter(pk=int(value)).first() if value.isdigit() else visible.filter(code=value).first()
        if found is None:
            self.fail("does_not_exist", value=value)
        return found

    def to_representation(self, value):
        return value.pk


class ProblemCreateSerializer(serializers.Serializer):
    description = serializers.CharField(label=_("Description"))
    category = WritableRelatedField(queryset=Category.objects.all(), label=_("Category"))
    sample_point = WritableRelatedField(queryset=SamplePoint.objects.all(), required=False, allow_null=True)
    district = WritableRelatedField(
        queryset=District.objects.all(), required=False, allow_null=True,
        help_text=_("Needed when there is no sample point; otherwise taken from it."),
    )
    grid = WritableRelatedField(
        queryset=Grid.objects.all(), required=False, allow_null=True,
        help_text=_("The grid cell, in the problem's district. Default: the sample point's, or the cell its "
                    "coordinates lie in."),
    )
    road = WritableRelatedField(
        queryset=Road.objects.all(), required=False, allow_null=True,
        help_text=_("The road, in the problem's district. Default: the sample point's."),
    )
    address = serializers.CharField(required=False, allow_blank=True, max_length=300)
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6, required=False, allow_null=True,
                                        min_value=-90, max_value=90)
    longitude = serializers.DecimalField(max_digits=9, decimal_places=6, required=False, allow_null=True,
                                         min_value=-180, max_value=180)
    source = serializers.ChoiceField(choices=Source.choices)
    source_ref = serializers.CharField(required=False, allow_blank=True, max_length=200)
    found_at = serializers.DateTimeField(required=False, help_text=_("Default: now."))
    severity = serializers.ChoiceField(choices=Severity.choices, required=False, default=Severity.GENERAL)
    responsible_unit = WritableRelatedField(queryset=Unit.objects.all(), required=False, allow_null=True)
    team = WritableRelatedField(queryset=Team.objects.all(), required=False, allow_null=True)
    problem_class = serializers.PrimaryKeyRelatedField(
        queryset=ProblemClass.objects.all(), required=False, allow_null=True
    )
    photos = PhotoListField(help_text=_("Before-photos (multipart only), optional."))

    def validate_problem_class(self, value):
        """A class the recorder may see, and only for those who may classify (as the form)."""
        if value is None:
            return value
        user = self.context["request"].user
        if role_of(user) not in ROLES[Action.CLASSIFY]:
            raise serializers.ValidationError(_("Your role may not put a problem in a class."))
        if not classes_to_choose(user).filter(pk=value.pk).exists():
            raise serializers.ValidationError(_("No such problem class that you may see."))
        return value

    def validate_found_at(self, value):
        if value > timezone.now():
            raise serializers.ValidationError(_("A problem cannot be found in the future."))
        return value

    def validate(self, attrs: dict) -> dict:
        if not attrs.get("district") and not attrs.get("sample_point"):
            raise serializers.ValidationError({"district": _("Give the district or a sample point.")})
        point, district = attrs.get("sample_point"), attrs.get("district")
        if point is not None and district is not None and point.district_id != district.pk:
            raise serializers.ValidationError({"district": _("The sample point lies in another district.")})
        outside = city_coordinate_errors(attrs.get("latitude"), attrs.get("longitude"))
        if outside:
            raise serializers.ValidationError(outside)
        return attrs


class AssignSerializer(VersionMixin):
    # Visible here; the service checks who may assign first, then the unit's write scope (400).
    unit = VisibleRelatedField(queryset=Unit.objects.all(), help_text=_("The responsible unit."))
    deadline = serializers.DateField(required=False, allow_null=True,
                                     help_text=_("Default: from the problem's severity."))
    note = serializers.CharField(required=False, allow_blank=True, default="")


class AcknowledgeSerializer(VersionMixin):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ApplyCloseSerializer(VersionMixin):
    note = serializers.CharField(help_text=_("What was done to rectify the problem."))
    photos = PhotoListField(help_text=_("One or more after-photos."))


class VerifySerializer(VersionMixin):
    approved = serializers.BooleanField(help_text=_("True closes the problem; false sends it back with the note."))
    note = serializers.CharField(required=False, allow_blank=True, default="",
                                 help_text=_("Required when rejecting: the reason."))


class InvalidateSerializer(VersionMixin):
    reason = serializers.CharField()
    duplicate_of = ProblemReferenceField(
        required=False, allow_null=True, help_text=_("The original problem (id or code) when this is a duplicate."),
    )


class ReboundSerializer(serializers.Serializer):
    description = serializers.CharField(required=False, allow_blank=True, default="",
                                        help_text=_("Default: the closed problem's description."))
    photos = PhotoListField(help_text=_("Before-photos of the rebound (multipart only), optional."))


class ClassifySerializer(VersionMixin):
    problem_class = serializers.PrimaryKeyRelatedField(
        queryset=ProblemClass.objects.all(), allow_null=True, help_text=_("null takes the problem out of its class."),
    )


# --- Problem classes -----------------------------------------------------------------------------


class ProblemClassSerializer(serializers.ModelSerializer):
    category = VisibleRelatedField(queryset=Category.objects.all(), required=False, allow_null=True)
    category_label = _label("category.label")
    created_by = serializers.CharField(source="created_by.get_full_name", read_only=True)
    problem_count = serializers.IntegerField(read_only=True, help_text=_("Problems in the class that you may see."))
    open_count = serializers.IntegerField(read_only=True, help_text=_("Of those, still open."))
    district = VisibleRelatedField(queryset=District.objects.all(), required=False, allow_null=True,
                                   help_text=_("The class's district (a district lead's class is theirs); "
                                               "none: city-wide."))
    status = serializers.ChoiceField(choices=ClassStatus.choices, read_only=True)
    responsible_unit = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    responsible_unit_name = serializers.CharField(source="responsible_unit.name", read_only=True, default="")
    verified_by = serializers.CharField(source="verified_by.get_full_name", read_only=True, default="")

    class Meta:
        model = ProblemClass
        fields = [
            "id", "code", "name", "description", "category", "category_label", "district", "created_by",
            "created_at", "status", "cause", "measure", "responsible_unit", "responsible_unit_name", "deadline",
            "closing_note", "closing_applied_at", "verified_at", "verified_by", "rejection_count",
            "last_rejection_reason", "version", "problem_count", "open_count",
        ]
        read_only_fields = ["created_by", "created_at", "cause", "measure", "deadline", "closing_note",
                            "closing_applied_at", "verified_at", "rejection_count", "last_rejection_reason",
                            "version"]
        # Uniqueness is the service's rule (a clear 400), not the serializer's.
        extra_kwargs = {"code": {"validators": []}}


class ProblemClassEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.get_full_name", read_only=True)
    # Empty for the event that opened the class (it came from no state), so not the status enum.
    from_status = serializers.CharField(read_only=True)

    class Meta:
        model = ProblemClassEvent
        fields = ["id", "action", "from_status", "to_status", "actor", "at", "note", "data"]
        read_only_fields = fields


class WeekCountSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    count = serializers.IntegerField()
    days = serializers.IntegerField(help_text=_("Days of the week counted (fewer in the current week)."))


class BeforeAfterSerializer(serializers.Serializer):
    verified_on = serializers.DateField()
    weeks = serializers.IntegerField()
    before = WeekCountSerializer(many=True)
    after = WeekCountSerializer(many=True)
    before_total = serializers.IntegerField()
    after_total = serializers.IntegerField()
    before_rate = serializers.FloatField(help_text=_("Problems found per week before the verification."))
    after_rate = serializers.FloatField(allow_null=True, help_text=_("Problems found per week since."))
    change = serializers.FloatField(allow_null=True, help_text=_("after_rate / before_rate - 1."))


class ProblemClassDetailSerializer(ProblemClassSerializer):
    problems = ProblemRefSerializer(source="visible_problems", many=True, read_only=True)
    events = ProblemClassEventSerializer(many=True, read_only=True)
    before_after = serializers.SerializerMethodField(help_text=_(
        "Problems of the class found per week before and after its measure was verified; null until then."))
    allowed_actions = serializers.SerializerMethodField()

    class Meta(ProblemClassSerializer.Meta):
        fields = [*ProblemClassSerializer.Meta.fields, "problems", "events", "before_after", "allowed_actions"]

    @extend_schema_field(BeforeAfterSerializer(allow_null=True))
    def get_before_after(self, item):
        from ledger.class_selectors import class_before_after

        user = self.context["request"].user
        result = class_before_after(item, Problem.objects.visible_to(user))
        return None if result is None else BeforeAfterSerializer(result).data

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_allowed_actions(self, item) -> list[str]:
        from ledger.class_rules import allowed_class_actions

        return [str(action) for action in allowed_class_actions(item, self.context["request"].user)]


class ClassVersionMixin(serializers.Serializer):
    version = serializers.IntegerField(
        required=False, min_value=1,
        help_text=_("The version of the class you saw; a stale version is refused with 409."),
    )


class ClassMeasureSerializer(ClassVersionMixin):
    cause = serializers.CharField(help_text=_("What causes the problems of the class."))
    measure = serializers.CharField(help_text=_("What will be done to remove the cause."))
    unit = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.all(), help_text=_("The responsible unit."))
    deadline = serializers.DateField()
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ClassApplyCloseSerializer(ClassVersionMixin):
    note = serializers.CharField(help_text=_("What was done to remove the cause."))
    photos = PhotoListField(help_text=_("One or more photos of the measure carried out."))


class ClassVerifySerializer(ClassVersionMixin):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ClassRejectSerializer(ClassVersionMixin):
    reason = serializers.CharField(help_text=_("Why the closing is rejected (the unit is told)."))


class ClassSuggestQuerySerializer(serializers.Serializer):
    description = serializers.CharField(help_text=_("The problem's description (Chinese text)."))
    category = serializers.IntegerField(required=False)
    sample_point = serializers.IntegerField(required=False)
    district = serializers.IntegerField(required=False)


class ClassSuggestionSerializer(serializers.Serializer):
    problem_class = serializers.IntegerField(source="key.pk")
    code = serializers.CharField(source="key.code")
    name = serializers.CharField(source="key.name")
    score = serializers.FloatField(help_text=_("Text similarity plus the category and place boosts."))
    text_score = serializers.FloatField(help_text=_("Cosine of the bigram TF-IDF vectors, 0 to 1."))
    words = serializers.ListField(child=serializers.CharField(), help_text=_("The shared words that weigh most."))
    same_category = serializers.BooleanField()
    same_point = serializers.BooleanField()
    same_district = serializers.BooleanField()
