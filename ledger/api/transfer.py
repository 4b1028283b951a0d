"""The ledger in Excel through the API.

- ``GET /api/problems/export/``: the list's filters → the template as .xlsx (200), or for a
  large export 202 with the job's ``status_url``; ``GET /api/problems/exports/{id}/`` tells
  its progress and ``…/file/`` downloads it (the requester or HQ staff only).
- ``POST /api/problems/import/`` (HQ staff): multipart ``file``; ``dry_run=1`` answers the
  preview (200); otherwise all or nothing: 201, 400 with every row error, or 202 when queued.
"""

import io
from types import SimpleNamespace

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from campaign.api.parsers import FormParser, MultiPartParser
from campaign.choices import AuditAction, ImportStatus, Role
from campaign.importing.reading import upload_too_large
from campaign.services.audit import audit_record
from campaign.storage import stored_file_response

from ..models import LedgerExport, LedgerImport
from ..transfer import services as transfer
from ..transfer.export import CONTENT_TYPES, write_export

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv"


class FileFormatNegotiation(DefaultContentNegotiation):
    """Here ``?format=`` names the exported file's format (xlsx or csv), not a renderer."""

    settings = SimpleNamespace(URL_FORMAT_OVERRIDE=None)


class IsCampaignStaff(BasePermission):
    message = gettext_lazy("Members of the public have no access to the ledger.")

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and (user.is_superuser or user.role != Role.PUBLIC))


class MayImport(BasePermission):
    message = gettext_lazy("Only HQ staff import a ledger.")

    def has_permission(self, request, view) -> bool:
        return transfer.may_import(request.user)


class ExportJobSerializer(serializers.ModelSerializer):
    progress_percent = serializers.IntegerField(read_only=True)
    file_url = serializers.SerializerMethodField()

    class Meta:
        model = LedgerExport
        fields = ["id", "status", "total_rows", "processed_rows", "progress_percent", "failure", "created_at",
                  "finished_at", "file_url"]

    def get_file_url(self, record) -> str | None:
        if record.status != ImportStatus.DONE:
            return None
        return self.context["request"].build_absolute_uri(reverse("api-problem-export-file", args=[record.pk]))


class ImportRequestSerializer(serializers.Serializer):
    file = serializers.FileField(allow_empty_file=True, help_text=gettext_lazy(
        "An .xlsx workbook in the ledger template (headers in Chinese or English)."
    ))
    dry_run = serializers.BooleanField(required=False, default=False, help_text=gettext_lazy(
        "Only check the file and answer the preview; nothing is written."
    ))

    def validate_file(self, upload):
        refusal = upload_too_large(upload.size)
        if refusal:
            raise serializers.ValidationError(refusal)
        return upload


class ImportIssueSerializer(serializers.Serializer):
    row = serializers.IntegerField(allow_null=True, help_text=gettext_lazy("The row as Excel shows it."))
    column = serializers.CharField(help_text=gettext_lazy("The column header as written in the file."))
    value = serializers.CharField()
    message = serializers.CharField()


class ImportResultSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=ImportStatus.choices)
    total_rows = serializers.IntegerField()
    to_create = serializers.IntegerField(required=False)
    created = serializers.IntegerField(required=False)
    already_present = serializers.IntegerField(required=False)
    unchanged = serializers.IntegerField(required=False, help_text="Rows of problems in the ledger, as it has them.")
    to_update = serializers.IntegerField(required=False,
                                         help_text="Edited rows of problems in the ledger, applied as their moves.")
    errors = ImportIssueSerializer(many=True)
    warnings = ImportIssueSerializer(many=True)
    failure = serializers.CharField(required=False)
    status_url = serializers.CharField(required=False)


FORMAT_PARAMETER = OpenApiParameter(
    "format", str, enum=["xlsx", "csv"], default="xlsx",
    description="The file's format: the ledger template as an Excel workbook (xlsx), or the same columns as "
                "CSV, UTF-8 with a byte order mark (Excel in Chinese opens it as UTF-8), formula-like text behind "
                "an apostrophe; faster and smaller for the largest lists. Background exports keep it.",
)


