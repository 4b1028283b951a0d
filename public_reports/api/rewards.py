"""``/api/rewards/``: the reward ledger for HQ (staff act, leaders read; everyone else 403),
filtered like the page (``month=2026-12``, ``status``), and the actions ``approve/``,
``decline/`` and ``pay/``, each one call to public_reports/services.py: wrong input is a 400,
a reward already moved is a 409. A reward outside what the reader may see is a 404. The
reporter's mobile number is shown in full to HQ staff only."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from campaign.choices import Role
from campaign.public_guard import mobile_shown
from config.api import PageNumberPagination
from ledger.api.errors import ConflictError, ForbiddenError, InvalidError
from ledger.api.serializers import ErrorSerializer

from .. import services
from ..choices import RewardStatus
from ..models import Reward
from ..reward_forms import RewardFilterForm
from ..selectors import reward_list


class ReadsRewards(BasePermission):
    message = _("Only HQ staff and leaders read the rewards.")

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.is_active
                    and (user.is_superuser or user.role in (Role.HQ_STAFF, Role.LEADER)))


class RewardPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class RewardSerializer(serializers.ModelSerializer):
    code = serializers.CharField(source="report.code", read_only=True)
    reporter_name = serializers.CharField(source="report.reporter_name", read_only=True)
    reporter_mobile = serializers.SerializerMethodField()
    public_category = serializers.SlugRelatedField(source="report.public_category", slug_field="code",
                                                   read_only=True, allow_null=True)
    problem = serializers.SlugRelatedField(source="report.problem", slug_field="code", read_only=True,
                                           allow_null=True)
    # null until the reward is approved (declined) or paid.
    decided_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    paid_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = Reward
        fields = ["id", "report", "code", "reporter_name", "reporter_mobile", "public_category", "problem",
                  "amount", "month", "status", "note", "created_at", "decided_by", "decided_at", "paid_by",
                  "paid_at", "payment_reference"]

    def get_reporter_mobile(self, reward) -> str:
        """In full for HQ staff, masked (138****8000) for leaders."""
        return mobile_shown(reward.report.reporter_mobile, full=services.reward_hq(self.context["request"].user))


class DeclineSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000, help_text=_("Why the reward is declined."))


class PaySerializer(serializers.Serializer):
    payment_reference = serializers.CharField(max_length=100, help_text=_("The finance office's reference."))


@contextmanager
def reward_errors() -> Iterator[None]:
    try:
        yield
    except services.PublicReportConflict as error:
        raise ConflictError(str(error)) from error
    except services.PublicReportForbidden as error:
        raise ForbiddenError(str(error)) from error
    except services.PublicReportError as error:
        raise InvalidError(str(error)) from error


REFUSALS = {
    400: OpenApiResponse(ErrorSerializer, description=_("Incomplete or wrong input.")),
    403: OpenApiResponse(ErrorSerializer, description=_("Only HQ staff approve, decline and pay rewards.")),
    404: OpenApiResponse(ErrorSerializer, description=_("No such reward that you may see.")),
    409: OpenApiResponse(ErrorSerializer, description=_("The reward is not in the state this action needs.")),
}
FILTERS = [
    # The form's rule stated (reward_forms.MonthField): year-month from 2000, or empty for every month.
    OpenApiParameter("month", OpenApiTypes.STR, pattern=r"^((20[0-9]{2}|[2-9][0-9]{3})-(0[1-9]|1[0-2]))?$",
                     description=_("The month rewards count in, as 2026-12.")),
    OpenApiParameter("status", OpenApiTypes.STR, enum=RewardStatus.values, description=_("The reward's status.")),
]


def _action_schema(request, summary, description):
    return extend_schema(summary=summary, description=description, request=request,
                         responses={200: RewardSerializer, **REFUSALS}, tags=["rewards"])


@extend_schema_view(
    list=extend_schema(summary=_("The reward ledger"), parameters=FILTERS, tags=["rewards"], description=_(
        "Rewards for public reports, newest month first, filtered by month and status.")),
    retrieve=extend_schema(summary=_("One reward"), tags=["rewards"],
                           responses={200: RewardSerializer, 404: REFUSALS[404]}),
)
class RewardViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [ReadsRewards]
    serializer_class = RewardSerializer
    pagination_class = RewardPagination
    lookup_value_regex = r"\d+"
    queryset = Reward.objects.all()  # the model, for the schema; get_queryset scopes it

    def get_queryset(self):
        if self.action != "list":
            return reward_list(self.request.user)
        form = RewardFilterForm(self.request.query_params)
        if not form.is_valid():
            raise ValidationError({name: [str(e) for e in errors] for name, errors in form.errors.items()})
        return reward_list(self.request.user, month=form.cleaned_data["month"], status=form.cleaned_data["status"])

    def _acting(self) -> Reward:
        reward = self.get_object()
        if not services.reward_hq(self.request.user):
            raise ForbiddenError(_("Only HQ staff approve, decline and pay rewards."))
        return reward

    def _input(self, serializer_class) -> dict:
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def _answer(self, reward: Reward) -> Response:
        return Response(self.get_serializer(reward_list(self.request.user).get(pk=reward.pk)).data)

    @_action_schema(None, _("Approve a pending reward"), _("The reward can then be paid."))
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        reward = self._acting()
        with reward_errors():
            services.reward_approve(reward=reward, by=request.user)
        return self._answer(reward)

    @_action_schema(DeclineSerializer, _("Decline a pending reward"), _("With the reason, kept on the reward."))
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        reward = self._acting()
        data = self._input(DeclineSerializer)
        with reward_errors():
            services.reward_decline(reward=reward, by=request.user, note=data["note"])
        return self._answer(reward)

    @_action_schema(PaySerializer, _("Record the payment of an approved reward"),
                    _("With the finance office's payment reference."))
    @action(detail=True, methods=["post"])
    def pay(self, request, pk=None):
        reward = self._acting()
        data = self._input(PaySerializer)
        with reward_errors():
            services.reward_pay(reward=reward, by=request.user, payment_reference=data["payment_reference"])
        return self._answer(reward)


router = SimpleRouter()
router.register("rewards", RewardViewSet, basename="reward")
urlpatterns = [path("", include(router.urls))]
