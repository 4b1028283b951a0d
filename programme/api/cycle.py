"""``/api/round-plans/``: the supervision cycle's recurring round plans. Everyone on the staff
reads the plans in their scope (``RoundPlan.objects.visible_to``; out of scope is 404), filtered
by the pages' FilterSet, each with the rounds it made; HQ staff create and change them, pause
and resume them, through ``programme.services.cycle``."""

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from campaign.api.serializers import VisibleRelatedField
from campaign.models import District, User
from config.api import FilterBackend
from inspections.api.serializers import NamedChoiceField, QuotaInputSerializer
from ledger.api.errors import ForbiddenError, InvalidError
from ledger.api.transfer import IsCampaignStaff

from ..choices import Recurrence, RoundPlanKind
from ..filters.cycle import RoundPlanFilterSet
from ..models import PlanRound, RoundPlan, RoundPlanQuota
from ..selectors.cycle import may_write_plans
from ..services import cycle as services


class PlanQuotaSerializer(serializers.ModelSerializer):
    category_code = serializers.CharField(source="category.code", read_only=True)

    class Meta:
        model = RoundPlanQuota
        fields = ["category", "category_code", "quota"]
        read_only_fields = fields


class PlanRoundSerializer(serializers.ModelSerializer):
    round_name = serializers.CharField(source="round.name", read_only=True, allow_null=True)

    class Meta:
        model = PlanRound
        fields = ["period_start", "period_end", "round", "round_name", "made_at"]
        read_only_fields = fields


class RoundPlanSerializer(serializers.ModelSerializer):
    kind = NamedChoiceField(RoundPlanKind, enum_name="RoundPlanKindEnum", read_only=True)
    recurrence = NamedChoiceField(Recurrence, enum_name="RoundPlanRecurrenceEnum", read_only=True)
    district_name = serializers.CharField(source="district.name", read_only=True, allow_null=True)
    owner = serializers.CharField(source="owner.username", read_only=True)
    quotas = PlanQuotaSerializer(many=True, read_only=True)
    rounds = PlanRoundSerializer(source="plan_rounds", many=True, read_only=True,
                                 help_text=_("The rounds the plan made, latest first."))

    class Meta:
        model = RoundPlan
        fields = ["id", "name", "kind", "recurrence", "every_weeks", "anchor", "district", "district_name",
                  "exclude_inspected_days", "inspectors", "active", "owner", "created_at", "last_error",
                  "last_error_at", "quotas", "rounds"]
        read_only_fields = fields


class RoundPlanInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    kind = NamedChoiceField(RoundPlanKind, enum_name="RoundPlanKindEnum")
    recurrence = NamedChoiceField(Recurrence, enum_name="RoundPlanRecurrenceEnum", default=Recurrence.WEEKS)
    every_weeks = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=52)
    anchor = serializers.DateField(help_text=_("Periods of N weeks count from this day; a quarterly plan starts "
                                               "with the quarter that holds it."))
    district = VisibleRelatedField(queryset=District.objects.all(), required=False, allow_null=True,
                                   help_text=_("Empty: the whole city (a cross-inspection plan always is)."))
    exclude_inspected_days = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=365)
    inspectors = serializers.PrimaryKeyRelatedField(
        many=True, required=False, queryset=User.objects.filter(is_active=True),
        help_text=_("Who share each round's points (not for a cross-inspection plan)."))
    quotas = QuotaInputSerializer(many=True, allow_empty=False)

    def validate_quotas(self, quotas: list[dict]) -> list[dict]:
        categories = [quota["category"].pk for quota in quotas]
        if len(set(categories)) != len(categories):
            raise serializers.ValidationError(_("Give each category once."))
        return quotas


class ActiveInputSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=500)


class MayWritePlans(BasePermission):
    message = _("Only HQ staff write round plans.")

    def has_permission(self, request, view) -> bool:
        return view.action in ("list", "retrieve") or may_write_plans(request.user)


