"""REST API of the special actions: actions (with their progress), their objects (with the
objects list's filters) and the steps, through the same services as the pages.

Everything is read through ``visible_to(request.user)`` (out of scope: 404). A step answers
``{"detail": message}`` with 409 (illegal in the object's state, or a stale version), 403 (not
yours to take) or 400 (bad input, a rejected photo). Photos come as repeated ``photos`` parts
of a multipart/form-data body.
"""

from django.core.files.storage import default_storage
from django.db.models import Prefetch
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action as route
from rest_framework.exceptions import APIException, NotFound, ValidationError
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from campaign.api.parsers import FormParser, JSONParser, MultiPartParser
from campaign.api.serializers import VisibleRelatedField
from campaign.choices import ImportStatus, Role
from campaign.importing.reading import upload_too_large
from campaign.models import SamplePoint, Team, Unit
from campaign.photos import PhotoError, photo_store
from config.api import FilterBackend
from ledger.api.serializers import ErrorSerializer, PhotoListField

from ..choices import TargetStep
from ..models import ActionImport, ActionTarget, SpecialAction, TargetEvent
from ..selectors.actions import (
    ActionTargetFilterSet,
    action_figures,
    actions_with_progress,
    targets_visible,
)
from ..services import actions as services


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("The object changed meanwhile or cannot take this step now.")
    default_code = "conflict"


class Forbidden(APIException):
    status_code = status.HTTP_403_FORBIDDEN
    default_detail = _("You may not do this.")
    default_code = "permission_denied"


