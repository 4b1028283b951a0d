"""``/api/assignment-sheets/``: list and read the sheets one may see; issue one (HQ staff or a
district lead) with ``{unit, problems: [ids], note}``. Out of scope is 404; a problem of another
unit, not assigned, or already on a sheet is 409."""

from django.shortcuts import get_object_or_404
from django.urls import include, path
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from campaign.models import Unit

from .. import sheets as sheet_service
from ..models import AssignmentSheetItem, Problem
from ..services import LedgerConflict, LedgerForbidden, LedgerInvalid
from .transfer import IsCampaignStaff


class SheetItemSerializer(serializers.ModelSerializer):
    problem = serializers.IntegerField(source="problem_id")
    code = serializers.CharField(source="problem.code")
    description = serializers.CharField(source="problem.description")
    status = serializers.CharField(source="problem.status")

    class Meta:
        model = AssignmentSheetItem
        fields = ["line", "problem", "code", "description", "status", "deadline"]


class SheetSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    year = serializers.IntegerField()
    batch = serializers.IntegerField(help_text=gettext_lazy("The ISO week of the issue date."))
    seq = serializers.IntegerField()
    unit = serializers.IntegerField(source="unit_id")
    unit_name = serializers.CharField(source="unit.name")
    district = serializers.IntegerField(source="district_id", allow_null=True)
    issued_by = serializers.CharField(source="issued_by.username")
    issued_at = serializers.DateTimeField()
    note = serializers.CharField()


class SheetDetailSerializer(SheetSerializer):
    items = serializers.SerializerMethodField()

    def get_items(self, sheet) -> list[dict]:
        items = sheet_service.sheet_items(sheet, self.context["request"].user)
        return SheetItemSerializer(items, many=True).data


class SheetIssueSerializer(serializers.Serializer):
    unit = serializers.IntegerField()
    problems = serializers.ListField(child=serializers.IntegerField(), allow_empty=False, max_length=1000)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class AssignmentSheetViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [IsAuthenticated, IsCampaignStaff]
    filter_backends: list = []

    def get_queryset(self):
        queryset = sheet_service.sheets_visible_to(self.request.user).select_related("unit", "issued_by")
        return queryset.order_by("-issued_at", "-id")

    def get_serializer_class(self):
        if self.action == "retrieve":
            return SheetDetailSerializer
        if self.action == "create":
            return SheetIssueSerializer
        return SheetSerializer

    @extend_schema(request=SheetIssueSerializer, tags=["assignment sheets"], responses={
        201: SheetDetailSerializer,
        404: OpenApiResponse(description=gettext_lazy("No such unit or problem that you may see.")),
        409: OpenApiResponse(description=gettext_lazy("A problem is not assigned to that unit, or already on a sheet.")),
    })
    def create(self, request):
        if not sheet_service.may_issue(request.user):
            return Response({"detail": str(gettext_lazy("Your role may not issue assignment sheets."))},
                            status=status.HTTP_403_FORBIDDEN)
        body = SheetIssueSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        unit = get_object_or_404(Unit.objects.visible_to(request.user), pk=body.validated_data["unit"])
        ids = body.validated_data["problems"]
        if Problem.objects.visible_to(request.user).filter(pk__in=ids).count() != len(set(ids)):
            return Response({"detail": str(gettext_lazy("Not found."))}, status=status.HTTP_404_NOT_FOUND)
        try:
            sheet = sheet_service.assignment_sheet_issue(unit=unit, problems=ids, by=request.user,
                                                         note=body.validated_data["note"])
        except LedgerConflict as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
        except LedgerForbidden as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_403_FORBIDDEN)
        except LedgerInvalid as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_400_BAD_REQUEST)
        return Response(SheetDetailSerializer(sheet, context={"request": request}).data, status=status.HTTP_201_CREATED)


router = SimpleRouter()
router.register("assignment-sheets", AssignmentSheetViewSet, basename="api-assignment-sheet")

routes = [path("", include(router.urls))]