def _values(data: dict) -> dict:
    return {
        "name": data["name"], "kind": data["kind"], "recurrence": data["recurrence"],
        "every_weeks": data.get("every_weeks"), "anchor": data["anchor"], "district": data.get("district"),
        "exclude_inspected_days": data.get("exclude_inspected_days"), "inspectors": data.get("inspectors") or [],
        "quotas": {quota["category"]: quota["quota"] for quota in data["quotas"]},
    }


def _call(function, **kwargs):
    """A service's refusals as API answers: field errors 400 naming the field, others 400/403."""
    try:
        return function(**kwargs)
    except ValidationError as error:
        raise serializers.ValidationError(error.message_dict) from error
    except services.CycleForbidden as error:
        raise ForbiddenError(str(error)) from error
    except services.CycleError as error:
        raise InvalidError(str(error)) from error


_TAGS = ["programme"]


@extend_schema_view(
    list=extend_schema(tags=_TAGS, summary=_("Round plans in your scope")),
    retrieve=extend_schema(tags=_TAGS, summary=_("A round plan and the rounds it made")),
    create=extend_schema(tags=_TAGS, summary=_("Create a round plan (HQ staff)"), request=RoundPlanInputSerializer,
                         responses={201: RoundPlanSerializer}),
    update=extend_schema(tags=_TAGS, summary=_("Change a round plan (HQ staff)"), request=RoundPlanInputSerializer,
                         responses={200: RoundPlanSerializer}),
)
class RoundPlanViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    queryset = RoundPlan.objects.all()  # narrowed by get_queryset (visible_to)
    permission_classes = [IsAuthenticated, IsCampaignStaff, MayWritePlans]
    serializer_class = RoundPlanSerializer
    filter_backends = [FilterBackend]
    filterset_class = RoundPlanFilterSet
    lookup_value_regex = r"\d+"
    http_method_names = ["get", "post", "put", "head", "options"]

    def get_queryset(self):
        return (RoundPlan.objects.visible_to(self.request.user).select_related("district", "owner")
                .prefetch_related("inspectors", Prefetch("quotas", queryset=RoundPlanQuota.objects.select_related(
                    "category")), Prefetch("plan_rounds", queryset=PlanRound.objects.select_related("round")
                                           .order_by("-period_start")))
                .order_by("-active", "name", "id"))

    def filter_queryset(self, queryset):
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def _answer(self, plan: RoundPlan, code=status.HTTP_200_OK) -> Response:
        return Response(RoundPlanSerializer(self.get_queryset().get(pk=plan.pk)).data, status=code)

    def _input(self, serializer_class) -> dict:
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def create(self, request, *args, **kwargs):
        data = self._input(RoundPlanInputSerializer)
        plan = _call(services.round_plan_create, by=request.user, **_values(data))
        return self._answer(plan, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        plan = self.get_object()
        data = self._input(RoundPlanInputSerializer)
        _call(services.round_plan_update, plan=plan, by=request.user, **_values(data))
        return self._answer(plan)

    @extend_schema(tags=_TAGS, summary=_("Pause a round plan (HQ staff)"), request=ActiveInputSerializer,
                   responses={200: RoundPlanSerializer})
    @action(detail=True, methods=["post"])
    def pause(self, request, pk=None):
        plan = self.get_object()
        data = self._input(ActiveInputSerializer)
        _call(services.round_plan_set_active, plan=plan, by=request.user, active=False, note=data.get("note", ""))
        return self._answer(plan)

    @extend_schema(tags=_TAGS, summary=_("Resume a round plan (HQ staff)"), request=ActiveInputSerializer,
                   responses={200: RoundPlanSerializer})
    @action(detail=True, methods=["post"])
    def resume(self, request, pk=None):
        plan = self.get_object()
        data = self._input(ActiveInputSerializer)
        _call(services.round_plan_set_active, plan=plan, by=request.user, active=True, note=data.get("note", ""))
        return self._answer(plan)


router = SimpleRouter()
router.register("round-plans", RoundPlanViewSet, basename="roundplan")
routes = [path("", include(router.urls))]
