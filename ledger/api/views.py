"""REST API of the problem ledger: problems, their workflow actions, and problem classes.

Everything is read through ``Problem.objects.visible_to(request.user)``: a problem the user may
not see is a 404 on detail and on every action, and absent from lists. A problem is changed
only by its actions, each of which calls exactly one service in ledger/services.py (the same
as the pages); PUT, PATCH and DELETE answer 405. A refused action answers
``{"detail": message}`` with 409 (illegal or stale move), 403 (not yours to take) or 400.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.core.files.storage import default_storage
from django.db.models import Prefetch
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import filters, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from campaign.api.parsers import FormParser, JSONParser, MultiPartParser
from campaign.choices import Role
from campaign.expressions import kept_values_with_related
from config.api import CursorPagination, FilterBackend
from ledger import class_services, services
from ledger.choices import Action
from ledger.class_suggest import suggest_classes
from ledger.filters import ProblemClassFilterSet, ProblemFilterSet
from ledger.models import Problem, ProblemClass, ProblemClassEvent, ProblemEvent
from ledger.photos import StoredPhoto, class_photo_store, photo_store
from ledger.rules import ROLES, role_of
from ledger.selectors import problem_classes_counted

from . import serializers as s
from .errors import ledger_errors


class LedgerPermission(BasePermission):
    """Signed-in, active members of staff (not the public) read what they may see.

    Creating is limited to the roles in ``view.create_roles``; what a user may do to one
    problem is decided by the service after the problem is loaded (404 when out of scope).
    """

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated and user.is_active):
            return False
        if not user.is_superuser and user.role == Role.PUBLIC:
            return False
        if getattr(view, "action", None) == "create":
            return role_of(user) in view.create_roles
        return True


@contextmanager
def stored_photos(files, *, problem_id: int = 0, class_id: int | None = None) -> Iterator[list[StoredPhoto]]:
    """Validate and store uploads before the service's transaction (no file I/O inside it);
    remove them again if anything in the block fails, so a refused action leaves no files."""
    stored: list[StoredPhoto] = []
    try:
        for upload in files or ():
            stored.append(photo_store(upload, problem_id=problem_id) if class_id is None
                          else class_photo_store(upload, class_id=class_id))
        yield stored
    except BaseException:
        for photo in stored:
            default_storage.delete(photo.image_name)
            default_storage.delete(photo.thumbnail_name)
        raise


class ProblemPagination(CursorPagination):
    """Keyset pagination on the ledger's index: no COUNT, constant cost on any page."""

    ordering = ("-found_at", "-id")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


REFUSALS = {
    400: OpenApiResponse(s.ErrorSerializer, description=_("Incomplete or wrong input, or a rejected photo.")),
    403: OpenApiResponse(s.ErrorSerializer, description=_("Your role may not take this action on this problem.")),
    404: OpenApiResponse(s.ErrorSerializer, description=_("No such problem that you may see.")),
    409: OpenApiResponse(
        s.ErrorSerializer,
        description=_("The problem cannot take this action in its state, or it changed since the version you sent."),
    ),
}


def _action_schema(request, summary, *, answer=200, description=""):
    return extend_schema(
        summary=summary, description=description, request=request,
        responses={answer: s.ProblemDetailSerializer, **REFUSALS}, tags=["ledger"],
    )


