"""REST API of the inspections: checklists, inspections in the field, rounds and scores.

Everything is read through ``visible_to(request.user)``: an inspection or round the user may
not see is a 404 on detail and on every action, and absent from lists. Inspectors see the
inspections they take part in or were assigned; district leads their district's; HQ all.
Changes go through inspections/services.py only (the same functions as the pages); a refused
change answers ``{"detail": message}`` with 409 (e.g. the inspection was submitted and is
locked), 403 (not yours to change) or 400.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime

from django.db.models import Count, Exists, IntegerField, Max, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.urls import include, path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter
from rest_framework.views import APIView

from campaign.api.parsers import FormParser, JSONParser, MultiPartParser
from campaign.choices import Role
from campaign.models import Category, SamplePoint
from config.api import CursorPagination, FilterBackend, PageNumberPagination
from inspections import selectors, services
from inspections.choices import InspectionStatus
from inspections.filters import InspectionFilterSet, RoundFilterSet
from inspections.models import (
    Checklist,
    ChecklistItem,
    ChecklistVersion,
    Inspection,
    ItemResult,
    Round,
    RoundPoint,
    RoundQuota,
)
from ledger.api.errors import ConflictError, ForbiddenError, InvalidError, ledger_errors
from ledger.api.views import stored_photos
from ledger.photos import PhotoError
from ledger.rules import role_of

from . import serializers as s

HQ_ONLY = frozenset({Role.HQ_STAFF})


class InspectionsPermission(BasePermission):
    """Signed-in, active members of staff (not the public) read what they may see.

    A view may limit some actions to roles (``view.action_roles``: action -> roles); what a user
    may do to one inspection or round is decided by the service after it is loaded (404 when
    out of scope)."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated and user.is_active):
            return False
        if not user.is_superuser and user.role == Role.PUBLIC:
            return False
        roles = getattr(view, "action_roles", {}).get(getattr(view, "action", None))
        return roles is None or role_of(user) in roles


@contextmanager
def inspection_errors() -> Iterator[None]:
    """Turn the inspections' (and the ledger's) domain errors raised inside the block into API
    answers: conflict 409, forbidden 403, invalid input or a rejected photo 400."""
    try:
        with ledger_errors():
            yield
    except services.ChecklistReplaced as error:
        checklist = s.OfflineChecklistSerializer(selectors.checklist_with_items(error.version)).data
        raise ConflictError(str(error), code="checklist_replaced", checklist=checklist) from error
    except services.RoundPointReassigned as error:
        raise ConflictError(str(error), code="round_point_reassigned") from error
    except services.InspectionConflict as error:
        raise ConflictError(str(error)) from error
    except services.InspectionForbidden as error:
        raise ForbiddenError(str(error)) from error
    except (services.InspectionError, PhotoError) as error:
        raise InvalidError(str(error)) from error


def _input(view, serializer_class, data=None) -> dict:
    serializer = serializer_class(data=view.request.data if data is None else data,
                                  context=view.get_serializer_context())
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _refusals(what: str) -> dict:
    return {
        400: OpenApiResponse(s.ErrorSerializer, description=_("Incomplete or wrong input, or a rejected photo.")),
        403: OpenApiResponse(s.ErrorSerializer, description=_("Your role may not do this here.")),
        404: OpenApiResponse(s.ErrorSerializer, description=what),
        409: OpenApiResponse(s.ErrorSerializer, description=_("Not in a state that allows this (e.g. submitted).")),
    }


class ListPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


# --- Checklists ------------------------------------------------------------------------------------

CHECKLIST_REFUSALS = _refusals(_("No such checklist or version."))


def _versions(checklist_ids):
    used = Inspection.objects.filter(checklist_version=OuterRef("pk"))
    return (
        ChecklistVersion.objects.filter(checklist__in=checklist_ids)
        .select_related("created_by")
        .annotate(item_count=Count("items"), used=Exists(used))
        .order_by("-number")
    )


