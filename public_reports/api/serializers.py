"""What /api/public-reports/ reads and takes. The reporter's mobile number is masked
(138****5678) for anyone who may not moderate the report (campaign.public_guard)."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from campaign.models import Category, District, Unit
from campaign.public_guard import mobile_shown
from ledger.api.serializers import ErrorSerializer
from ledger.choices import Severity

from ..choices import RejectReason
from ..models import PublicReport, PublicReportEvent, PublicReportPhoto
from ..selectors import may_moderate, merge_target


class PublicReportSerializer(serializers.ModelSerializer):
    public_category_name = serializers.SerializerMethodField()
    district_name = serializers.SerializerMethodField()
    reporter_mobile = serializers.SerializerMethodField(
        help_text=_("In full for who may moderate the report, otherwise masked (138****5678)."))
    # Blank until a decision, so the schema says it: null for the links, "" for the reason.
    problem = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    merged_into = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    decided_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    reject_reason = serializers.ChoiceField(choices=RejectReason.choices, allow_blank=True, read_only=True)

    class Meta:
        model = PublicReport
        fields = ["id", "code", "channel", "status", "public_category", "public_category_name", "description",
                  "moderated_description", "address", "latitude", "longitude", "location_accuracy_m", "district",
                  "district_name", "submitted_at", "reporter_name", "reporter_mobile", "problem", "merged_into",
                  "reject_reason", "decision_note", "decided_by", "decided_at", "satisfied", "rating_comment",
                  "review_state", "version"]
        read_only_fields = fields

    def get_public_category_name(self, report) -> str:
        return str(report.public_category) if report.public_category_id else ""

    def get_district_name(self, report) -> str:
        return str(report.district) if report.district_id else ""

    def get_reporter_mobile(self, report) -> str:
        return mobile_shown(report.reporter_mobile, full=may_moderate(self.context["request"].user, report))


class ReportPhotoSerializer(serializers.ModelSerializer):
    class Meta:
        model = PublicReportPhoto
        fields = ["id", "width", "height", "hidden", "uploaded_at"]


class ReportEventSerializer(serializers.ModelSerializer):
    # null: the reporter (submitted) or the system (an import, a sweep).
    actor = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = PublicReportEvent
        fields = ["action", "from_status", "to_status", "actor", "at", "note"]


class DuplicateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[("problem", _("problem")), ("report", _("report"))])
    id = serializers.IntegerField(source="pk")
    code = serializers.CharField()
    description = serializers.CharField()
    status = serializers.CharField()
    at = serializers.DateTimeField()
    distance_m = serializers.FloatField()
    thumbnail_url = serializers.CharField()


class PublicReportDetailSerializer(PublicReportSerializer):
    photos = ReportPhotoSerializer(many=True, read_only=True)
    events = ReportEventSerializer(many=True, read_only=True)
    duplicates = serializers.SerializerMethodField()

    class Meta(PublicReportSerializer.Meta):
        fields = [*PublicReportSerializer.Meta.fields, "photos", "events", "duplicates"]
        read_only_fields = fields

    @extend_schema_field(DuplicateSerializer(many=True))
    def get_duplicates(self, report):
        return DuplicateSerializer(self.context.get("duplicates", []), many=True).data


class DecisionSerializer(serializers.Serializer):
    version = serializers.IntegerField(required=False, min_value=1,
                                       help_text=_("The version you read: a report changed since is refused (409)."))
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class AcceptSerializer(DecisionSerializer):
    category = serializers.PrimaryKeyRelatedField(queryset=Category.objects.all(), required=False,
                                                  help_text=_("Default: the public category's ledger category."))
    district = serializers.PrimaryKeyRelatedField(queryset=District.objects.all(), required=False,
                                                  help_text=_("Default: the report's district."))
    severity = serializers.ChoiceField(choices=Severity.choices, default=Severity.GENERAL)
    unit = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.all(), required=False, allow_null=True,
                                              help_text=_("Optional: the problem is assigned to it at once."))
    deadline = serializers.DateField(required=False, allow_null=True)
    description = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)


class MergeSerializer(DecisionSerializer):
    into = serializers.CharField(max_length=30, help_text=_(
        "The code of the problem (2026-000123) or of the earlier report (JB-2026-000042) to merge into."))

    def validate_into(self, value):
        problem, report = merge_target(self.context["request"].user, value)
        if problem is None and report is None:
            raise serializers.ValidationError(_("No problem or report with this code that you may see."))
        self.into_problem, self.into_report = problem, report
        return value.strip()


class RejectSerializer(DecisionSerializer):
    reason = serializers.ChoiceField(choices=RejectReason.choices)

    def validate(self, data):
        if data.get("reason") == RejectReason.OTHER and not data.get("note", "").strip():
            raise serializers.ValidationError({"note": [_("Write the reason for the reporter.")]})
        return data


class EditSerializer(DecisionSerializer):
    description = serializers.CharField(required=False, max_length=4000,
                                        help_text=_("The moderator's clearer description, kept beside the original."))
    hide_photos = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False, default=list,
                                        help_text=_("Ids of the report's photos to hide for privacy."))


__all__ = ["ErrorSerializer"]
