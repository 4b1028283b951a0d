"""REST API of the model sites and the sample points' build-out. Everything loads through
``visible_to(request.user)`` (out of scope: 404); changes go through
programme/services/sites.py, whose refusals answer 400 naming each field or 403.

- ``/api/model-sites/``: list (district, category, status), one, mark (HQ; multipart with
  repeated ``photos`` parts), ``withdraw`` (HQ, a reason), ``photos`` (HQ, add photos).
- ``/api/sample-point-buildouts/``: the points the user may see with their construction state
  (district, category, state, overdue), one point with its history, ``transition`` and
  ``plan``; ``figures``: the counts per district and category."""

from contextlib import contextmanager

from django.shortcuts import get_object_or_404
from django.urls import include, path, reverse
from django.utils import timezone
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from campaign.api.parsers import FormParser, MultiPartParser
from campaign.models import Category, District, SamplePoint
from campaign.photos import PhotoError, photo_store
from config.api import FilterBackend, PageNumberPagination
from ledger.api.errors import ForbiddenError
from ledger.api.serializers import PhotoListField

from ..filters.sites import BuildoutFilterSet, ModelSiteFilterSet
from ..models import BuildoutEvent, BuildoutState, ModelSite, ModelSiteEvent, ModelSitePhoto
from ..models.sites import may_see_sites
from ..selectors import sites as selectors
from ..services import sites as services


class SitesPermission(BasePermission):
    def has_permission(self, request, view) -> bool:
        return may_see_sites(request.user)


@contextmanager
def site_errors():
    try:
        yield
    except services.SiteInvalid as refused:
        raise ValidationError({name: [message] for name, message in refused.errors.items()}) from refused
    except services.SiteForbidden as refused:
        raise ForbiddenError(str(refused)) from refused
    except PhotoError as refused:
        raise ValidationError({"photos": [str(refused)]}) from refused


# --- Model sites ----------------------------------------------------------------------------


class ModelSitePhotoSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()

    class Meta:
        model = ModelSitePhoto
        fields = ["id", "url", "thumbnail_url", "width", "height", "uploaded_at"]

    def get_url(self, photo) -> str:
        return reverse("programme:model_site_photo", args=[photo.pk])

    def get_thumbnail_url(self, photo) -> str:
        return reverse("programme:model_site_photo_thumb", args=[photo.pk])


class ModelSiteEventSerializer(serializers.ModelSerializer):
    by = serializers.StringRelatedField()

    class Meta:
        model = ModelSiteEvent
        fields = ["action", "at", "by", "from_status", "to_status", "reason"]


class ModelSiteSerializer(serializers.ModelSerializer):
    code = serializers.CharField(source="sample_point.code", read_only=True)
    name = serializers.CharField(source="sample_point.name", read_only=True)
    district = serializers.PrimaryKeyRelatedField(source="sample_point.district", read_only=True)
    category = serializers.PrimaryKeyRelatedField(source="sample_point.category", read_only=True)
    latest_score = serializers.DecimalField(max_digits=5, decimal_places=1, read_only=True, allow_null=True)
    photos = ModelSitePhotoSerializer(many=True, read_only=True)
    events = ModelSiteEventSerializer(many=True, read_only=True)

    class Meta:
        model = ModelSite
        fields = ["id", "sample_point", "code", "name", "district", "category", "status", "reason", "marked_at",
                  "status_changed_at", "status_reason", "latest_score", "photos", "events"]
        read_only_fields = fields


