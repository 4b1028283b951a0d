"""The reports' API.

- ``GET /api/reports/``: reports you may see, with the page's filters (kind, status, period,
  district, city_wide). ``POST`` (HQ staff) ``{kind, period_start, district?}`` queues the next
  version and answers 202 with its id; anyone else gets 403.
- ``GET /api/reports/{id}/``: status, progress and, once done, the figures (``data``).
- ``GET /api/reports/{id}/download/?format=xlsx``: the workbook.
- ``POST /api/reports/{id}/publish/`` (HQ staff): publish a draft of a kind HQ publishes (a weekly
  exposure, a monthly comparison).
A report outside your scope is 404 everywhere.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import BasePermission
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response

from campaign.choices import Role

from .. import selectors, services
from ..filters import ReportFilterSet
from ..views import XLSX, workbook_response
from . import serializers as s


class IsCampaignStaff(BasePermission):
    message = _("Members of the public have no access to the reports.")

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.is_active
                    and (user.is_superuser or user.role != Role.PUBLIC))


class XlsxRenderer(BaseRenderer):
    """Names the workbook's format so that ``?format=xlsx`` negotiates; the file itself is
    streamed by a FileResponse."""

    media_type = XLSX
    format = "xlsx"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


REFUSED = {
    403: OpenApiResponse(s.ErrorSerializer, description=_("Only HQ staff may do this.")),
    404: OpenApiResponse(s.ErrorSerializer, description=_("No such report that you may see.")),
}


@extend_schema_view(
    list=extend_schema(summary=_("Reports"), tags=["reports"]),
    retrieve=extend_schema(summary=_("One report: status, progress and figures"), tags=["reports"],
                           responses={200: s.ReportDetailSerializer, 404: REFUSED[404]}),
)
class ReportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [IsCampaignStaff]
    filterset_class = ReportFilterSet
    ordering_fields = ["period_start", "requested_at", "version"]
    ordering = ["-period_start", "kind", "-version"]
    search_fields = []

    def get_queryset(self):
        return selectors.reports_visible(user=self.request.user).order_by(*self.ordering)

    def get_serializer_class(self):
        if self.action == "retrieve":
            return s.ReportDetailSerializer
        return s.ReportSerializer

    @extend_schema(
        summary=_("Request a report"), tags=["reports"], request=s.ReportRequestSerializer,
        description=_("HQ staff: queue the next version of a report for a finished week or month. "
                      "The worker produces it; follow url for its status."),
        responses={202: s.ReportQueuedSerializer, 400: OpenApiResponse(s.ErrorSerializer), 403: REFUSED[403]},
    )
    def create(self, request):
        if not services.may_manage_reports(request.user):
            raise PermissionDenied(_("Only HQ staff may request reports."))
        serializer = s.ReportRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            report = services.report_request(requested_by=request.user, **serializer.validated_data)
        except services.ReportForbidden as error:
            raise PermissionDenied(str(error)) from error
        except services.ReportError as error:
            raise ValidationError({"detail": str(error)}) from error
        body = {"id": report.pk, "status": report.status, "version": report.version,
                "url": request.build_absolute_uri(f"{request.path}{report.pk}/")}
        return Response(body, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        summary=_("Download the workbook"), tags=["reports"],
        parameters=[OpenApiParameter("format", OpenApiTypes.STR, enum=["xlsx"], required=False,
                                     description=_("File format; xlsx is the only one."))],
        responses={(200, XLSX): OpenApiResponse(OpenApiTypes.BINARY), 404: REFUSED[404]},
    )
    @action(detail=True, methods=["get"], renderer_classes=[XlsxRenderer, JSONRenderer])
    def download(self, request, pk=None):
        return workbook_response(self.get_object(), user=request.user, request=request)

    @extend_schema(
        summary=_("Publish a report (a weekly exposure or a monthly comparison)"), tags=["reports"], request=None,
        responses={200: s.ReportDetailSerializer, 400: OpenApiResponse(s.ErrorSerializer), **REFUSED},
    )
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        report = self.get_object()
        try:
            report = services.report_publish(report=report, by=request.user)
        except services.ReportForbidden as error:
            raise PermissionDenied(str(error)) from error
        except services.ReportError as error:
            raise ValidationError({"detail": str(error)}) from error
        return Response(s.ReportDetailSerializer(report, context=self.get_serializer_context()).data)

    def handle_exception(self, exc):
        # A refused download answers in JSON, not as a "workbook".
        if getattr(self, "action", None) == "download":
            self.request.accepted_renderer = JSONRenderer()
            self.request.accepted_media_type = JSONRenderer.media_type
        return super().handle_exception(exc)