@extend_schema_view(
    list=extend_schema(summary=_("Checklists"), tags=["inspections"], description=_(
        "One checklist per category, with the number of its current version."
    )),
    retrieve=extend_schema(
        summary=_("A checklist with its items"), tags=["inspections"],
        description=_("The current version with its items (or ?version=N), and every version."),
        parameters=[OpenApiParameter("version", OpenApiTypes.INT, description=_("A version number; default: current."))],
        responses={200: s.ChecklistDetailSerializer, 404: CHECKLIST_REFUSALS[404]},
    ),
    create=extend_schema(
        summary=_("Set a category's checklist (HQ)"), tags=["inspections"], request=s.ChecklistReviseSerializer,
        description=_("Creates the category's checklist or revises it. A version that inspections used is kept and "
                      "a new version is made (201); an unused one is edited in place (200). Answers the version."),
        responses={200: s.ChecklistVersionSerializer, 201: s.ChecklistVersionSerializer,
                   400: CHECKLIST_REFUSALS[400], 403: CHECKLIST_REFUSALS[403]},
    ),
    update=extend_schema(
        summary=_("Revise a checklist (HQ)"), tags=["inspections"], request=s.ChecklistUpdateSerializer,
        description=_("As POST /api/checklists/ for this checklist's category."),
        responses={200: s.ChecklistVersionSerializer, 201: s.ChecklistVersionSerializer,
                   400: CHECKLIST_REFUSALS[400], 403: CHECKLIST_REFUSALS[403], 404: CHECKLIST_REFUSALS[404]},
    ),
)
class ChecklistViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Checklists per category, versioned. Every member of staff reads them; HQ staff set them."""

    queryset = Checklist.objects.all()
    permission_classes = [InspectionsPermission]
    action_roles = {"create": HQ_ONLY, "update": HQ_ONLY}
    http_method_names = ["get", "post", "put", "head", "options"]
    filter_backends: list = []
    pagination_class = ListPagination
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return (
            Checklist.objects.filter(category__in=Category.objects.visible_to(self.request.user))
            .select_related("category").annotate(current_number=Max("versions__number"))
            .order_by("category__order", "category__code")
        )

    def get_serializer_class(self):
        return s.ChecklistDetailSerializer if self.action == "retrieve" else s.ChecklistSerializer

    def retrieve(self, request, *args, **kwargs):
        checklist = self.get_object()
        checklist.version_list = list(_versions([checklist.pk]))
        wanted = request.query_params.get("version")
        if wanted is None:
            shown = checklist.version_list[0] if checklist.version_list else None
        else:
            try:
                wanted = int(wanted)
            except ValueError:
                raise InvalidError(_("The version is a number.")) from None
            shown = next((v for v in checklist.version_list if v.number == wanted), None)
            if shown is None:
                raise NotFound(_("This checklist has no version %(number)s.") % {"number": wanted})
        if shown is not None:
            shown.checklist = checklist
        checklist.shown_version = shown
        return Response(s.ChecklistDetailSerializer(checklist, context=self.get_serializer_context()).data)

    def create(self, request, *args, **kwargs):
        data = _input(self, s.ChecklistReviseSerializer)
        return self._revise(data["category"], data)

    def update(self, request, *args, **kwargs):
        checklist = self.get_object()
        data = _input(self, s.ChecklistUpdateSerializer)
        return self._revise(checklist.category, data)

    def _revise(self, category, data: dict) -> Response:
        before = ChecklistVersion.objects.filter(checklist__category=category).aggregate(n=Max("number"))["n"] or 0
        with inspection_errors():
            version = services.checklist_revise(
                category=category, items=[dict(item) for item in data["items"]], by=self.request.user,
                note=data["note"], name=data["name"] or None,
            )
        answer = _versions([version.checklist_id]).select_related("checklist").prefetch_related("items").get(
            pk=version.pk
        )
        return Response(s.ChecklistVersionSerializer(answer, context=self.get_serializer_context()).data,
                        status=status.HTTP_201_CREATED if version.number > before else status.HTTP_200_OK)


# --- Inspections -----------------------------------------------------------------------------------

INSPECTION_REFUSALS = _refusals(_("No such inspection that you may see."))


class InspectionPagination(CursorPagination):
    """Keyset pagination, newest first: no COUNT, constant cost on any page."""

    ordering = ("-started_at", "-id")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


def _with_items(queryset):
    return queryset.select_related(*InspectionViewSet.LIST_RELATED).prefetch_related(
        "inspectors",
        "checklist_version__items",
        Prefetch("results", queryset=ItemResult.objects.prefetch_related("photos")),
    )


def _result_schema(request, summary, description=""):
    return extend_schema(summary=summary, description=description, request=request, tags=["inspections"],
                         responses={200: s.ItemResultSerializer, **INSPECTION_REFUSALS})


@extend_schema_view(
    list=extend_schema(summary=_("Inspections"), tags=["inspections"], description=_(
        "Inspections you may see, newest first; cursor pagination (follow next/previous), no total count."
    )),
    retrieve=extend_schema(summary=_("An inspection with its items and answers"), tags=["inspections"],
                           responses={200: s.InspectionDetailSerializer, 404: INSPECTION_REFUSALS[404]}),
    create=extend_schema(
        summary=_("Start a draft inspection"), tags=["inspections"], request=s.InspectionStartSerializer,
        description=_("On the category's current checklist. Starting a round's point again resumes its draft (200)."),
        responses={200: s.InspectionDetailSerializer, 201: s.InspectionDetailSerializer,
                   400: INSPECTION_REFUSALS[400], 403: INSPECTION_REFUSALS[403],
                   409: OpenApiResponse(s.ConflictSerializer, description=_(
                       "checklist_replaced: checklist_version is not the category's current version (the new "
                       "checklist comes along); round_point_reassigned: the round point is not yours (any more)."))},
    ),
)
class InspectionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Inspections of sample points. Answers are saved one at a time, as they are given."""

    queryset = Inspection.objects.all()
    permission_classes = [InspectionsPermission]
    action_roles = {"create": services.INSPECTING_ROLES}
    filter_backends = [FilterBackend]  # InspectionFilterSet scopes its own choices
    filterset_class = InspectionFilterSet
    pagination_class = InspectionPagination
    lookup_value_regex = r"\d+"
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    LIST_RELATED = ("sample_point__district", "sample_point__category", "checklist_version", "round_point",
                    "created_by")

    def get_queryset(self):
        queryset = Inspection.objects.visible_to(self.request.user)
        if self.action == "list":
            return queryset.select_related(*self.LIST_RELATED).prefetch_related("inspectors")
        if self.action == "retrieve":
            return _with_items(queryset)
        return queryset  # actions: loaded bare, then locked and checked by the service

    def filter_queryset(self, queryset):
        # The filters narrow the list only; an inspection's own URL always finds it.
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def get_serializer_class(self):
        return s.InspectionListSerializer if self.action == "list" else s.InspectionDetailSerializer

    def _answer(self, inspection_id: int, *, answer=status.HTTP_200_OK, serializer=s.InspectionDetailSerializer,
                **context) -> Response:
        inspection = get_object_or_404(_with_items(Inspection.objects.visible_to(self.request.user)),
                                       pk=inspection_id)
        data = serializer(inspection, context={**self.get_serializer_context(), **context}).data
        return Response(data, status=answer)

    def create(self, request, *args, **kwargs):
        try:
            data = _input(self, s.InspectionStartSerializer)
        except serializers.ValidationError as error:
            self._refuse_reassigned(error)
            raise
        round_point = data.get("round_point")
        resuming = round_point is not None and Inspection.objects.filter(round_point=round_point).exists()
        with inspection_errors():
            inspection = services.inspection_start(
                sample_point=data["sample_point"], kind=data["kind"], by=request.user,
                inspectors=data.get("inspectors", []), round_point=round_point, latitude=data.get("latitude"),
                longitude=data.get("longitude"), location_accuracy_m=data.get("location_accuracy_m"),
                expected_checklist_version=data.get("checklist_version"),
            )
        return self._answer(inspection.pk, answer=status.HTTP_200_OK if resuming else status.HTTP_201_CREATED)

    def _refuse_reassigned(self, error: serializers.ValidationError) -> None:
        """An inspector's round point given to someone else may leave its round out of their sight
        (the field finds no such point): say it was reassigned (409), as when it is still seen."""
        user = self.request.user
        wanted = self.request.data.get("round_point") if hasattr(self.request.data, "get") else None
        if (not isinstance(error.detail, dict) or "round_point" not in error.detail or role_of(user) != Role.INSPECTOR
                or isinstance(wanted, bool) or not str(wanted or "").isdigit() or len(str(wanted)) > 18):
            return
        if RoundPoint.objects.filter(pk=int(wanted)).exclude(inspector=user).exists():
            raise ConflictError(str(_("This point of the round is assigned to another inspector.")),
                                code="round_point_reassigned")

    def _result_answer(self, inspection: Inspection, item: ChecklistItem, answer=status.HTTP_200_OK) -> Response:
        result = ItemResult.objects.prefetch_related("photos").get(inspection=inspection, item=item)
        return Response(s.ItemResultSerializer(result, context=self.get_serializer_context()).data, status=answer)

    @_result_schema(
        {"application/json": s.ResultInputSerializer, "multipart/form-data": s.ResultInputSerializer},
        _("Record an item's result"),
        _("Saves one answer (pass, fail, not applicable) with its note; sending it again changes it. "
          "Photos may come along as repeated photos parts of a multipart/form-data body."),
    )
    @action(detail=True, methods=["post"])
    def results(self, request, pk=None):
        inspection = self.get_object()
        data = _input(self, s.ResultInputSerializer)
        item = ChecklistItem.objects.filter(pk=data["item"], version=inspection.checklist_version_id).first()
        if item is None:
            raise serializers.ValidationError({"item": [_("That item is not on this inspection's checklist.")]})
        with inspection_errors(), stored_photos(data.get("photos"), problem_id=0) as photos:
            services.inspection_record_result(inspection=inspection, item=item, outcome=data["outcome"],
                                              note=data["note"], photos=photos, by=request.user)
        return self._result_answer(inspection, item)

    @extend_schema(
        summary=_("Add photos to an item's result"), tags=["inspections"],
        request={"multipart/form-data": s.ResultPhotosInputSerializer},
        description=_("Repeated photos parts of a multipart/form-data body. They become the before-photos of the "
                      "problem a failed item raises. The item's answer is kept unless an outcome is sent."),
        responses={201: s.ItemResultSerializer, **INSPECTION_REFUSALS},
    )
    @action(detail=True, methods=["post"], url_path=r"results/(?P<item_id>\d+)/photos",
            parser_classes=[MultiPartParser, FormParser])
    def result_photos(self, request, pk=None, item_id=None):
        inspection = self.get_object()
        item = get_object_or_404(ChecklistItem, pk=item_id, version=inspection.checklist_version_id)
        data = _input(self, s.ResultPhotosInputSerializer)
        with inspection_errors(), stored_photos(data["photos"], problem_id=0) as photos:
            services.inspection_record_result(inspection=inspection, item=item, outcome=data.get("outcome"),
                                              note=data.get("note"), photos=photos, by=request.user)
        return self._result_answer(inspection, item, answer=status.HTTP_201_CREATED)

    @extend_schema(
        summary=_("Submit the inspection (then locked)"), tags=["inspections"], request=s.SubmitSerializer,
        description=_("Every item must be answered. Scores it (100 minus the points lost; a failed veto item gives "
                      "0) and puts each failed item in the ledger: a new problem assigned to the point's unit, the "
                      "open one's history when it is still open, or a rebound linked to one closed recently."),
        responses={200: s.InspectionSubmittedSerializer, **INSPECTION_REFUSALS},
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        inspection = self.get_object()
        data = _input(self, s.SubmitSerializer)
        with inspection_errors():
            inspection, findings = services.inspection_submit(
                inspection=inspection, by=request.user, ended_at=data.get("ended_at"), note=data["note"],
                latitude=data.get("latitude"), longitude=data.get("longitude"),
            )
        return self._answer(inspection.pk, serializer=s.InspectionSubmittedSerializer, findings=findings)


# --- Rounds ----------------------------------------------------------------------------------------

ROUND_REFUSALS = _refusals(_("No such round that you may see."))


class RoundPagination(CursorPagination):
    ordering = ("-starts_on", "-id")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


def _count_points(**conditions) -> Coalesce:
    points = (
        RoundPoint.objects.filter(round=OuterRef("pk"), **conditions).order_by().values("round")
        .annotate(n=Count("pk")).values("n")
    )
    return Coalesce(Subquery(points, output_field=IntegerField()), 0)


def _visible_points(user):
    """The drawn points a user is shown: an inspector those assigned to them, others those at
    sample points they may see."""
    points = RoundPoint.objects.select_related(
        "sample_point__district", "category", "inspector", "inspection"
    ).order_by("category__order", "category__code", "draw_order")
    if role_of(user) == Role.INSPECTOR:
        return points.filter(inspector=user)
    return points.filter(sample_point__in=SamplePoint.objects.visible_to(user))


def _round_schema(request, summary, description="", answer=s.RoundDetailSerializer):
    return extend_schema(summary=summary, description=description, request=request, tags=["inspections"],
                         responses={200: answer, **ROUND_REFUSALS})


@extend_schema_view(
    list=extend_schema(summary=_("Inspection rounds"), tags=["inspections"], description=_(
        "Rounds you may see, latest first: HQ and leaders all, district leads the city's and their district's, "
        "inspectors those they have points in."
    )),
    retrieve=extend_schema(summary=_("A round with its drawn points"), tags=["inspections"],
                           responses={200: s.RoundDetailSerializer, 404: ROUND_REFUSALS[404]}),
    create=extend_schema(
        summary=_("Plan a round with a quota per category"), tags=["inspections"], request=s.RoundCreateSerializer,
        description=_("HQ staff for the city or a district; a district lead for their own district."),
        responses={201: s.RoundDetailSerializer, 400: ROUND_REFUSALS[400], 403: ROUND_REFUSALS[403]},
    ),
)
class RoundViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Inspection rounds: points drawn at random per category, the way the assessors draw."""

    queryset = Round.objects.all()
    permission_classes = [InspectionsPermission]
    action_roles = {"create": services.PLANNING_ROLES, "draw": services.PLANNING_ROLES,
                    "assign": services.PLANNING_ROLES}
    filter_backends = [FilterBackend]
    filterset_class = RoundFilterSet
    pagination_class = RoundPagination
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        queryset = Round.objects.visible_to(self.request.user)
        if self.action not in ("list", "retrieve"):
            return queryset
        queryset = queryset.select_related("district", "created_by").prefetch_related(
            Prefetch("quotas", queryset=RoundQuota.objects.select_related("category"))
        ).annotate(
            point_count=_count_points(),
            done_count=_count_points(inspection__status=InspectionStatus.SUBMITTED),
        )
        if self.action == "retrieve":
            queryset = queryset.prefetch_related(
                Prefetch("points", queryset=_visible_points(self.request.user), to_attr="visible_points")
            )
        return queryset

    def filter_queryset(self, queryset):
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def get_serializer_class(self):
        return s.RoundDetailSerializer if self.action == "retrieve" else s.RoundSerializer

    def _detail(self, round_id: int) -> dict:
        user = self.request.user
        inspection_round = get_object_or_404(
            Round.objects.visible_to(user).select_related("district", "created_by").prefetch_related(
                Prefetch("quotas", queryset=RoundQuota.objects.select_related("category")),
                Prefetch("points", queryset=_visible_points(user), to_attr="visible_points"),
            ).annotate(point_count=_count_points(),
                       done_count=_count_points(inspection__status=InspectionStatus.SUBMITTED)),
            pk=round_id,
        )
        return s.RoundDetailSerializer(inspection_round, context=self.get_serializer_context()).data

    def create(self, request, *args, **kwargs):
        data = _input(self, s.RoundCreateSerializer)
        with inspection_errors():
            inspection_round = services.round_create(
                name=data["name"], kind=data["kind"], starts_on=data["starts_on"], ends_on=data["ends_on"],
                district=data.get("district"), exclude_inspected_days=data.get("exclude_inspected_days"),
                quotas={quota["category"]: quota["quota"] for quota in data["quotas"]}, by=request.user,
            )
        return Response(self._detail(inspection_round.pk), status=status.HTTP_201_CREATED)

    @_round_schema(s.DrawSerializer, _("Draw the round's points"), _(
        "At random per category within the quotas, leaving out points inspected recently if the round says so. "
        "The seed is kept: the same seed on the same points draws the same. Answers the round and the shortfall "
        "per category where fewer points were eligible than the quota."
    ), answer=s.DrawResultSerializer)
    @action(detail=True, methods=["post"])
    def draw(self, request, pk=None):
        inspection_round = self.get_object()
        data = _input(self, s.DrawSerializer)
        with inspection_errors():
            shortfalls = services.round_draw(inspection_round=inspection_round, by=request.user, seed=data.get("seed"))
        missing = [{"category": category, "missing": n}
                   for category, n in sorted(shortfalls.items(), key=lambda pair: pair[0].code)]
        return Response({"round": self._detail(inspection_round.pk),
                         "shortfalls": s.ShortfallSerializer(missing, many=True).data})

    @_round_schema(s.RoundAssignSerializer, _("Assign the drawn points to inspectors"), _(
        "The points not inspected yet are shared among the inspectors, category by category in turn."
    ))
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        inspection_round = self.get_object()
        data = _input(self, s.RoundAssignSerializer)
        with inspection_errors():
            services.round_assign(inspection_round=inspection_round, inspectors=data["inspectors"], by=request.user)
        return Response(self._detail(inspection_round.pk))

    @extend_schema(summary=_("A round's progress"), tags=["inspections"], description=_(
        "Done and to-do per inspector and per category, and the problems the round's inspections found."
    ), responses={200: s.ProgressSerializer, 404: ROUND_REFUSALS[404]})
    @action(detail=True, methods=["get"])
    def progress(self, request, pk=None):
        inspection_round = self.get_object()
        board = selectors.round_progress(inspection_round=inspection_round)

        def rows(counts: dict) -> list[dict]:
            return [{"name": name, **numbers} for name, numbers in sorted(counts.items())]

        problems = (selectors.round_problems(inspection_round=inspection_round, user=request.user)
                    .order_by("id").only("id", "code", "status"))
        categories = rows(board["categories"])
        return Response(s.ProgressSerializer({
            "done": sum(row["done"] for row in categories), "todo": sum(row["todo"] for row in categories),
            "inspectors": rows(board["inspectors"]), "categories": categories, "problems": problems,
        }).data)


# --- Scores ----------------------------------------------------------------------------------------


def _period_day(value) -> date:
    if isinstance(value, datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


@extend_schema(
    summary=_("Scores"), tags=["inspections"],
    description=_(
        "Submitted inspections you may see, over a period: per sample point (latest and average score, "
        "number of inspections; paginated), or the average per district or category; with trend=month|week, "
        "the average per district or category per month or week."
    ),
    parameters=[s.ScoreQuerySerializer],
    responses={
        200: PolymorphicProxySerializer(
            component_name="Scores", serializers=[s.ScoreTableSerializer, s.ScoreTrendSerializer],
            resource_type_field_name=None,
        ),
        400: OpenApiResponse(s.ErrorSerializer, description=_("Wrong parameters.")),
    },
)
class ScoresView(APIView):
    """Scores by point, district and category, and their trend."""

    permission_classes = [InspectionsPermission]

    def get(self, request):
        # A plain dict: an empty parameter (?trend=) is a value to check, not "not sent".
        query = s.ScoreQuerySerializer(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        params = query.validated_data
        user, by = request.user, params["by"]
        period = {"start": params.get("start"), "end": params.get("end")}
        if params.get("trend"):
            trend = selectors.score_trend(user=user, by=by, period=params["trend"], **period)
            series = [{"name": name, "points": [{"period": _period_day(p), "average": avg} for p, avg in points]}
                      for name, points in trend.items()]
            return Response(s.ScoreTrendSerializer({"by": by, "trend": params["trend"], "series": series}).data)
        kind = params.get("kind")
        if by == "point":
            points = selectors.point_scores(user=user, kind=kind, **period)
            points = points.order_by("latest_score", "code") if params["order"] == "worst" else points.order_by("code")
            paginator = ListPagination()
            page = paginator.paginate_queryset(points, request, view=self)
            rows = [{"id": p.pk, "code": p.code, "name": p.name, "district_label": p.district.label,
                     "category_label": p.category.label, "latest": p.latest_score, "average": p.average_score,
                     "inspections": p.inspection_count, "last_inspected": p.last_inspected} for p in page]
            table = {"by": by, "count": paginator.page.paginator.count, "next": paginator.get_next_link(),
                     "previous": paginator.get_previous_link(), "results": rows}
        else:
            rows = [{**row, "code": None, "district_label": None, "category_label": None, "latest": None,
                     "last_inspected": None}
                    for row in selectors.average_scores(user=user, by=by, kind=kind, **period)]
            table = {"by": by, "count": len(rows), "next": None, "previous": None, "results": rows}
        return Response(s.ScoreTableSerializer(table).data)


router = SimpleRouter()
router.register("checklists", ChecklistViewSet, basename="checklist")
router.register("inspections", InspectionViewSet, basename="inspection")
router.register("rounds", RoundViewSet, basename="round")

routes = [
    path("scores/", ScoresView.as_view(), name="scores"),
    path("", include(router.urls)),
]