class ModelSiteMarkSerializer(serializers.Serializer):
    sample_point = serializers.PrimaryKeyRelatedField(queryset=SamplePoint.objects.none())
    reason = serializers.CharField(max_length=2000)
    photos = PhotoListField(help_text="Photos of the site (repeated photos parts); at least one for a new model.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["sample_point"].queryset = SamplePoint.objects.visible_to(request.user)


class WithdrawReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class PhotosSerializer(serializers.Serializer):
    photos = PhotoListField(help_text="Photos (repeated photos parts).")


def _stored(files, point_id: int):
    return [photo_store(f, folder=services.model_site_photo_folder(point_id)) for f in files or []]


@extend_schema_view(
    list=extend_schema(summary="Model sites the user may see (HQ: every status; others: in good standing)"),
    retrieve=extend_schema(summary="One model site with its photos and history"),
    create=extend_schema(summary="Mark a sample point as a model site (HQ)",
                         request={"multipart/form-data": ModelSiteMarkSerializer},
                         responses={201: ModelSiteSerializer, 400: OpenApiResponse(description="Refused, by field"),
                                    403: OpenApiResponse(description="HQ only")}),
)
class ModelSiteViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                       viewsets.GenericViewSet):
    lookup_value_regex = r"\d+"  # a path id that is not a number is a 404, never a 500
    permission_classes = [SitesPermission]
    serializer_class = ModelSiteSerializer
    pagination_class = PageNumberPagination
    filter_backends = [FilterBackend]
    filterset_class = ModelSiteFilterSet
    queryset = ModelSite.objects.none()  # (its model, for the schema; rows: get_queryset)

    def get_queryset(self):
        return selectors.model_site_rows(self.request.user).prefetch_related("photos", "events__by")

    def _answer(self, pk, code=status.HTTP_200_OK):
        return Response(ModelSiteSerializer(self.get_queryset().get(pk=pk)).data, status=code)

    def create(self, request, *args, **kwargs):
        data = ModelSiteMarkSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        values = data.validated_data
        point = values["sample_point"]
        with site_errors():
            site = services.model_site_mark(sample_point=point, reason=values["reason"],
                                            photos=_stored(values.get("photos"), point.pk), by=request.user)
        return self._answer(site.pk, status.HTTP_201_CREATED)

    @extend_schema(summary="Withdraw the mark (HQ), saying why", request=WithdrawReasonSerializer,
                   responses={200: ModelSiteSerializer, 400: OpenApiResponse(description="No reason, or withdrawn"),
                              403: OpenApiResponse(description="HQ only")})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        site = get_object_or_404(self.get_queryset(), pk=pk)
        data = WithdrawReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with site_errors():
            services.model_site_withdraw(site=site, reason=data.validated_data["reason"], by=request.user)
        return self._answer(site.pk)

    @extend_schema(summary="Add photos to a model site (HQ)", request={"multipart/form-data": PhotosSerializer},
                   responses={200: ModelSiteSerializer, 400: OpenApiResponse(description="No photo, or not a photo"),
                              403: OpenApiResponse(description="HQ only")})
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def photos(self, request, pk=None):
        site = get_object_or_404(self.get_queryset(), pk=pk)
        data = PhotosSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with site_errors():
            services.model_site_add_photos(site=site, photos=_stored(data.validated_data.get("photos"),
                                                                     site.sample_point_id), by=request.user)
        return self._answer(site.pk)


# --- The build-out --------------------------------------------------------------------------


class BuildoutEventSerializer(serializers.ModelSerializer):
    by = serializers.StringRelatedField()

    class Meta:
        model = BuildoutEvent
        fields = ["at", "by", "from_state", "to_state", "on", "reason", "changes"]


class BuildoutPointSerializer(serializers.ModelSerializer):
    sample_point = serializers.IntegerField(source="pk", read_only=True)
    district = serializers.PrimaryKeyRelatedField(read_only=True)
    category = serializers.PrimaryKeyRelatedField(read_only=True)
    state = serializers.SerializerMethodField()
    planned_completion = serializers.SerializerMethodField()
    planned_on = serializers.SerializerMethodField()
    building_on = serializers.SerializerMethodField()
    ready_on = serializers.SerializerMethodField()
    checked_on = serializers.SerializerMethodField()
    overdue = serializers.SerializerMethodField()
    allowed_moves = serializers.SerializerMethodField()

    class Meta:
        model = SamplePoint
        fields = ["sample_point", "code", "name", "district", "category", "responsible_unit", "state",
                  "planned_completion", "planned_on", "building_on", "ready_on", "checked_on", "overdue",
                  "allowed_moves"]
        read_only_fields = fields

    def _b(self, point, name):
        buildout = selectors.buildout_of(point)
        return getattr(buildout, name) if buildout else None

    def get_state(self, point) -> str:
        return selectors.point_state(point)

    def get_planned_completion(self, point) -> str | None:
        value = self._b(point, "planned_completion")
        return value.isoformat() if value else None

    def get_planned_on(self, point) -> str | None:
        value = self._b(point, "planned_on")
        return value.isoformat() if value else None

    def get_building_on(self, point) -> str | None:
        value = self._b(point, "building_on")
        return value.isoformat() if value else None

    def get_ready_on(self, point) -> str | None:
        value = self._b(point, "ready_on")
        return value.isoformat() if value else None

    def get_checked_on(self, point) -> str | None:
        value = self._b(point, "checked_on")
        return value.isoformat() if value else None

    def get_overdue(self, point) -> bool:
        buildout = selectors.buildout_of(point)
        return bool(buildout and buildout.is_overdue(timezone.localdate()))

    def get_allowed_moves(self, point) -> list[str]:
        request = self.context.get("request")
        if request is None:
            return []
        return [str(s) for s in services.allowed_moves(request.user, point, selectors.point_state(point))]


