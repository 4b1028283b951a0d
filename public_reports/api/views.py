"""``/api/public-reports/``: the moderation queue for HQ staff and district leads (leaders read),
scoped like the pages (``visible_to``: out of scope is 404), filtered by the queue's FilterSet.
Decisions are actions (``accept/``, ``merge/``, ``reject/``, ``edit/``), each one call to
public_reports/services.py: wrong input is a 400 with field messages, a role that may not
decide is 403, a report already decided or changed since the version sent is 409."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db.models import Prefetch
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from campaign.choices import Role
from config.api import FilterBackend, PageNumberPagination
from ledger.api.errors import ConflictError, ForbiddenError, InvalidError

from .. import services
from ..choices import ReportStatus
from ..filters import PublicReportFilterSet
from ..models import PublicReport, PublicReportEvent
from ..selectors import may_moderate, report_duplicates
from . import serializers as s

READERS = (Role.HQ_STAFF, Role.LEADER, Role.DISTRICT_LEAD)


class ReadsPublicReports(BasePermission):
    message = _("Only HQ staff, leaders and district leads read public reports.")

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.is_active and (user.is_superuser or user.role in READERS))


class ReportPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


@contextmanager
def report_errors() -> Iterator[None]:
    """The services' refusals as API answers, with the service's own message."""
    try:
        yield
    except services.PublicReportConflict as error:
        raise ConflictError(str(error)) from error
    except services.PublicReportForbidden as error:
        raise ForbiddenError(str(error)) from error
    except services.PublicReportError as error:
        raise InvalidError(str(error)) from error


REFUSALS = {
    400: OpenApiResponse(s.ErrorSerializer, description=_("Incomplete or wrong input.")),
    403: OpenApiResponse(s.ErrorSerializer, description=_("Your role may not decide on this report.")),
    404: OpenApiResponse(s.ErrorSerializer, description=_("No such report that you may see.")),
    409: OpenApiResponse(s.ErrorSerializer,
                         description=_("The report has already been decided, or changed since the version you sent.")),
}


def _decision_schema(request, summary, description=""):
    return extend_schema(summary=summary, description=description, request=request,
                         responses={200: s.PublicReportDetailSerializer, **REFUSALS}, tags=["public reports"])


@extend_schema_view(
    list=extend_schema(summary=_("The moderation queue"), tags=["public reports"], description=_(
        "Reports you may see (HQ and leaders all, a district lead their district's), newest first, with "
        "the queue's filters. The reporter's mobile number is masked unless you may moderate the report.")),
    retrieve=extend_schema(summary=_("One report with its photos, history and possible duplicates"),
                           tags=["public reports"], responses={200: s.PublicReportDetailSerializer, 404: REFUSALS[404]}),
)
class PublicReportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [ReadsPublicReports]
    filter_backends = [FilterBackend]
    filterset_class = PublicReportFilterSet
    pagination_class = ReportPagination
    lookup_value_regex = r"\d+"
    queryset = PublicReport.objects.all()  # the model, for the schema; get_queryset scopes it

    def get_queryset(self):
        reports = PublicReport.objects.visible_to(self.request.user)
        if self.action == "list":
            return reports.select_related("public_category", "district", "problem", "merged_into", "decided_by")
        if self.action == "retrieve":
            return self._with_history(reports)
        return reports.select_related("public_category", "public_category__category")

    def filter_queryset(self, queryset):
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def get_serializer_class(self):
        return s.PublicReportSerializer if self.action == "list" else s.PublicReportDetailSerializer

    def _with_history(self, reports):
        return reports.select_related(
            "public_category", "public_category__category", "district", "problem", "merged_into", "decided_by",
        ).prefetch_related(
            "photos", Prefetch("events", queryset=PublicReportEvent.objects.select_related("actor")))

    def _answer(self, report_id: int) -> Response:
        report = self._with_history(PublicReport.objects.visible_to(self.request.user)).get(pk=report_id)
        return Response(self._detail(report))

    def _detail(self, report) -> dict:
        context = {**self.get_serializer_context(), "duplicates": report_duplicates(report, user=self.request.user)
                   if report.status == ReportStatus.RECEIVED else []}
        return s.PublicReportDetailSerializer(report, context=context).data

    def retrieve(self, request, *args, **kwargs):
        return Response(self._detail(self.get_object()))

    def _decided_by_me(self):
        """The report to decide on: 404 out of scope, 403 for who reads but may not decide."""
        report = self.get_object()
        if not may_moderate(self.request.user, report):
            raise ForbiddenError(_("Only HQ staff and the district's lead decide on this report."))
        return report

    def _input(self, serializer_class):
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return serializer, dict(serializer.validated_data)

    @_decision_schema(s.AcceptSerializer, _("Accept into the ledger"), _(
        "Records a ledger problem (source public report) with the report's place and visible photos; "
        "assigned at once when a unit is given."))
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        report = self._decided_by_me()
        data = self._input(s.AcceptSerializer)[1]
        with report_errors():
            services.public_report_accept(
                report=report, by=request.user, category=data.get("category"), district=data.get("district"),
                severity=data["severity"], description=data["description"], unit=data.get("unit"),
                deadline=data.get("deadline"), note=data["note"], expected_version=data.get("version"))
        return self._answer(report.pk)

    @_decision_schema(s.MergeSerializer, _("Merge into a known problem or an earlier report"), _(
        "The reporter is told it was already known; the first reporter keeps the reward claim."))
    @action(detail=True, methods=["post"])
    def merge(self, request, pk=None):
        report = self._decided_by_me()
        serializer, data = self._input(s.MergeSerializer)
        with report_errors():
            services.public_report_merge(report=report, by=request.user, into_problem=serializer.into_problem,
                                         into_report=serializer.into_report, note=data["note"],
                                         expected_version=data.get("version"))
        return self._answer(report.pk)

    @_decision_schema(s.RejectSerializer, _("Reject with a reason"), _(
        "A reason from the list; \"other\" needs the note, which the reporter reads."))
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        report = self._decided_by_me()
        data = self._input(s.RejectSerializer)[1]
        with report_errors():
            services.public_report_reject(report=report, by=request.user, reason=data["reason"], note=data["note"],
                                          expected_version=data.get("version"))
        return self._answer(report.pk)

    @_decision_schema(s.EditSerializer, _("Edit beside the original"), _(
        "A clearer description and photos hidden for privacy; the resident's original is kept."))
    @action(detail=True, methods=["post"])
    def edit(self, request, pk=None):
        report = self._decided_by_me()
        data = self._input(s.EditSerializer)[1]
        with report_errors():
            services.public_report_edit(report=report, by=request.user, description=data.get("description"),
                                        hide_photo_ids=data["hide_photos"], note=data["note"],
                                        expected_version=data.get("version"))
        return self._answer(report.pk)


router = SimpleRouter()
router.register("public-reports", PublicReportViewSet, basename="publicreport")
routes = [path("", include(router.urls))]
