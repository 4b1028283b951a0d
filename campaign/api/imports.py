"""POST /api/sample-points/import/: import sample points from an Excel or CSV file (HQ staff only).

dry_run=1 answers the preview (200). Otherwise the file is written all or nothing: 201 with
the created count, 400 with every row error, or 202 when a large file was queued for the
background worker (follow ``progress_url``). A file of more than IMPORT_BACKGROUND_ROWS rows
is checked by the worker too: 202 either way, and with dry_run=1 the import ends 'previewed'
with its ``summary``, errors and warnings.
"""

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from ..choices import ImportStatus
from ..importing.reading import upload_too_large
from ..models import SamplePointImport
from ..services import imports as import_service
from .parsers import FormParser, MultiPartParser


class CanManageStructure(BasePermission):
    message = gettext_lazy("Only HQ staff import sample points.")

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated and request.user.can_manage_structure)


class SamplePointImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField(allow_empty_file=True, help_text=gettext_lazy(
        "An .xlsx workbook or a CSV file (UTF-8 or GB18030): the template's columns, or a packed "
        "list with 场所 and 检查点位."
    ))
    district = serializers.CharField(required=False, allow_blank=True, help_text=gettext_lazy(
        "District for rows without one (code or name), e.g. 奉贤区."
    ))
    category = serializers.CharField(required=False, allow_blank=True, help_text=gettext_lazy(
        "Category for rows without one (code or name)."
    ))
    responsible_unit = serializers.CharField(required=False, allow_blank=True, help_text=gettext_lazy(
        "Responsible unit for rows without one (name)."
    ))
    team = serializers.CharField(required=False, allow_blank=True, help_text=gettext_lazy(
        "Special team for rows without one (code or name)."
    ))
    create_categories = serializers.BooleanField(required=False, default=False, help_text=gettext_lazy(
        "Create the categories the file names that do not exist (as key-place categories)."
    ))
    dry_run = serializers.BooleanField(required=False, default=False, help_text=gettext_lazy(
        "Only check the file and answer the preview; nothing is written."
    ))

    def validate_file(self, upload):
        refusal = upload_too_large(upload.size)
        if refusal:
            raise serializers.ValidationError(refusal)
        return upload

    def import_defaults(self) -> dict:
        data = self.validated_data
        defaults = {name: data[name].strip() for name in ("district", "category", "responsible_unit", "team")
                    if data.get(name, "").strip()}
        if data.get("create_categories"):
            defaults["create_categories"] = True
        return defaults


class ImportProblemSerializer(serializers.Serializer):
    row = serializers.IntegerField(allow_null=True, help_text=gettext_lazy("The row as Excel shows it."))
    column = serializers.CharField(help_text=gettext_lazy("The column header as written in the file."))
    value = serializers.CharField()
    message = serializers.CharField()


class ImportCategorySummarySerializer(serializers.Serializer):
    category = serializers.CharField()
    new = serializers.BooleanField()
    to_create = serializers.IntegerField()
    already_present = serializers.IntegerField()
    repeats = serializers.IntegerField()
    listed = serializers.IntegerField(allow_null=True)
    minimum = serializers.CharField()
    checked = serializers.IntegerField(allow_null=True)


class ImportPreviewSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=ImportStatus.choices)
    layout = serializers.CharField(help_text=gettext_lazy("template or packed"))
    total_rows = serializers.IntegerField(help_text=gettext_lazy("Points read from the file."))
    to_create = serializers.IntegerField()
    already_present = serializers.IntegerField()
    repeats = serializers.IntegerField()
    new_categories = serializers.ListField(child=serializers.CharField())
    categories = ImportCategorySummarySerializer(many=True)
    errors = ImportProblemSerializer(many=True)
    warnings = ImportProblemSerializer(many=True)


class ImportCreatedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=ImportStatus.choices)
    created = serializers.IntegerField()
    total_rows = serializers.IntegerField()
    warnings = ImportProblemSerializer(many=True)


class ImportQueuedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=ImportStatus.choices)
    total_rows = serializers.IntegerField()
    progress_url = serializers.CharField()


