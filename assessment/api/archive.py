"""``/api/archive/``: the materials archive, scoped like the pages (out of scope: 404).

- ``materials/`` the materials of the edition in use (filters: status, part, unit, overdue, q),
  ``materials/{id}/`` one with its versions and history;
- ``materials/{id}/files/`` (multipart ``file``, ``note``) uploads a new version and
  ``materials/{id}/review/`` (``file``, ``decision`` accept|return, ``comment``) reviews the
  latest, through the same services as the pages: a refused file or input is a 400 with the
  service's message, a role that may not is 403, a stale review or a move the status does not
  allow is 409;
- ``files/{id}/download/`` one version's file;
- ``exports/`` (POST, HQ and leaders) queues the whole archive's ZIP; ``exports/{id}/`` its
  progress, ``exports/{id}/file/`` the finished ZIP (404 until it is complete)."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import include, path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter
from rest_framework.views import APIView

from campaign.api.parsers import FormParser, JSONParser, MultiPartParser
from campaign.choices import AuditAction, ImportStatus
from campaign.services.audit import audit_record
from campaign.storage import stored_file_response
from config.api import FilterBackend, PageNumberPagination
from ledger.api.errors import ConflictError, ForbiddenError, InvalidError
from ledger.api.serializers import ErrorSerializer

from ..archive.files import TYPES, MaterialFileError
from ..choices import MaterialStatus
from ..filters.archive import MaterialFilterSet, archive_base
from ..models import ArchiveExport, MaterialEvent, MaterialFile, MaterialRequirement
from ..selectors import archive as selectors
from ..services import archive as services

TAGS = ["archive"]


class IsStaff(BasePermission):
    message = _("Only campaign staff use the archive.")

    def has_permission(self, request, view) -> bool:
        return selectors._staff(request.user)


class MaterialFileSerializer(serializers.ModelSerializer):
    uploaded_by = serializers.CharField(source="uploaded_by.username", read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = MaterialFile
        fields = ["id", "version", "original_name", "kind", "content_type", "size", "sha256", "note", "uploaded_by",
                  "uploaded_at", "download_url"]

    def get_download_url(self, record) -> str:
        return reverse("api-archive-file-download", args=[record.pk])


class MaterialEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.username", read_only=True)
    version = serializers.IntegerField(source="file.version", read_only=True)

    class Meta:
        model = MaterialEvent
        fields = ["id", "action", "from_status", "to_status", "actor", "at", "comment", "version"]


class MaterialSerializer(serializers.ModelSerializer):
    part = serializers.IntegerField(source="article.part.number", read_only=True)
    article = serializers.CharField(source="article.number", read_only=True)
    responsible_unit = serializers.CharField(source="responsible_unit.name", read_only=True, allow_null=True,
                                             default=None)
    status = serializers.SerializerMethodField()
    overdue = serializers.SerializerMethodField()
    latest_version = serializers.SerializerMethodField()
    accepted_version = serializers.SerializerMethodField()
    last_comment = serializers.SerializerMethodField()

    class Meta:
        model = MaterialRequirement
        fields = ["id", "code", "title", "title_en", "part", "article", "responsible_unit", "responsible_unit_id",
                  "due_date", "status", "overdue", "latest_version", "accepted_version", "last_comment"]

    @staticmethod
    def _state(requirement):
        return getattr(requirement, "archive_state", None) if hasattr(requirement, "archive_state") else None

    def get_status(self, requirement) -> str:
        state = self._state(requirement)
        return state.status if state else MaterialStatus.MISSING

    def get_overdue(self, requirement) -> bool:
        return bool(requirement.due_date and requirement.due_date < timezone.localdate()
                    and self.get_status(requirement) != MaterialStatus.ACCEPTED)

    def get_latest_version(self, requirement) -> int | None:
        state = self._state(requirement)
        return state.latest_file.version if state and state.latest_file else None

    def get_accepted_version(self, requirement) -> int | None:
        state = self._state(requirement)
        return state.accepted_file.version if state and state.accepted_file else None

    def get_last_comment(self, requirement) -> str:
        state = self._state(requirement)
        return state.last_comment if state else ""


class MaterialDetailSerializer(MaterialSerializer):
    files = serializers.SerializerMethodField()
    events = serializers.SerializerMethodField()

    class Meta(MaterialSerializer.Meta):
        fields = [*MaterialSerializer.Meta.fields, "files", "events"]

    @extend_schema_field(MaterialFileSerializer(many=True))
    def get_files(self, requirement):
        return MaterialFileSerializer(selectors.files_of(requirement), many=True).data

    @extend_schema_field(MaterialEventSerializer(many=True))
    def get_events(self, requirement):
        return MaterialEventSerializer(selectors.events_of(requirement), many=True).data


class MaterialUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text=_("PDF, Word (.docx, .doc), Excel (.xlsx, .xls), JPEG or PNG."))
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=1000)


class MaterialReviewSerializer(serializers.Serializer):
    file = serializers.IntegerField(help_text=_("The id of the version reviewed: the latest, else 409."))
    decision = serializers.ChoiceField(choices=["accept", "return"])
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000,
                                    help_text=_("Required to return."))


class ArchiveExportSerializer(serializers.ModelSerializer):
    progress_percent = serializers.IntegerField(read_only=True)
    file_url = serializers.SerializerMethodField()

    class Meta:
        model = ArchiveExport
        fields = ["id", "status", "total_rows", "processed_rows", "progress_percent", "failure", "created_at",
                  "finished_at", "attempts", "taken_over_at", "file_url"]

    def get_file_url(self, record) -> str | None:
        if record.status != ImportStatus.DONE:
            return None
        return reverse("api-archive-export-file", args=[record.pk])


REFUSALS = {
    400: OpenApiResponse(ErrorSerializer, description=_("A refused file or wrong input.")),
    403: OpenApiResponse(ErrorSerializer, description=_("Your role may not do this.")),
    404: OpenApiResponse(ErrorSerializer, description=_("No such material that you may see.")),
    409: OpenApiResponse(ErrorSerializer, description=_(
        "Not allowed in the material's status, or the version is no longer the latest.")),
}


def _errors(error):
    if isinstance(error, services.MaterialForbidden):
        return ForbiddenError(str(error))
    if isinstance(error, services.MaterialConflict):
        return ConflictError(str(error))
    return InvalidError(str(error))


class MaterialPagination(PageNumberPagination):
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 500


@extend_schema_view(
    list=extend_schema(summary=_("Required materials and where each stands"), tags=TAGS),
    retrieve=extend_schema(summary=_("One material with its versions and history"), tags=TAGS,
                           responses={200: MaterialDetailSerializer, 404: REFUSALS[404]}),
)
class MaterialViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [IsAuthenticated, IsStaff]
    filter_backends = [FilterBackend]
    filterset_class = MaterialFilterSet
    pagination_class = MaterialPagination
    lookup_value_regex = r"\d+"
    queryset = MaterialRequirement.objects.all()  # for the schema; get_queryset scopes it
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    def get_queryset(self):
        return selectors.index_rows(archive_base(self.request.user))

    def filter_queryset(self, queryset):
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def get_serializer_class(self):
        return MaterialSerializer if self.action == "list" else MaterialDetailSerializer

    def _detail(self, pk) -> Response:
        return Response(MaterialDetailSerializer(self.get_queryset().get(pk=pk)).data)

    @extend_schema(summary=_("Upload a new version"), tags=TAGS, request={"multipart/form-data": MaterialUploadSerializer},
                   responses={201: MaterialFileSerializer, **REFUSALS})
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def files(self, request, pk=None):
        requirement = self.get_object()
        serializer = MaterialUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            record = services.material_file_submit(requirement=requirement, upload=serializer.validated_data["file"],
                                                   by=request.user, note=serializer.validated_data["note"])
        except MaterialFileError as error:
            raise InvalidError(str(error)) from error
        except services.MaterialError as error:
            raise _errors(error) from error
        return Response(MaterialFileSerializer(record).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary=_("Accept the latest version, or return it with a comment"), tags=TAGS,
                   request=MaterialReviewSerializer, responses={200: MaterialDetailSerializer, **REFUSALS})
    @action(detail=True, methods=["post"], parser_classes=[JSONParser, FormParser])
    def review(self, request, pk=None):
        requirement = self.get_object()
        serializer = MaterialReviewSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        file = MaterialFile.objects.filter(pk=data["file"], requirement=requirement).first()
        if file is None:
            raise InvalidError(_("This file is not a version of this material."))
        try:
            services.material_review(requirement=requirement, file=file, accept=data["decision"] == "accept",
                                     comment=data["comment"], by=request.user)
        except services.MaterialError as error:
            raise _errors(error) from error
        return self._detail(requirement.pk)


class FileDownloadView(APIView):
    permission_classes = [IsAuthenticated, IsStaff]

    @extend_schema(operation_id="archive_file_download", summary=_("One version's file"), tags=TAGS,
                   responses={**{(200, kind.content_type): OpenApiResponse(OpenApiTypes.BINARY)
                                 for kind in TYPES.values()},
                              404: REFUSALS[404]})
    def get(self, request, pk: int):
        record = get_object_or_404(selectors.files_visible_to(request.user), pk=pk)
        return stored_file_response(record.file, as_attachment=True, filename=record.original_name,
                                    content_type=record.content_type)


class ExportListView(APIView):
    permission_classes = [IsAuthenticated, IsStaff]

    @extend_schema(operation_id="archive_export_create", summary=_("Queue the whole archive as one ZIP"), tags=TAGS,
                   request=None, responses={202: ArchiveExportSerializer, 400: REFUSALS[400], 404: REFUSALS[404]})
    def post(self, request):
        try:
            record = services.archive_export_request(by=request.user, edition=selectors.edition_current())
        except services.MaterialForbidden:
            raise Http404 from None
        except services.MaterialError as error:
            raise InvalidError(str(error)) from error
        audit_record(action=AuditAction.EXPORT, request=request, target=f"archive export #{record.pk}",
                     details={"delivery": "background", "via": "api", "format": "zip"})
        return Response(ArchiveExportSerializer(record).data, status=status.HTTP_202_ACCEPTED)


class ExportDetailView(APIView):
    permission_classes = [IsAuthenticated, IsStaff]

    @extend_schema(operation_id="archive_export_status", summary=_("The archive ZIP's progress"), tags=TAGS,
                   responses={200: ArchiveExportSerializer, 404: REFUSALS[404]})
    def get(self, request, pk: int):
        return Response(ArchiveExportSerializer(
            get_object_or_404(selectors.archive_export_visible_to(request.user), pk=pk)).data)


class ExportFileView(APIView):
    permission_classes = [IsAuthenticated, IsStaff]

    @extend_schema(operation_id="archive_export_file", summary=_("The finished archive ZIP"), tags=TAGS,
                   responses={(200, "application/zip"): OpenApiResponse(OpenApiTypes.BINARY), 404: REFUSALS[404]})
    def get(self, request, pk: int):
        record = get_object_or_404(selectors.archive_export_visible_to(request.user), pk=pk)
        if record.status != ImportStatus.DONE or not record.file:
            raise Http404
        response = stored_file_response(record.file, as_attachment=True, filename=f"archive-{record.pk}.zip",
                                        content_type="application/zip")
        audit_record(action=AuditAction.EXPORT, request=request, target=f"archive export #{record.pk}",
                     details={"delivery": "download", "via": "api", "format": "zip"})
        return response


class CompletenessRowSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    required = serializers.IntegerField()
    accepted = serializers.IntegerField()
    submitted = serializers.IntegerField()
    returned = serializers.IntegerField()
    missing = serializers.IntegerField()
    overdue = serializers.IntegerField()
    percent = serializers.FloatField()


class CompletenessSerializer(serializers.Serializer):
    edition = serializers.CharField(allow_null=True)
    as_of = serializers.DateField()
    by = serializers.ChoiceField(choices=list(selectors.BREAKDOWNS))
    whole = serializers.BooleanField(help_text=_("False: only the materials in the user's scope are counted."))
    rows = CompletenessRowSerializer(many=True)


class CompletenessQuerySerializer(serializers.Serializer):
    by = serializers.ChoiceField(choices=list(selectors.BREAKDOWNS), required=False, default="part")


class CompletenessView(APIView):
    """The completeness page's figures: HQ and leaders the whole archive, others their scope."""

    permission_classes = [IsAuthenticated, IsStaff]

    @extend_schema(summary=_("Archive completeness by part, article, unit or team (scoped)"), tags=TAGS,
                   parameters=[CompletenessQuerySerializer], responses={200: CompletenessSerializer})
    def get(self, request):
        query = CompletenessQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        whole = selectors.sees_whole_archive(request.user)
        if not whole and not selectors.requirements_visible_to(request.user).exists():
            raise Http404
        edition, today = selectors.edition_current(), timezone.localdate()
        by = query.validated_data["by"]
        figures = selectors.archive_completeness(edition=edition, as_of=today, by=by,
                                                 user=None if whole else request.user) if edition else {}
        rows = [{"id": key, **value} for key, value in sorted(figures.items())]
        return Response(CompletenessSerializer({"edition": edition.code if edition else None, "as_of": today,
                                                "by": by, "whole": whole, "rows": rows}).data)


router = SimpleRouter()
router.register("archive/materials", MaterialViewSet, basename="archive-material")
routes = [
    path("", include(router.urls)),
    path("archive/files/<int:pk>/download/", FileDownloadView.as_view(), name="api-archive-file-download"),
    path("archive/completeness/", CompletenessView.as_view(), name="api-archive-completeness"),
    path("archive/exports/", ExportListView.as_view(), name="api-archive-export-list"),
    path("archive/exports/<int:pk>/", ExportDetailView.as_view(), name="api-archive-export-detail"),
    path("archive/exports/<int:pk>/file/", ExportFileView.as_view(), name="api-archive-export-file"),
]