class ProblemExportView(APIView):
    permission_classes = [IsAuthenticated, IsCampaignStaff]
    content_negotiation_class = FileFormatNegotiation

    @extend_schema(
        operation_id="problems_export",
        summary="Export the filtered ledger as Excel (the ledger template) or CSV",
        parameters=[FORMAT_PARAMETER],
        responses={
            (200, XLSX): OpenApiResponse(OpenApiTypes.BINARY, description="The .xlsx file."),
            (200, CSV): OpenApiResponse(OpenApiTypes.BINARY, description="The .csv file (format=csv)."),
            202: OpenApiResponse(ExportJobSerializer, description="A large export, written by the worker."),
            400: OpenApiResponse(description="A filter is malformed."),
        },
        tags=["problems"],
    )
    def get(self, request):
        filters = transfer.filters_to_dict(request.query_params)
        try:
            file_format = transfer.export_format(request.query_params.get("format"))
        except ValueError:
            return Response({"detail": _("Unknown export format: use xlsx or csv.")},
                            status=status.HTTP_400_BAD_REQUEST)
        try:
            problems = transfer.problems_for_export(user=request.user, filters=filters)
        except ValueError as exc:
            return Response({"detail": _("Some filters are not valid: %(errors)s") % {"errors": exc}},
                            status=status.HTTP_400_BAD_REQUEST)
        language = translation.get_language()
        threshold = transfer.export_threshold()
        if len(problems.values_list("pk", flat=True)[: threshold + 1]) <= threshold:
            buffer = io.BytesIO()
            write_export(problems, buffer, language=language, file_format=file_format)
            buffer.seek(0)
            audit_record(action=AuditAction.EXPORT, request=request, target="ledger",
                         details={"filters": filters, "delivery": "direct", "via": "api", "format": file_format})
            return FileResponse(buffer, as_attachment=True, filename=f"ledger.{file_format}",
                                content_type=CONTENT_TYPES[file_format])
        record = transfer.ledger_export_request(user=request.user, filters=filters, language=language,
                                                file_format=file_format)
        audit_record(action=AuditAction.EXPORT, request=request, target=f"ledger export #{record.pk}",
                     details={"filters": filters, "delivery": "background", "via": "api", "format": file_format})
        data = ExportJobSerializer(record, context={"request": request}).data
        data["status_url"] = request.build_absolute_uri(reverse("api-problem-export-detail", args=[record.pk]))
        return Response(data, status=status.HTTP_202_ACCEPTED)


def _own_export(request, pk) -> LedgerExport:
    record = get_object_or_404(LedgerExport, pk=pk)
    if not transfer.may_fetch_export(request.user, record):
        raise Http404
    return record


class ProblemExportDetailView(APIView):
    permission_classes = [IsAuthenticated, IsCampaignStaff]

    @extend_schema(operation_id="problems_export_status", responses={200: ExportJobSerializer}, tags=["problems"])
    def get(self, request, pk: int):
        return Response(ExportJobSerializer(_own_export(request, pk), context={"request": request}).data)


class ProblemExportFileView(APIView):
    permission_classes = [IsAuthenticated, IsCampaignStaff]

    @extend_schema(operation_id="problems_export_file",
                   responses={(200, XLSX): OpenApiResponse(OpenApiTypes.BINARY),
                              (200, CSV): OpenApiResponse(OpenApiTypes.BINARY, description="An export asked as CSV.")},
                   tags=["problems"])
    def get(self, request, pk: int):
        record = _own_export(request, pk)
        if record.status != ImportStatus.DONE or not record.file:
            raise Http404
        response = stored_file_response(record.file, as_attachment=True,
                                        filename=f"ledger-{record.pk}.{record.file_format}",
                                        content_type=CONTENT_TYPES[record.file_format])
        audit_record(action=AuditAction.EXPORT, request=request, target=f"ledger export #{record.pk}",
                     details={"filters": record.filters, "delivery": "download", "via": "api",
                              "requested_by": record.requested_by_id, "format": record.file_format})
        return response


