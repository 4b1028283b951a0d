"""Reads of the special actions: progress per action, per district and per unit, the objects
list's filters, and the weekly report's section (as of a week's end).

Figures (the same everywhere, README "Special actions"):
- done: marked done or verified; verified: verified by HQ or the lead team's lead;
- overdue: not done by its deadline (not started or in progress, the deadline passed).
Every figure counts only the objects the reader may see (``ActionTarget.objects.visible_to``).
"""

from dataclasses import dataclass, field
from datetime import date

import django_filters
from django.db.models import Case, Count, F, OuterRef, Q, Subquery, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaign.filters import ScopedFilterSet
from campaign.models import District, Unit
from campaign.widgets import SearchSelect

from ..choices import TargetStatus
from ..models import ActionTarget, SpecialAction, TargetEvent

COMPLETED = (TargetStatus.DONE, TargetStatus.VERIFIED)
OPEN = (TargetStatus.NOT_STARTED, TargetStatus.IN_PROGRESS)


def _counts(today: date) -> dict:
    """The conditional counts of a grouped query over objects."""
    return {
        "total": Count("id"),
        "started": Count("id", filter=Q(status=TargetStatus.IN_PROGRESS)),
        "done": Count("id", filter=Q(status__in=COMPLETED)),
        "verified": Count("id", filter=Q(status=TargetStatus.VERIFIED)),
        "overdue": Count("id", filter=Q(status__in=OPEN, deadline__lt=today)),
    }


@dataclass
class Progress:
    total: int = 0
    started: int = 0
    done: int = 0
    verified: int = 0
    overdue: int = 0
    label: str = ""
    key: object = None

    @property
    def done_percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    @property
    def verified_percent(self) -> int:
        return round(100 * self.verified / self.total) if self.total else 0

    @property
    def not_started(self) -> int:
        return self.total - self.started - self.done


def _progress(row: dict, **extra) -> Progress:
    return Progress(total=row["total"], started=row["started"], done=row["done"], verified=row["verified"],
                    overdue=row["overdue"], **extra)


def actions_visible(user):
    return SpecialAction.objects.visible_to(user).select_related("team")


def actions_with_progress(user, *, today: date | None = None) -> list[tuple[SpecialAction, Progress]]:
    """The actions ``user`` may see, each with the progress of the objects they may see. Two
    queries."""
    today = today or timezone.localdate()
    actions = list(actions_visible(user).order_by("-starts_on", "id"))
    rows = (ActionTarget.objects.visible_to(user).filter(action__in=[a.pk for a in actions]).order_by()
            .values("action_id").annotate(**_counts(today)))
    by_action = {row["action_id"]: _progress(row) for row in rows}
    return [(action, by_action.get(action.pk, Progress())) for action in actions]


@dataclass
class ActionFigures:
    total: Progress
    districts: list[Progress] = field(default_factory=list)
    units: list[Progress] = field(default_factory=list)


def action_figures(action: SpecialAction, user, *, today: date | None = None) -> ActionFigures:
    """One action's progress over the objects ``user`` may see: in all, per district, per unit.
    Two grouped queries."""
    today = today or timezone.localdate()
    targets = ActionTarget.objects.visible_to(user).filter(action=action).order_by()
    districts = [
        _progress(row, label=row["district__name"], key=row["district_id"])
        for row in targets.values("district_id", "district__name", "district__code")
        .annotate(**_counts(today)).order_by("district__code")
    ]
    units = [
        _progress(row, label=row["unit__name"], key=row["unit_id"])
        for row in targets.values("unit_id", "unit__name").annotate(**_counts(today)).order_by("unit__name")
    ]
    total = Progress(**{name: sum(getattr(row, name) for row in districts)
                        for name in ("total", "started", "done", "verified", "overdue")})
    return ActionFigures(total=total, districts=districts, units=units)