@extend_schema_view(
    list=extend_schema(summary=_("The ledger"), tags=["ledger"], description=_(
        "Problems you may see, newest found first, with the ledger's filters; cursor pagination "
        "(follow next/previous), no total count."
    )),
    retrieve=extend_schema(summary=_("One problem with its history"), tags=["ledger"],
                           responses={200: s.ProblemDetailSerializer, 404: REFUSALS[404]}),
    create=extend_schema(
        summary=_("Record a problem"), tags=["ledger"],
        description=_("HQ staff, district leads, team leads and inspectors record problems. Send "
                      "multipart/form-data to attach before-photos as repeated photos parts."),
        request={"application/json": s.ProblemCreateSerializer, "multipart/form-data": s.ProblemCreateSerializer},
        responses={201: s.ProblemDetailSerializer, 400: REFUSALS[400], 403: REFUSALS[403]},
    ),
)
class ProblemViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Problems of the ledger. Changes go through the actions only."""

    queryset = Problem.objects.all()
    permission_classes = [LedgerPermission]
    create_roles = ROLES[Action.RECORD]
    filter_backends = [FilterBackend]  # ProblemFilterSet scopes its own choices
    filterset_class = ProblemFilterSet
    pagination_class = ProblemPagination
    lookup_value_regex = r"\d+"
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    LIST_RELATED = ("category", "district", "sample_point", "responsible_unit", "team")

    def get_queryset(self):
        if self.action == "list":
            # The columns its rows show (s.LIST_VALUES) and no others, related names by subselects
            # (campaign.expressions.RelatedColumn, not a five-table join), the query built once.
            return kept_values_with_related(Problem, s.LIST_VALUES).visible_to(self.request.user)
        queryset = Problem.objects.visible_to(self.request.user)
        if self.action == "retrieve":
            return self._with_history(queryset)
        return queryset  # actions: loaded bare, then locked and checked by the service

    def list(self, request, *args, **kwargs):
        """ProblemListSerializer's rows, written from ``values()`` (s.problem_list_rows): the
        same answer without a model instance per row and its related names."""
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(s.problem_list_rows(page))

    def filter_queryset(self, queryset):
        # The ledger's filters narrow the list only; a problem's own URL always finds it.
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def get_serializer_class(self):
        if self.action == "list":
            return s.ProblemListSerializer
        if self.action == "create":
            return s.ProblemCreateSerializer
        return s.ProblemDetailSerializer

    def _with_history(self, queryset):
        return queryset.select_related(
            *self.LIST_RELATED, "found_by", "closing_applied_by", "problem_class", "rebound_of", "duplicate_of"
        ).prefetch_related(
            Prefetch("events", queryset=ProblemEvent.objects.select_related("actor").order_by("seq")),
            "photos",
        )

    def _answer(self, problem_id: int, *, answer: int = status.HTTP_200_OK) -> Response:
        problem = self._with_history(Problem.objects.visible_to(self.request.user)).get(pk=problem_id)
        return Response(s.ProblemDetailSerializer(problem, context=self.get_serializer_context()).data, status=answer)

    def _input(self, serializer_class) -> dict:
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def create(self, request, *args, **kwargs):
        data = self._input(s.ProblemCreateSerializer)
        files = data.pop("photos", [])
        # The problem has no id yet: its before-photos are stored under 0 and linked by the service.
        with ledger_errors(), stored_photos(files, problem_id=0) as photos:
            problem = services.problem_record(by=request.user, photos=photos, **data)
        return self._answer(problem.pk, answer=status.HTTP_201_CREATED)

    # --- The workflow --------------------------------------------------------------------------

    @_action_schema(s.AssignSerializer, _("Assign or reassign to a unit"), description=_(
        "A found problem is assigned (交办) to a unit with a deadline (default from its severity); "
        "an assigned or rectifying one is reassigned. HQ staff and the district's lead."
    ))
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        problem = self.get_object()
        data = self._input(s.AssignSerializer)
        with ledger_errors():
            services.problem_assign(problem=problem, unit=data["unit"], deadline=data.get("deadline"),
                                    note=data["note"], by=request.user, expected_version=data.get("version"))
        return self._answer(problem.pk)

    @_action_schema(s.AcknowledgeSerializer, _("Acknowledge: the unit starts rectifying"))
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        problem = self.get_object()
        data = self._input(s.AcknowledgeSerializer)
        with ledger_errors():
            services.problem_acknowledge(problem=problem, note=data["note"], by=request.user,
                                         expected_version=data.get("version"))
        return self._answer(problem.pk)

    @_action_schema({"multipart/form-data": s.ApplyCloseSerializer}, _("Apply to close (申请销号)"), description=_(
        "The responsible unit sends its rectification note and one or more after-photos "
        "(repeated photos parts of a multipart/form-data body)."
    ))
    @action(detail=True, methods=["post"], url_path="apply-close", parser_classes=[MultiPartParser, FormParser])
    def apply_close(self, request, pk=None):
        problem = self.get_object()
        data = self._input(s.ApplyCloseSerializer)
        with ledger_errors(), stored_photos(data.get("photos"), problem_id=problem.pk) as photos:
            services.problem_apply_close(problem=problem, note=data["note"], photos=photos, by=request.user,
                                         expected_version=data.get("version"))
        return self._answer(problem.pk)

    @_action_schema(s.VerifySerializer, _("Verify a closing application (对账销号)"), description=_(
        "Approve closes the problem; reject sends it back to rectification with the note as the "
        "reason. Never by the applicant; HQ staff, the district's lead or an inspector."
    ))
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        problem = self.get_object()
        data = self._input(s.VerifySerializer)
        with ledger_errors():
            services.problem_verify(problem=problem, approved=data["approved"], note=data["note"], by=request.user,
                                    expected_version=data.get("version"))
        return self._answer(problem.pk)

    @_action_schema(s.InvalidateSerializer, _("Mark invalid (not a problem, or a duplicate)"))
    @action(detail=True, methods=["post"])
    def invalidate(self, request, pk=None):
        problem = self.get_object()
        data = self._input(s.InvalidateSerializer)
        with ledger_errors():
            services.problem_invalidate(problem=problem, reason=data["reason"], duplicate_of=data.get("duplicate_of"),
                                        by=request.user, expected_version=data.get("version"))
        return self._answer(problem.pk)

    @_action_schema(
        {"application/json": s.ReboundSerializer, "multipart/form-data": s.ReboundSerializer},
        _("Record a rebound of a closed problem (反弹)"), answer=201, description=_(
            "Answers the NEW problem, linked to the closed one (which stays closed)."
        ),
    )
    @action(detail=True, methods=["post"])
    def rebound(self, request, pk=None):
        original = self.get_object()
        data = self._input(s.ReboundSerializer)
        with ledger_errors(), stored_photos(data.get("photos"), problem_id=0) as photos:
            problem = services.problem_record_rebound(original=original, description=data["description"],
                                                      photos=photos, by=request.user)
        return self._answer(problem.pk, answer=status.HTTP_201_CREATED)

    @_action_schema(s.ClassifySerializer, _("Put the problem in a problem class"))
    @action(detail=True, methods=["post"])
    def classify(self, request, pk=None):
        problem = self.get_object()
        data = self._input(s.ClassifySerializer)
        with ledger_errors():
            services.problem_classify(problem=problem, problem_class=data["problem_class"], by=request.user,
                                      expected_version=data.get("version"))
        return self._answer(problem.pk)


# --- Problem classes -----------------------------------------------------------------------------


def _class_action_schema(request, summary):
    return extend_schema(summary=summary, request=request,
                         responses={200: s.ProblemClassDetailSerializer, **REFUSALS}, tags=["ledger"])


@extend_schema_view(
    list=extend_schema(summary=_("Problem classes"), tags=["ledger"], description=_(
        "Every class, with how many of its problems you may see and how many of those are open."
    )),
    retrieve=extend_schema(summary=_("A problem class with its problems"), tags=["ledger"],
                           responses={200: s.ProblemClassDetailSerializer, 404: REFUSALS[404]}),
    create=extend_schema(summary=_("Open a problem class"), tags=["ledger"],
                         responses={201: s.ProblemClassSerializer, 400: REFUSALS[400], 403: REFUSALS[403]}),
)
class ProblemClassViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Classes of problems with one systemic cause ("rectify one problem, solve a class"), and
    their rectification as a class (ledger/class_services.py; out of scope: 404)."""

    queryset = ProblemClass.objects.all()
    permission_classes = [LedgerPermission]
    create_roles = ROLES[Action.CLASSIFY]
    filter_backends = [FilterBackend, filters.SearchFilter]
    filterset_class = ProblemClassFilterSet
    search_fields = ["code", "name"]
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        queryset = problem_classes_counted(self.request.user)
        if self.action not in ("list", "create", "suggest"):
            visible = Problem.objects.visible_to(self.request.user)
            problems = visible.order_by("-found_at", "-id").only("id", "code", "status", "problem_class_id")
            queryset = queryset.prefetch_related(
                Prefetch("problems", queryset=problems, to_attr="visible_problems"),
                Prefetch("events", queryset=ProblemClassEvent.objects.select_related("actor").order_by("at", "id")),
            )
        return queryset.order_by("code")

    def get_serializer_class(self):
        return s.ProblemClassSerializer if self.action in ("list", "create") else s.ProblemClassDetailSerializer

    def _input(self, serializer_class) -> dict:
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def _answer(self, pk: int) -> Response:
        item = self.get_queryset().get(pk=pk)
        return Response(s.ProblemClassDetailSerializer(item, context=self.get_serializer_context()).data)

    @_class_action_schema(s.ClassMeasureSerializer, _("Set the class's cause, measure, unit and deadline"))
    @action(detail=True, methods=["post"])
    def measure(self, request, pk=None):
        item = self.get_object()
        data = self._input(s.ClassMeasureSerializer)
        with ledger_errors():
            class_services.class_measure_set(problem_class=item, cause=data["cause"], measure=data["measure"],
                                             unit=data["unit"], deadline=data["deadline"], note=data["note"],
                                             by=request.user, expected_version=data.get("version"))
        return self._answer(item.pk)

    @_class_action_schema({"multipart/form-data": s.ClassApplyCloseSerializer}, _("Apply to close the class"))
    @action(detail=True, methods=["post"], url_path="apply-close", parser_classes=[MultiPartParser, FormParser])
    def apply_close(self, request, pk=None):
        item = self.get_object()
        data = self._input(s.ClassApplyCloseSerializer)
        with ledger_errors(), stored_photos(data.get("photos"), class_id=item.pk) as photos:
            class_services.class_apply_close(problem_class=item, note=data["note"], photos=photos, by=request.user,
                                             expected_version=data.get("version"))
        return self._answer(item.pk)

    @_class_action_schema(s.ClassVerifySerializer, _("Verify the class's measure: the class is closed"))
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        item = self.get_object()
        data = self._input(s.ClassVerifySerializer)
        with ledger_errors():
            class_services.class_verify(problem_class=item, note=data["note"], by=request.user,
                                        expected_version=data.get("version"))
        return self._answer(item.pk)

    @_class_action_schema(s.ClassRejectSerializer, _("Reject the class's closing, with the reason"))
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        item = self.get_object()
        data = self._input(s.ClassRejectSerializer)
        with ledger_errors():
            class_services.class_reject(problem_class=item, reason=data["reason"], by=request.user,
                                        expected_version=data.get("version"))
        return self._answer(item.pk)

    @extend_schema(summary=_("Suggest a class for a problem's text, category and place"), tags=["ledger"],
                   parameters=[s.ClassSuggestQuerySerializer],
                   responses={200: s.ClassSuggestionSerializer(many=True), 400: REFUSALS[400]},
                   description=_("Character-bigram TF-IDF over each class's problems, with boosts for the "
                                 "same category, sample point and district; each suggestion says why."))
    @action(detail=False, methods=["get"], filter_backends=[], pagination_class=None)
    def suggest(self, request):
        query = s.ClassSuggestQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        found = suggest_classes(user=request.user, description=data["description"], category=data.get("category"),
                                sample_point=data.get("sample_point"), district=data.get("district"))
        return Response(s.ClassSuggestionSerializer(found, many=True).data)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        with ledger_errors():
            problem_class = services.problem_class_create(
                code=data["code"], name=data["name"], description=data.get("description", ""),
                category=data.get("category"), district=data.get("district"), by=request.user,
            )
        created = self.get_queryset().get(pk=problem_class.pk)
        return Response(s.ProblemClassSerializer(created, context=self.get_serializer_context()).data,
                        status=status.HTTP_201_CREATED)


router = SimpleRouter()
router.register("problems", ProblemViewSet, basename="problem")
router.register("problem-classes", ProblemClassViewSet, basename="problemclass")

routes = [path("", include(router.urls))]