class ImportRejectedSerializer(serializers.Serializer):
    id = serializers.IntegerField(allow_null=True)
    status = serializers.ChoiceField(choices=ImportStatus.choices)
    errors = ImportProblemSerializer(many=True)
    warnings = ImportProblemSerializer(many=True)
    failure = serializers.CharField()


class ImportStatusSerializer(serializers.ModelSerializer):
    progress_percent = serializers.IntegerField(read_only=True)

    class Meta:
        model = SamplePointImport
        fields = [
            "id", "original_name", "status", "total_rows", "processed_rows", "progress_percent",
            "created_count", "errors", "warnings", "failure", "created_at", "finished_at", "summary",
        ]


def _progress_url(request, record) -> str:
    return request.build_absolute_uri(reverse("api-sample-point-import-detail", args=[record.pk]))


class SamplePointImportView(APIView):
    permission_classes = [IsAuthenticated, CanManageStructure]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        operation_id="sample_points_import",
        summary="Import sample points from Excel or CSV",
        description=__doc__,
        request={"multipart/form-data": SamplePointImportUploadSerializer},
        responses={
            200: OpenApiResponse(ImportPreviewSerializer, description="dry_run=1: the preview; nothing written."),
            201: OpenApiResponse(ImportCreatedSerializer, description="Written: the points created."),
            202: OpenApiResponse(ImportQueuedSerializer, description=(
                "A large file, queued for the background worker: checked (dry_run=1, then 'previewed' with its "
                "summary), or checked and written; follow progress_url.")),
            400: OpenApiResponse(ImportRejectedSerializer, description="Row errors (or a bad request); nothing written."),
            403: OpenApiResponse(description="Not signed in, or not HQ staff."),
        },
        examples=[
            OpenApiExample(
                "Row errors",
                status_codes=["400"],
                response_only=True,
                value={"id": 12, "status": "previewed", "failure": "", "warnings": [], "errors": [
                    {"row": 7, "column": "纬度 Latitude", "value": "north", "message": "Not a number."},
                ]},
            ),
        ],
        tags=["sample points"],
    )
    def post(self, request):
        serializer = SamplePointImportUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data["file"]
        dry_run = serializer.validated_data["dry_run"]
        record, plan = import_service.sample_point_import_preview(
            user=request.user, file_name=upload.name, data=upload.read(), defaults=serializer.import_defaults(),
            then_write=not dry_run,
        )
        if plan is None:
            return self._queued(request, record)
        if dry_run:
            return Response({"id": record.pk, "status": record.status, **plan.summary(),
                             "errors": plan.errors, "warnings": plan.warnings})
        if plan.errors:
            return self._rejected(record)
        try:
            record = import_service.sample_point_import_confirm(user=request.user, record=record)
        except import_service.ImportStateError:
            return self._rejected(record)
        if record.status == ImportStatus.DONE:
            return Response({"id": record.pk, "status": record.status, "created": record.created_count,
                             "total_rows": record.total_rows, "warnings": record.warnings},
                            status=status.HTTP_201_CREATED)
        if record.status == ImportStatus.FAILED:
            return self._rejected(record)
        return self._queued(request, record)

    @staticmethod
    def _queued(request, record):
        return Response({"id": record.pk, "status": record.status, "total_rows": record.total_rows,
                         "progress_url": _progress_url(request, record)}, status=status.HTTP_202_ACCEPTED)

    @staticmethod
    def _rejected(record):
        return Response({"id": record.pk, "status": record.status, "errors": record.errors,
                         "warnings": record.warnings, "failure": record.failure},
                        status=status.HTTP_400_BAD_REQUEST)


class SamplePointImportDetailView(APIView):
    """GET /api/sample-points/import/<id>/: an import's status and progress (HQ staff only)."""

    permission_classes = [IsAuthenticated, CanManageStructure]

    @extend_schema(operation_id="sample_points_import_status", responses={200: ImportStatusSerializer},
                   tags=["sample points"])
    def get(self, request, pk: int):
        record = get_object_or_404(SamplePointImport, pk=pk)
        return Response(ImportStatusSerializer(record).data)