class ActionTargetFilterSet(ScopedFilterSet):
    """The objects list's filters: the action's page, the objects page, the API and the export."""

    STATUS_CHOICES = (*TargetStatus.choices, ("open", _("Not done yet")))

    q = django_filters.CharFilter(method="search", label=_("Search"))
    action = django_filters.ModelChoiceFilter(queryset=SpecialAction.objects.all(), label=_("Special action"))
    status = django_filters.ChoiceFilter(choices=STATUS_CHOICES, method="filter_status", label=_("Status"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("Overdue"))
    district = django_filters.ModelChoiceFilter(queryset=District.objects.all(), label=_("District"),
                                                widget=SearchSelect("district-list"))
    unit = django_filters.ModelChoiceFilter(queryset=Unit.objects.all(), label=_("Responsible unit"),
                                            widget=SearchSelect("unit-list"))

    class Meta:
        model = ActionTarget
        fields = ["q", "action", "status", "overdue", "district", "unit"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(name__icontains=value) | Q(address__icontains=value)) if value else queryset

    def filter_status(self, queryset, name, value):
        if value == "open":
            return queryset.filter(status__in=OPEN)
        return queryset.filter(status=value) if value else queryset

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        late = Q(status__in=OPEN, deadline__lt=timezone.localdate())
        return queryset.filter(late) if value else queryset.exclude(late)


LIST_RELATED = ("action", "district", "unit", "sample_point")


def targets_visible(user):
    return ActionTarget.objects.visible_to(user).select_related(*LIST_RELATED)


def target_with_history(user, pk: int) -> ActionTarget:
    """One object the user may see, with its steps and photos (DoesNotExist when out of scope)."""
    return (targets_visible(user).select_related("action__team")
            .prefetch_related("events__actor", "events__photos").get(pk=pk))


# --- The weekly assignment report's section ------------------------------------------------------


def actions_progress_section(*, starts_at, ends_at, end: date, district_id: int | None = None) -> dict:
    """Every action running by the week's end, as of that moment (a report made again later
    shows the same figures): objects listed, done (or verified), verified and overdue at the
    end (open with a deadline on or before ``end``), and the objects done and verified in the
    week; per action and per district. One query over the objects, one over the actions."""
    # An object unchanged since the end has its current status; only the others read their history.
    status_at_end = Case(
        When(changed_at__lt=ends_at, then=F("status")),
        default=Subquery(TargetEvent.objects.filter(target=OuterRef("pk"), at__lt=ends_at)
                         .order_by("-at", "-seq").values("to_status")[:1]),
    )
    objects = ActionTarget.objects.filter(created_at__lt=ends_at, action__starts_on__lte=end).order_by()
    if district_id is not None:
        objects = objects.filter(district_id=district_id)
    done_in_week = TargetEvent.objects.filter(target=OuterRef("pk"), at__gte=starts_at, at__lt=ends_at)
    rows = (
        objects.annotate(at_end=status_at_end)
        .values("action_id", "district_id")
        .annotate(
            total=Count("id"),
            done=Count("id", filter=Q(at_end__in=COMPLETED)),
            verified=Count("id", filter=Q(at_end=TargetStatus.VERIFIED)),
            overdue=Count("id", filter=Q(at_end__in=OPEN, deadline__lte=end)),
            done_in_week=Count("id", filter=Q(pk__in=done_in_week.filter(to_status=TargetStatus.DONE)
                                              .values("target_id"))),
            verified_in_week=Count("id", filter=Q(pk__in=done_in_week.filter(to_status=TargetStatus.VERIFIED)
                                                  .values("target_id"))),
        )
    )
    names = ("total", "done", "verified", "overdue", "done_in_week", "verified_in_week")
    actions: dict[int, dict] = {}
    districts: dict[int, dict] = {}
    total = dict.fromkeys(names, 0)
    for row in rows:
        for bucket in (actions.setdefault(row["action_id"], dict.fromkeys(names, 0)),
                       districts.setdefault(row["district_id"], dict.fromkeys(names, 0)), total):
            for name in names:
                bucket[name] += row[name]
    action_rows = []
    for action in (SpecialAction.objects.filter(pk__in=list(actions)).order_by("starts_on", "id")
                   .values("id", "name", "name_en", "starts_on", "ends_on", "team__name")):
        action_rows.append({"action_id": action["id"], "name": action["name"], "name_en": action["name_en"],
                            "team": action["team__name"], "starts_on": action["starts_on"].isoformat(),
                            "ends_on": action["ends_on"].isoformat(), **actions[action["id"]]})
    district_rows = [
        {"district_id": place["id"], "name": place["name"], "name_en": place["name_en"], **districts[place["id"]]}
        for place in District.objects.filter(pk__in=list(districts)).order_by("code").values("id", "name", "name_en")
    ]
    return {"actions": action_rows, "districts": district_rows, "total": total}
