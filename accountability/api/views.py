"""``/api/accountability-records/`` and ``/api/supervision-notices/``: read the records and notices
one may see (scoped like the pages: out of scope is 404), filtered by the pages' FilterSets.
Decisions are taken on HQ's pages (``accountability.services``)."""

from django.urls import include, path
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.routers import SimpleRouter

from config.api import FilterBackend
from ledger.api.transfer import IsCampaignStaff

from ..filters import AccountabilityRecordFilterSet, SupervisionNoticeFilterSet
from ..models import AccountabilityRecord, SupervisionNotice, SupervisionNoticeItem


class RecordSerializer(serializers.ModelSerializer):
    kind_code = serializers.CharField(source="kind.code")
    kind_name = serializers.CharField(source="kind.name")
    unit_name = serializers.CharField(source="unit.name")
    decided_by = serializers.CharField(source="decided_by.username")
    problems = serializers.SlugRelatedField(many=True, read_only=True, slug_field="code")

    class Meta:
        model = AccountabilityRecord
        fields = ["id", "kind", "kind_code", "kind_name", "unit", "unit_name", "district", "person_name",
                  "reason", "decided_on", "decided_by", "escalation", "problems", "status", "revoked_at",
                  "revoke_reason"]


class NoticeItemSerializer(serializers.ModelSerializer):
    code = serializers.CharField(source="problem.code")

    class Meta:
        model = SupervisionNoticeItem
        fields = ["line", "problem", "code", "deadline", "days_overdue"]


class NoticeSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name")
    items = NoticeItemSerializer(many=True, read_only=True)

    class Meta:
        model = SupervisionNotice
        fields = ["id", "number", "year", "serial", "unit", "unit_name", "district", "issued_on",
                  "threshold_days", "items"]


@extend_schema_view(list=extend_schema(tags=["accountability"]), retrieve=extend_schema(tags=["accountability"]))
class AccountabilityRecordViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [IsAuthenticated, IsCampaignStaff]
    serializer_class = RecordSerializer
    filter_backends = [FilterBackend]
    filterset_class = AccountabilityRecordFilterSet
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return (AccountabilityRecord.objects.visible_to(self.request.user)
                .select_related("kind", "unit", "decided_by").prefetch_related("problems")
                .order_by("-decided_on", "-id"))


@extend_schema_view(list=extend_schema(tags=["accountability"]), retrieve=extend_schema(tags=["accountability"]))
class SupervisionNoticeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [IsAuthenticated, IsCampaignStaff]
    serializer_class = NoticeSerializer
    filter_backends = [FilterBackend]
    filterset_class = SupervisionNoticeFilterSet
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return (SupervisionNotice.objects.visible_to(self.request.user).select_related("unit")
                .prefetch_related("items__problem").order_by("-issued_on", "-serial"))


router = SimpleRouter()
router.register("accountability-records", AccountabilityRecordViewSet, basename="accountabilityrecord")
router.register("supervision-notices", SupervisionNoticeViewSet, basename="supervisionnotice")
routes = [path("", include(router.urls))]
