"""REST API of pairing: communities (read, filters), pairs with their progress, their tasks and
visits. Everything loads through ``visible_to(request.user)`` (out of scope: 404); changes go
through programme/services/pairing.py: a refusal answers 400 naming the field, 403 (not allowed
for this role), or 409 (the task or pair changed meanwhile)."""

from contextlib import contextmanager

from django.shortcuts import get_object_or_404
from django.urls import include, path, reverse
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import filters, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from campaign.models import Community, Unit
from campaign.photos import PhotoError, photo_store
from config.api import FilterBackend, PageNumberPagination
from ledger.api.errors import ConflictError, ForbiddenError

from ..choices import PairTaskKind
from ..filters.pairing import (
    CommunityFilterSet,
    PairFilterSet,
    PairTaskFilterSet,
    PairVisitFilterSet,
)
from ..models import Pair, PairPhoto, PairTask, PairVisit
from ..models.pairing import may_see_pairing
from ..selectors.pairing import pairs_for
from ..services import pairing as services


class PairingPermission(BasePermission):
    """Signed-in staff with pairing at all; what each may see is the querysets' business."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.is_active and may_see_pairing(user))


@contextmanager
def pairing_errors():
    try:
        yield
    except services.PairingInvalid as refused:
        raise ValidationError({name: [message] for name, message in refused.errors.items()}) from refused
    except services.PairingForbidden as refused:
        raise ForbiddenError(str(refused)) from refused
    except services.PairingStale as refused:
        raise ConflictError(str(refused)) from refused
    except PhotoError as refused:
        raise ValidationError({"photos": [str(refused)]}) from refused


class CommunitySerializer(serializers.ModelSerializer):
    label = serializers.CharField(source="name", read_only=True)
    district_label = serializers.CharField(source="district.label", read_only=True)

    class Meta:
        model = Community
        fields = ["id", "code", "name", "label", "district", "district_label", "street_office"]
        read_only_fields = fields


class PairPhotoSerializer(serializers.ModelSerializer):
    # The scoped photo views' addresses: the files are not under a public /media/ address.
    image = serializers.SerializerMethodField()
    thumbnail = serializers.SerializerMethodField()

    class Meta:
        model = PairPhoto
        fields = ["id", "image", "thumbnail", "width", "height", "uploaded_at"]
        read_only_fields = fields

    def get_image(self, photo) -> str:
        return reverse("programme:pair_photo", args=[photo.pk])

    def get_thumbnail(self, photo) -> str:
        return reverse("programme:pair_photo_thumb", args=[photo.pk])


class PairSerializer(serializers.ModelSerializer):
    unit_label = serializers.CharField(source="unit.label", read_only=True)
    community_label = serializers.CharField(source="community.name", read_only=True)
    district = serializers.IntegerField(source="community.district_id", read_only=True)
    tasks_total = serializers.IntegerField(read_only=True)
    tasks_done = serializers.IntegerField(read_only=True)
    tasks_overdue = serializers.IntegerField(read_only=True)
    visits_30 = serializers.IntegerField(read_only=True)
    visits_90 = serializers.IntegerField(read_only=True)
    percent = serializers.IntegerField(read_only=True)

    class Meta:
        model = Pair
        fields = ["id", "unit", "unit_label", "community", "community_label", "district", "starts_on", "ends_on",
                  "active", "note", "created_by", "created_at", "tasks_total", "tasks_done", "tasks_overdue",
                  "visits_30", "visits_90", "percent"]
        read_only_fields = fields


class PairInputSerializer(serializers.Serializer):
    unit = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.none())
    community = serializers.PrimaryKeyRelatedField(queryset=Community.objects.none())
    starts_on = serializers.DateField()
    ends_on = serializers.DateField(required=False, allow_null=True, default=None)
    note = serializers.CharField(required=False, allow_blank=True, default="")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["unit"].queryset = Unit.objects.visible_to(request.user)
            self.fields["community"].queryset = Community.objects.visible_to(request.user)


class PairEndSerializer(serializers.Serializer):
    ends_on = serializers.DateField()
    reason = serializers.CharField()


class PairTaskSerializer(serializers.ModelSerializer):
    photos = PairPhotoSerializer(many=True, read_only=True)

    class Meta:
        model = PairTask
        fields = ["id", "pair", "kind", "title", "description", "due_on", "status", "done_on", "evidence_note",
                  "done_by", "created_at", "photos"]
        read_only_fields = fields


class PairTaskInputSerializer(serializers.Serializer):
    pair = serializers.PrimaryKeyRelatedField(queryset=Pair.objects.none())
    title = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=PairTaskKind.choices, default=PairTaskKind.ACTIVITY)
    due_on = serializers.DateField()
    description = serializers.CharField(required=False, allow_blank=True, default="")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["pair"].queryset = Pair.objects.visible_to(request.user)


class TaskDoneSerializer(serializers.Serializer):
    done_on = serializers.DateField()
    note = serializers.CharField()
    photos = serializers.ListField(child=serializers.FileField(), required=False, default=list,
                                   max_length=services.MAX_PHOTOS)
    expected_status = serializers.CharField(required=False, allow_blank=True, default="")


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField()
    expected_status = serializers.CharField(required=False, allow_blank=True, default="")


class PairVisitSerializer(serializers.ModelSerializer):
    photos = PairPhotoSerializer(many=True, read_only=True)

    class Meta:
        model = PairVisit
        fields = ["id", "pair", "visited_on", "visitors", "work_done", "recorded_by", "recorded_at", "photos"]
        read_only_fields = fields


class PairVisitInputSerializer(serializers.Serializer):
    pair = serializers.PrimaryKeyRelatedField(queryset=Pair.objects.none())
    visited_on = serializers.DateField()
    visitors = serializers.CharField(max_length=300)
    work_done = serializers.CharField()
    photos = serializers.ListField(child=serializers.FileField(), required=False, default=list,
                                   max_length=services.MAX_PHOTOS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["pair"].queryset = Pair.objects.visible_to(request.user)


def _store(uploads, pair_id: int) -> list:
    return [photo_store(upload, folder=f"programme/pairing/{pair_id}") for upload in uploads]


class _Base(viewsets.GenericViewSet):
    lookup_value_regex = r"\d+"  # a path id that is not a number is a 404, never a 500
    permission_classes = [PairingPermission]
    pagination_class = PageNumberPagination
    filter_backends = [FilterBackend]


@extend_schema_view(list=extend_schema(summary="Communities the user may see (filters: district, street office)"),
                    retrieve=extend_schema(summary="One community"))
class CommunityViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, _Base):
    queryset = Community.objects.all()  # (the model; get_queryset narrows to the user's scope)
    serializer_class = CommunitySerializer
    filterset_class = CommunityFilterSet
    filter_backends = [FilterBackend, filters.SearchFilter]
    search_fields = ["name", "code", "street_office"]

    def get_queryset(self):
        return Community.objects.visible_to(self.request.user).select_related("district").order_by(
            "district__code", "street_office", "name", "id")


@extend_schema_view(
    list=extend_schema(summary="Pairs the user may see, with their progress"),
    retrieve=extend_schema(summary="One pair and its progress"),
    create=extend_schema(summary="Pair a unit with a community (HQ)", request=PairInputSerializer,
                         responses={201: PairSerializer, 400: OpenApiResponse(description="Refused, by field"),
                                    403: OpenApiResponse(description="HQ only")}),
)
class PairViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, _Base):
    queryset = Pair.objects.all()
    serializer_class = PairSerializer
    filterset_class = PairFilterSet

    def get_queryset(self):
        return pairs_for(self.request.user, today=timezone.localdate()).order_by(
            "community__district__code", "community__name", "unit__name", "id")

    def create(self, request, *args, **kwargs):
        data = PairInputSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        with pairing_errors():
            pair = services.pair_create(actor=request.user, **data.validated_data)
        return Response(PairSerializer(self.get_queryset().get(pk=pair.pk)).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="End a pair (HQ; a reason is required)", request=PairEndSerializer,
                   responses={200: PairSerializer, 400: OpenApiResponse(description="Refused, by field"),
                              403: OpenApiResponse(description="HQ only"),
                              409: OpenApiResponse(description="Already ended")})
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        pair = get_object_or_404(self.get_queryset(), pk=pk)
        data = PairEndSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with pairing_errors():
            services.pair_end(actor=request.user, pair=pair, **data.validated_data)
        return Response(PairSerializer(self.get_queryset().get(pk=pair.pk)).data)


@extend_schema_view(
    list=extend_schema(summary="Pair tasks the user may see"),
    retrieve=extend_schema(summary="One pair task"),
    create=extend_schema(summary="Give a pair a task (HQ)", request=PairTaskInputSerializer,
                         responses={201: PairTaskSerializer, 400: OpenApiResponse(description="Refused, by field"),
                                    403: OpenApiResponse(description="HQ only"),
                                    409: OpenApiResponse(description="The pair has ended")}),
)
class PairTaskViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, _Base):
    queryset = PairTask.objects.all()
    serializer_class = PairTaskSerializer
    filterset_class = PairTaskFilterSet

    def get_queryset(self):
        return PairTask.objects.visible_to(self.request.user).select_related("pair").prefetch_related(
            "photos").order_by("due_on", "id")

    def create(self, request, *args, **kwargs):
        data = PairTaskInputSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        with pairing_errors():
            task = services.pair_task_add(actor=request.user, **data.validated_data)
        return Response(PairTaskSerializer(task).data, status=status.HTTP_201_CREATED)

    def _answer(self, pk):
        return Response(PairTaskSerializer(self.get_queryset().get(pk=pk)).data)

    @extend_schema(summary="Record a planned task done, with evidence (the pair's unit or HQ)",
                   request={"multipart/form-data": TaskDoneSerializer, "application/json": TaskDoneSerializer},
                   responses={200: PairTaskSerializer, 400: OpenApiResponse(description="Refused, by field"),
                              403: OpenApiResponse(description="Not the pair's unit"),
                              409: OpenApiResponse(description="The task is not planned (any more)")})
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        task = get_object_or_404(self.get_queryset(), pk=pk)
        data = TaskDoneSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        if not services.works_for_pair(request.user, task.pair):
            raise ForbiddenError()
        with pairing_errors():
            photos = _store(values["photos"], task.pair_id)
            services.pair_task_complete(actor=request.user, task=task, done_on=values["done_on"], note=values["note"],
                                        photos=photos, expected_status=values["expected_status"] or None)
        return self._answer(task.pk)

    @extend_schema(summary="Cancel a planned task (HQ, with a reason)", request=ReasonSerializer,
                   responses={200: PairTaskSerializer, 403: OpenApiResponse(description="HQ only"),
                              409: OpenApiResponse(description="The task is not planned")})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self._reasoned(request, pk, services.pair_task_cancel)

    @extend_schema(summary="Send a done task back to planned (HQ, with a reason)", request=ReasonSerializer,
                   responses={200: PairTaskSerializer, 403: OpenApiResponse(description="HQ only"),
                              409: OpenApiResponse(description="The task is not done")})
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        return self._reasoned(request, pk, services.pair_task_reopen)

    def _reasoned(self, request, pk, service):
        task = get_object_or_404(self.get_queryset(), pk=pk)
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with pairing_errors():
            service(actor=request.user, task=task, reason=data.validated_data["reason"],
                    expected_status=data.validated_data["expected_status"] or None)
        return self._answer(task.pk)


@extend_schema_view(
    list=extend_schema(summary="Visits of the pairs the user may see"),
    retrieve=extend_schema(summary="One visit"),
    create=extend_schema(summary="Record a visit (the pair's unit or HQ)",
                         request={"multipart/form-data": PairVisitInputSerializer,
                                  "application/json": PairVisitInputSerializer},
                         responses={201: PairVisitSerializer, 400: OpenApiResponse(description="Refused, by field"),
                                    403: OpenApiResponse(description="Not the pair's unit"),
                                    409: OpenApiResponse(description="The pair has ended")}),
)
class PairVisitViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, _Base):
    queryset = PairVisit.objects.all()
    serializer_class = PairVisitSerializer
    filterset_class = PairVisitFilterSet

    def get_queryset(self):
        return PairVisit.objects.visible_to(self.request.user).prefetch_related("photos").order_by(
            "-visited_on", "-id")

    def create(self, request, *args, **kwargs):
        data = PairVisitInputSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        values = data.validated_data
        if not services.works_for_pair(request.user, values["pair"]):
            raise ForbiddenError()
        with pairing_errors():
            photos = _store(values.pop("photos"), values["pair"].pk)
            visit = services.pair_visit_record(actor=request.user, photos=photos, **values)
        return Response(PairVisitSerializer(visit).data, status=status.HTTP_201_CREATED)


router = SimpleRouter()
router.register("communities", CommunityViewSet, basename="community")
router.register("pairs", PairViewSet, basename="pair")
router.register("pair-tasks", PairTaskViewSet, basename="pair-task")
router.register("pair-visits", PairVisitViewSet, basename="pair-visit")

urlpatterns = [path("", include(router.urls))]