class BuildoutPointDetailSerializer(BuildoutPointSerializer):
    events = serializers.SerializerMethodField()

    class Meta(BuildoutPointSerializer.Meta):
        fields = [*BuildoutPointSerializer.Meta.fields, "events"]
        read_only_fields = fields

    @extend_schema_field(BuildoutEventSerializer(many=True))
    def get_events(self, point):
        buildout = selectors.buildout_of(point)
        if buildout is None:
            return []
        return BuildoutEventSerializer(buildout.events.select_related("by"), many=True).data


class TransitionSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=BuildoutState.choices)
    on = serializers.DateField(required=False, allow_null=True, default=None,
                               help_text="The date the state was reached (today when not given).")
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class PlanSerializer(serializers.Serializer):
    planned_completion = serializers.DateField()
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class BuildoutFiguresLineSerializer(serializers.Serializer):
    district = serializers.CharField()
    category = serializers.CharField()
    total = serializers.IntegerField()
    planned = serializers.IntegerField()
    building = serializers.IntegerField()
    ready = serializers.IntegerField()
    checked = serializers.IntegerField()
    unplanned = serializers.IntegerField()
    overdue = serializers.IntegerField()
    ready_percent = serializers.FloatField()
    checked_percent = serializers.FloatField()


class BuildoutFiguresSerializer(serializers.Serializer):
    lines = BuildoutFiguresLineSerializer(many=True)
    total = BuildoutFiguresLineSerializer()


@extend_schema_view(
    list=extend_schema(summary="The sample points the user may see with their construction state"),
    retrieve=extend_schema(summary="One sample point's build-out with its history"),
)
class BuildoutViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [SitesPermission]
    pagination_class = PageNumberPagination
    filter_backends = [FilterBackend]
    filterset_class = BuildoutFilterSet
    queryset = SamplePoint.objects.none()  # (its model, for the schema; rows: get_queryset)
    lookup_value_regex = "[0-9]+"

    def get_queryset(self):
        return selectors.buildout_points(self.request.user)

    def get_object(self):
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])

    def get_serializer_class(self):
        return BuildoutPointDetailSerializer if self.action == "retrieve" else BuildoutPointSerializer

    def _answer(self, point):
        fresh = self.get_queryset().get(pk=point.pk)
        return Response(BuildoutPointDetailSerializer(fresh, context={"request": self.request}).data)

    @extend_schema(summary="Move a point's build-out to a new state", request=TransitionSerializer,
                   responses={200: BuildoutPointDetailSerializer,
                              400: OpenApiResponse(description="A move that is not allowed, or a wrong date"),
                              403: OpenApiResponse(description="Not for this user (e.g. a unit marking checked)")})
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        point = self.get_object()
        data = TransitionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        with site_errors():
            services.buildout_transition(sample_point=point, to_state=values["state"], on=values["on"],
                                         reason=values["reason"], by=request.user)
        return self._answer(point)

    @extend_schema(summary="Set or change a point's planned completion date", request=PlanSerializer,
                   responses={200: BuildoutPointDetailSerializer,
                              400: OpenApiResponse(description="A change without a reason"),
                              403: OpenApiResponse(description="HQ or the responsible unit only")})
    @action(detail=True, methods=["post"])
    def plan(self, request, pk=None):
        point = self.get_object()
        data = PlanSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with site_errors():
            services.buildout_plan(sample_point=point, by=request.user, **data.validated_data)
        return self._answer(point)

    @extend_schema(summary="Build-out figures per district and category", responses={200: BuildoutFiguresSerializer},
                   parameters=[OpenApiParameter("district", int), OpenApiParameter("category", int)],
                   filters=False)
    @action(detail=False, methods=["get"], filter_backends=[], pagination_class=None)
    def figures(self, request):
        filters = {}
        for name, model in (("district", District), ("category", Category)):
            value = request.query_params.get(name)
            if value is None:
                continue
            if not value.isdigit():
                raise ValidationError({name: ["A valid integer is required."]})
            queryset = District.objects.visible_to(request.user) if model is District else Category.objects.all()
            found = queryset.filter(pk=int(value)).first()
            if found is None:
                raise ValidationError({name: ["Select a valid choice."]})
            filters[name] = found
        lines, total = selectors.buildout_figures(request.user, **filters)
        return Response({"lines": [line.as_dict() for line in lines], "total": total.as_dict()})


router = SimpleRouter()
router.register("model-sites", ModelSiteViewSet, basename="model-site")
router.register("sample-point-buildouts", BuildoutViewSet, basename="sample-point-buildout")

urlpatterns = [path("", include(router.urls))]