class ProblemImportView(APIView):
    permission_classes = [IsAuthenticated, MayImport]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        operation_id="problems_import",
        summary="Import a ledger from Excel (the ledger template)",
        request={"multipart/form-data": ImportRequestSerializer},
        responses={
            200: OpenApiResponse(ImportResultSerializer, description="dry_run=1: the preview; nothing written."),
            201: OpenApiResponse(ImportResultSerializer, description="Written: the problems created."),
            202: OpenApiResponse(ImportResultSerializer, description=(
                "A large file, queued for the worker: checked (dry_run=1, then 'previewed'), or checked and "
                "written; follow status_url.")),
            400: OpenApiResponse(ImportResultSerializer, description="Row errors; nothing written."),
            403: OpenApiResponse(description="Not HQ staff."),
        },
        tags=["problems"],
    )
    def post(self, request):
        serializer = ImportRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data["file"]
        dry_run = serializer.validated_data["dry_run"]
        record, plan = transfer.ledger_import_preview(user=request.user, file_name=upload.name, data=upload.read(),
                                                      then_write=not dry_run)
        if plan is None:
            return self._queued(request, record)
        if dry_run:
            summary = plan.summary()
            return Response({"id": record.pk, "status": record.status, "total_rows": plan.total_rows,
                             "to_create": summary["to_create"], "already_present": summary["already_present"],
                             "unchanged": summary["unchanged"], "to_update": summary["to_update"],
                             "errors": plan.errors, "warnings": plan.warnings})
        if plan.errors:
            return self._rejected(record)
        try:
            record = transfer.ledger_import_confirm(user=request.user, record=record)
        except transfer.ImportStateError:
            return self._rejected(record)
        if record.status == ImportStatus.DONE:
            return Response({"id": record.pk, "status": record.status, "total_rows": record.total_rows,
                             "created": record.created_count, "errors": [], "warnings": record.warnings},
                            status=status.HTTP_201_CREATED)
        if record.status == ImportStatus.FAILED:
            return self._rejected(record)
        return self._queued(request, record)

    @staticmethod
    def _queued(request, record):
        return Response({"id": record.pk, "status": record.status, "total_rows": record.total_rows,
                         "errors": [], "warnings": record.warnings,
                         "status_url": request.build_absolute_uri(reverse("api-problem-import-detail", args=[record.pk]))},
                        status=status.HTTP_202_ACCEPTED)

    @staticmethod
    def _rejected(record):
        return Response({"id": record.pk, "status": record.status, "total_rows": record.total_rows,
                         "errors": record.errors, "warnings": record.warnings, "failure": record.failure},
                        status=status.HTTP_400_BAD_REQUEST)


class ProblemImportDetailView(APIView):
    permission_classes = [IsAuthenticated, MayImport]

    @extend_schema(operation_id="problems_import_status", responses={200: ImportResultSerializer}, tags=["problems"])
    def get(self, request, pk: int):
        record = get_object_or_404(LedgerImport, pk=pk)
        preview = {key: record.summary[key] for key in ("to_create", "already_present", "unchanged", "to_update")
                   if key in record.summary}
        return Response({"id": record.pk, "status": record.status, "total_rows": record.total_rows,
                         "processed_rows": record.processed_rows, "progress_percent": record.progress_percent,
                         "created": record.created_count, "errors": record.errors, "warnings": record.warnings,
                         "failure": record.failure, **preview})


routes = [
    path("problems/export/", ProblemExportView.as_view(), name="api-problem-export"),
    path("problems/exports/<int:pk>/", ProblemExportDetailView.as_view(), name="api-problem-export-detail"),
    path("problems/exports/<int:pk>/file/", ProblemExportFileView.as_view(), name="api-problem-export-file"),
    path("problems/import/", ProblemImportView.as_view(), name="api-problem-import"),
    path("problems/import/<int:pk>/", ProblemImportDetailView.as_view(), name="api-problem-import-detail"),
]