class Invalid(APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = _("The request is incomplete or wrong.")
    default_code = "invalid"


def _refused(error: Exception) -> APIException:
    if isinstance(error, services.ActionConflict):
        return Conflict(str(error))
    if isinstance(error, services.ActionForbidden):
        return Forbidden(str(error))
    return Invalid(str(error))


class StaffOnly(BasePermission):
    """Signed-in, active staff (not the public); creating is HQ's (the service checks too)."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated and user.is_active):
            return False
        if not user.is_superuser and user.role == Role.PUBLIC:
            return False
        if getattr(view, "action", None) in ("create", "load", "pick"):
            return services.may_manage_actions(user)
        return True


# --- Serializers -----------------------------------------------------------------------------------


class ActionProgressSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    started = serializers.IntegerField()
    done = serializers.IntegerField()
    verified = serializers.IntegerField()
    overdue = serializers.IntegerField()
    label = serializers.CharField(required=False)
    key = serializers.IntegerField(required=False, allow_null=True)


class ActionSerializer(serializers.ModelSerializer):
    team_name = serializers.CharField(source="team.name", read_only=True)

    class Meta:
        model = SpecialAction
        fields = ["id", "name", "name_en", "team", "team_name", "units", "starts_on", "ends_on", "description",
                  "created_at"]
        read_only_fields = fields


class ActionWithProgressSerializer(serializers.Serializer):
    """An action and the progress of the objects the reader may see."""

    action = ActionSerializer()
    progress = ActionProgressSerializer()


class FiguresSerializer(serializers.Serializer):
    total = ActionProgressSerializer()
    districts = ActionProgressSerializer(many=True)
    units = ActionProgressSerializer(many=True)


class ActionDetailSerializer(serializers.Serializer):
    action = ActionSerializer()
    figures = FiguresSerializer()


class ActionCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    name_en = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    team = VisibleRelatedField(queryset=Team.objects.all())
    units = VisibleRelatedField(queryset=Unit.objects.all(), many=True, required=False)
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    description = serializers.CharField(required=False, allow_blank=True, default="")


class PickSerializer(serializers.Serializer):
    sample_point = VisibleRelatedField(queryset=SamplePoint.objects.all())
    target_state = serializers.CharField(max_length=2000)
    unit = VisibleRelatedField(queryset=Unit.objects.all(), required=False, allow_null=True, default=None,
                               help_text=_("Empty: the sample point's unit."))
    deadline = serializers.DateField(required=False, allow_null=True, default=None,
                                     help_text=_("Empty: the action's end."))


class LoadSerializer(serializers.Serializer):
    file = serializers.FileField(allow_empty_file=True, help_text=_("An .xlsx workbook or a .csv file."))
    dry_run = serializers.BooleanField(required=False, default=False, help_text=_(
        "Only check the file: answer its errors and what would be added; write nothing."))

    def validate_file(self, upload):
        refusal = upload_too_large(upload.size)
        if refusal:
            raise serializers.ValidationError(refusal)
        return upload


class ActionLoadIssueSerializer(serializers.Serializer):
    row = serializers.IntegerField(allow_null=True)
    column = serializers.CharField()
    value = serializers.CharField()
    message = serializers.CharField()


class LoadResultSerializer(serializers.ModelSerializer):
    errors = ActionLoadIssueSerializer(many=True)

    class Meta:
        model = ActionImport
        fields = ["id", "action", "file_name", "status", "total_rows", "created_count", "errors"]
        read_only_fields = fields


class ActionObjectPhotoSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()

    def get_url(self, photo) -> str:
        return self.context["request"].build_absolute_uri(f"/programme/actions/photos/{photo.pk}/")

    def get_thumbnail_url(self, photo) -> str:
        return self.context["request"].build_absolute_uri(f"/programme/actions/photos/{photo.pk}/thumbnail/")


class ActionObjectEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.__str__", read_only=True)
    photos = ActionObjectPhotoSerializer(many=True, read_only=True)

    class Meta:
        model = TargetEvent
        fields = ["seq", "step", "from_status", "to_status", "actor", "at", "note", "photos"]
        read_only_fields = fields


class TargetSerializer(serializers.ModelSerializer):
    action_name = serializers.CharField(source="action.name", read_only=True)
    district_name = serializers.CharField(source="district.name", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = ActionTarget
        fields = ["id", "action", "action_name", "name", "district", "district_name", "address", "sample_point",
                  "target_state", "unit", "unit_name", "deadline", "status", "overdue", "version", "done_at",
                  "verified_at"]
        read_only_fields = fields


class TargetDetailSerializer(TargetSerializer):
    events = ActionObjectEventSerializer(many=True, read_only=True)
    steps_open = serializers.SerializerMethodField()

    class Meta(TargetSerializer.Meta):
        fields = [*TargetSerializer.Meta.fields, "events", "steps_open"]
        read_only_fields = fields

    def get_steps_open(self, target) -> list[str]:
        return services.steps_open(target, self.context["request"].user)


class StepSerializer(serializers.Serializer):
    step = serializers.ChoiceField(choices=[c for c in TargetStep.choices if c[0] != TargetStep.ADD])
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    version = serializers.IntegerField(min_value=1, help_text=_(
        "The version of the object you saw (required); a stale version is refused with 409."))
    photos = PhotoListField(help_text=_("Photos (multipart only): before-photos to start, after-photos to mark "
                                        "done (at least one each)."))


REFUSALS = {
    400: OpenApiResponse(ErrorSerializer, description=_("Incomplete or wrong input, or a rejected photo.")),
    403: OpenApiResponse(ErrorSerializer, description=_("Your role may not take this step on this object.")),
    404: OpenApiResponse(ErrorSerializer, description=_("No such object that you may see.")),
    409: OpenApiResponse(ErrorSerializer, description=_(
        "The object cannot take this step in its state, or it changed since the version you sent.")),
}


# --- Views -----------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary=_("Special actions with their progress"), tags=["programme"],
                       responses={200: ActionWithProgressSerializer(many=True)}),
    retrieve=extend_schema(summary=_("A special action with its figures per district and unit"), tags=["programme"],
                           responses={200: ActionDetailSerializer, 404: REFUSALS[404]}),
    create=extend_schema(summary=_("Create a special action (HQ staff)"), tags=["programme"],
                         request=ActionCreateSerializer,
                         responses={201: ActionSerializer, 400: REFUSALS[400], 403: REFUSALS[403]}),
)
class SpecialActionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    queryset = SpecialAction.objects.none()  # the model, for the schema; rows by get_queryset
    permission_classes = [StaffOnly]
    serializer_class = ActionSerializer
    pagination_class = None
    lookup_value_regex = r"\d+"
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        return SpecialAction.objects.visible_to(self.request.user).select_related("team").prefetch_related("units")

    def list(self, request, *args, **kwargs):
        rows = [{"action": action, "progress": progress} for action, progress in actions_with_progress(request.user)]
        return Response(ActionWithProgressSerializer(rows, many=True, context=self.get_serializer_context()).data)

    def retrieve(self, request, *args, **kwargs):
        action = self.get_object()
        data = {"action": action, "figures": action_figures(action, request.user)}
        return Response(ActionDetailSerializer(data, context=self.get_serializer_context()).data)

    def create(self, request, *args, **kwargs):
        serializer = ActionCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        try:
            action = services.action_create(by=request.user, **serializer.validated_data)
        except services.ActionError as error:
            raise _refused(error) from error
        return Response(ActionSerializer(action).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary=_("Add a sample point to the action's objects (HQ staff)"), tags=["programme"],
        request=PickSerializer, responses={201: TargetSerializer, 400: REFUSALS[400], 403: REFUSALS[403],
                                           404: REFUSALS[404]},
    )
    @route(detail=True, methods=["post"])
    def pick(self, request, pk=None):
        action = self.get_object()
        serializer = PickSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        try:
            target = services.action_target_pick(by=request.user, action=action, **serializer.validated_data)
        except services.ActionError as error:
            raise _refused(error) from error
        return Response(TargetSerializer(target).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary=_("Load objects from Excel (HQ staff)"), tags=["programme"],
        description=_("multipart/form-data with ``file``. Every bad row is an error by row and column and nothing is "
                      "written; dry_run=1 only checks. Without dry_run a file without errors is written at once, "
                      "all or nothing."),
        request={"multipart/form-data": LoadSerializer},
        responses={200: LoadResultSerializer, 201: LoadResultSerializer, 400: LoadResultSerializer,
                   403: REFUSALS[403], 404: REFUSALS[404]},
    )
    @route(detail=True, methods=["post"], url_path="load", parser_classes=[MultiPartParser, FormParser])
    def load(self, request, pk=None):
        action = self.get_object()
        serializer = LoadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data["file"]
        try:
            record, plan = services.action_import_preview(by=request.user, action=action, file_name=upload.name,
                                                          data=upload.read())
            if plan.ok and not serializer.validated_data["dry_run"]:
                record = services.action_import_confirm(by=request.user, record=record)
        except services.ActionError as error:
            raise _refused(error) from error
        if record.errors:
            answer = status.HTTP_400_BAD_REQUEST
        else:
            answer = status.HTTP_201_CREATED if record.status == ImportStatus.DONE else status.HTTP_200_OK
        return Response(LoadResultSerializer(record).data, status=answer)


@extend_schema_view(
    list=extend_schema(summary=_("Objects of the special actions"), tags=["programme"], description=_(
        "The objects you may see, with the objects list's filters (action, status incl. 'open', overdue, district, "
        "unit, q).")),
    retrieve=extend_schema(summary=_("One object with its steps"), tags=["programme"],
                           responses={200: TargetDetailSerializer, 404: REFUSALS[404]}),
)
class ActionTargetViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    queryset = ActionTarget.objects.none()  # the model, for the schema; rows by get_queryset
    permission_classes = [StaffOnly]
    filter_backends = [FilterBackend]
    filterset_class = ActionTargetFilterSet
    lookup_value_regex = r"\d+"
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        queryset = targets_visible(self.request.user)
        if self.action == "retrieve":
            return queryset.prefetch_related(Prefetch("events", queryset=TargetEvent.objects.select_related("actor")
                                                      .prefetch_related("photos").order_by("seq")))
        if self.action == "list":
            return queryset.order_by("deadline", "id")
        return queryset

    def filter_queryset(self, queryset):
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def get_serializer_class(self):
        return TargetDetailSerializer if self.action == "retrieve" else TargetSerializer

    @extend_schema(
        summary=_("Take a step on an object"), tags=["programme"], description=_(
            "start (with before-photos), then finish (with after-photos): the object's unit or HQ; verify and "
            "send_back (with a reason): HQ or the lead team's lead, never who marked it done nor for their own or "
            "the lead unit's objects."),
        request={"multipart/form-data": StepSerializer, "application/json": StepSerializer},
        responses={200: TargetDetailSerializer, **REFUSALS},
    )
    @route(detail=True, methods=["post"])
    def step(self, request, pk=None):
        target = self.get_object()
        serializer = StepSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        stored = []
        try:
            for upload in data.get("photos") or ():
                stored.append(photo_store(upload, folder=f"programme/actions/{target.pk}"))
            services.target_step(target=target, step=data["step"], by=request.user, note=data["note"],
                                 photos=stored, expected_version=data["version"])
        except (PhotoError, services.ActionError) as error:
            for photo in stored:
                default_storage.delete(photo.image_name)
                default_storage.delete(photo.thumbnail_name)
            if isinstance(error, PhotoError):
                raise ValidationError({"photos": [str(error)]}) from error
            raise _refused(error) from error
        try:
            answer = targets_visible(request.user).prefetch_related("events__actor", "events__photos").get(pk=target.pk)
        except ActionTarget.DoesNotExist:
            raise NotFound from None
        return Response(TargetDetailSerializer(answer, context=self.get_serializer_context()).data)


router = SimpleRouter()
router.register("actions", SpecialActionViewSet, basename="specialaction")
router.register("action-objects", ActionTargetViewSet, basename="actiontarget")

routes = [path("", include(router.urls))]
