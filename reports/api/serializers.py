from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from campaign.models import District
from ledger.api.serializers import ErrorSerializer  # noqa: F401 - one error shape for the whole API

from ..kinds import kind_choices
from ..models import Report
from ..periods import day_out_of_range
from ..selectors import report_data_for


class ReportSerializer(serializers.ModelSerializer):
    period_label = serializers.SerializerMethodField(help_text=_("2026-W47 for a week, 2026-11 for a month."))
    url = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField(help_text=_("The Excel workbook, once the report is done."))

    class Meta:
        model = Report
        fields = [
            "id", "kind", "period_start", "period_end", "period_label", "district", "version", "status",
            "progress", "failure", "scheduled", "requested_at", "sent_at", "started_at", "finished_at",
            "attempts", "published_at", "url", "download_url",
        ]
        read_only_fields = fields

    def get_period_label(self, report) -> str:
        return report.period.label

    def get_url(self, report) -> str:
        return self._absolute(reverse("report-detail", args=[report.pk]))

    def get_download_url(self, report) -> str | None:
        if report.status != "done" or not report.workbook:
            return None
        return self._absolute(reverse("report-download", args=[report.pk]) + "?format=xlsx")

    def _absolute(self, path: str) -> str:
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class ReportDetailSerializer(ReportSerializer):
    data = serializers.SerializerMethodField(
        help_text=_("The figures, as the kind computed them (empty until done); lists of problems narrowed "
                    "to your scope unless you read the whole city."))

    class Meta(ReportSerializer.Meta):
        fields = [*ReportSerializer.Meta.fields, "data"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_data(self, report) -> dict:
        request = self.context.get("request")
        if request is None:
            return {}
        return report_data_for(report=report, user=request.user)


class ReportRequestSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[])  # the registry's kinds, read per request (reports/kinds)
    period_start = serializers.DateField(
        help_text=_("Any day of the period: the report covers the ISO week or the month holding it.")
    )
    district = serializers.PrimaryKeyRelatedField(
        queryset=District.objects.all(), required=False, allow_null=True,
        help_text=_("Empty: the whole city."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = kind_choices()

    def validate_period_start(self, value):
        why = day_out_of_range(value)
        if why:
            raise serializers.ValidationError(why)
        return value


class ReportQueuedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    version = serializers.IntegerField()
    url = serializers.CharField()
