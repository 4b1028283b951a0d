"""Reads of the materials archive: who sees which material, where each stands, completeness per
article, part, unit and team (``archive_completeness``, which the readiness page calls), overdue
materials, the archive index in the assessors' order and the ZIP's layout."""

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from campaign.choices import Role
from campaign.models import Unit

from ..choices import MaterialStatus
from ..models import (
    ArchiveExport,
    MaterialEvent,
    MaterialFile,
    MaterialRequirement,
    MaterialState,
    StandardEdition,
)

WHOLE_CITY = (Role.HQ_STAFF, Role.LEADER)
BREAKDOWNS = ("part", "article", "unit", "team")


def _staff(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and (user.is_superuser or user.role != Role.PUBLIC))


def sees_whole_archive(user) -> bool:
    return _staff(user) and (user.is_superuser or user.role in WHOLE_CITY)


def may_review(user) -> bool:
    """HQ staff review the materials (accept or return)."""
    return _staff(user) and bool(user.can_manage_structure)


def may_download_archive(user) -> bool:
    """Only HQ staff and leaders download the whole archive."""
    return sees_whole_archive(user)


def requirements_visible_to(user) -> QuerySet:
    """The materials ``user`` may see (out of scope: a 404): HQ and leaders all; a unit handler
    their unit's; a team lead their team's parts and articles; a district lead, to read, those of
    the units of their district and the city's departments; nobody else any."""
    everything = MaterialRequirement.objects.select_related("article__part__edition", "responsible_unit")
    if not _staff(user):
        return everything.none()
    if sees_whole_archive(user):
        return everything
    if user.role == Role.UNIT_HANDLER:
        return everything.filter(responsible_unit_id=user.unit_id or -1)
    if user.role == Role.TEAM_LEAD:
        team = user.team_id or -1
        return everything.filter(Q(article__team_id=team) | Q(article__team__isnull=True, article__part__team_id=team))
    if user.role == Role.DISTRICT_LEAD:
        return everything.filter(responsible_unit__in=Unit.objects.visible_to(user))
    return everything.none()


def may_upload(user, requirement) -> bool:
    """A unit handler uploads their unit's materials; HQ staff may upload any on a unit's behalf."""
    if not _staff(user):
        return False
    if may_review(user):
        return True
    return user.role == Role.UNIT_HANDLER and bool(user.unit_id) and requirement.responsible_unit_id == user.unit_id


def state_of(requirement) -> MaterialState | None:
    return MaterialState.objects.filter(requirement=requirement).select_related("latest_file", "accepted_file").first()


def status_annotated(queryset: QuerySet) -> QuerySet:
    """Materials with ``status`` (missing when nothing was uploaded) and their state's files."""
    return queryset.select_related("archive_state__latest_file", "archive_state__accepted_file")


def with_status(queryset: QuerySet, status: str) -> QuerySet:
    if status == MaterialStatus.MISSING:
        return queryset.filter(Q(archive_state__isnull=True) | Q(archive_state__status=MaterialStatus.MISSING))
    return queryset.filter(archive_state__status=status)


def overdue(queryset: QuerySet, *, today: dt.date | None = None) -> QuerySet:
    """Materials whose due date has passed and that are not accepted."""
    today = today or timezone.localdate()
    return queryset.filter(due_date__lt=today).exclude(archive_state__status=MaterialStatus.ACCEPTED)


def files_of(requirement) -> QuerySet:
    return MaterialFile.objects.filter(requirement=requirement).select_related("uploaded_by").order_by("-version")


def events_of(requirement) -> QuerySet:
    return MaterialEvent.objects.filter(requirement=requirement).select_related("actor", "file").order_by("at", "id")


def files_visible_to(user) -> QuerySet:
    return MaterialFile.objects.filter(requirement__in=requirements_visible_to(user).values("pk"))


def edition_current() -> StandardEdition | None:
    return StandardEdition.objects.filter(in_use=True).first()


# --- Completeness (the readiness page reads this) ------------------------------------------------


def _statuses_as_of(requirements: QuerySet, as_of: dt.date) -> dict[int, str]:
    """Each material's status at the end of ``as_of`` (its last event by then), from its events."""
    end = timezone.make_aware(dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time.min))
    last = MaterialEvent.objects.filter(requirement=OuterRef("pk"), at__lt=end).order_by("-at", "-id")
    rows = requirements.annotate(last_status=Subquery(last.values("to_status")[:1])).values_list("pk", "last_status")
    return {pk: status or MaterialStatus.MISSING for pk, status in rows}


def archive_completeness(*, edition, as_of: dt.date, by: str = "part", user=None) -> dict[int, dict]:
    """Per part, article, unit or team (``by``; keys their ids) of ``edition``'s active materials
    as they stood at the end of ``as_of``: how many are required, accepted, submitted (awaiting
    review), returned, missing, overdue (due before ``as_of`` and not accepted), and percent =
    accepted / required × 100 (0 when none is required). Materials without a unit (by unit) or
    without a team (by team) are left out of those breakdowns. With ``user``: only the
    materials they may see (requirements_visible_to: a unit its own, a team lead its parts and
    articles)."""
    if by not in BREAKDOWNS:
        raise ValueError(f"by must be one of {BREAKDOWNS}, not {by!r}")
    requirements = MaterialRequirement.objects.filter(article__part__edition=edition, active=True, article__active=True)
    if user is not None:
        requirements = requirements.filter(pk__in=requirements_visible_to(user).values("pk"))
    statuses = _statuses_as_of(requirements, as_of)
    rows = requirements.values_list("pk", "article_id", "article__part_id", "responsible_unit_id",
                                    "article__team_id", "article__part__team_id", "due_date")
    figures: dict[int, dict] = defaultdict(lambda: {"required": 0, "accepted": 0, "submitted": 0, "returned": 0,
                                                    "missing": 0, "overdue": 0, "percent": 0.0})
    for pk, article_id, part_id, unit_id, article_team, part_team, due in rows:
        key = {"part": part_id, "article": article_id, "unit": unit_id, "team": article_team or part_team}[by]
        if key is None:
            continue
        status = statuses.get(pk, MaterialStatus.MISSING)
        entry = figures[key]
        entry["required"] += 1
        entry[status] += 1
        if due is not None and due < as_of and status != MaterialStatus.ACCEPTED:
            entry["overdue"] += 1
    for entry in figures.values():
        entry["percent"] = round(entry["accepted"] * 100 / entry["required"], 1) if entry["required"] else 0.0
    return dict(figures)


# --- The index and the ZIP in the assessors' order ----------------------------------------------


def index_rows(requirements: QuerySet) -> QuerySet:
    """Materials in the assessors' order: part, article, material."""
    return status_annotated(requirements).select_related("article__part", "responsible_unit").order_by(
        "article__part__number", "article__order", "article__number", "order", "code")


_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')


def safe_component(text: str, *, limit: int = 80) -> str:
    """One folder or file name of the ZIP: no separators, reserved or control characters, no
    leading or trailing dots or spaces, at most ``limit`` characters (Chinese is kept)."""
    cleaned = _UNSAFE.sub("_", str(text or "")).strip(" .")
    cleaned = re.sub(r"\s+", " ", cleaned)
    if len(cleaned) > limit:
        stem, dot, ext = cleaned.rpartition(".")
        if dot and 0 < len(ext) <= 5:
            cleaned = stem[: limit - len(ext) - 1].rstrip(" .") + "." + ext
        else:
            cleaned = cleaned[:limit].rstrip(" .")
    return cleaned or "_"


@dataclass(frozen=True)
class ZipEntry:
    path: str
    stored_name: str
    size: int


def zip_entries(edition) -> list[ZipEntry]:
    """Every accepted material's accepted version, as part / article / material / file, in the
    assessors' order (the folder names start with their numbers so any tool sorts them so)."""
    requirements = MaterialRequirement.objects.filter(
        article__part__edition=edition, active=True, article__active=True,
        archive_state__accepted_file__isnull=False)
    entries = []
    for requirement in index_rows(requirements):
        article, accepted = requirement.article, requirement.archive_state.accepted_file
        part = article.part
        folders = [
            safe_component(f"{part.number:02d} {part.label}"),
            safe_component(f"{article.order:02d} {article.number} {article.label}".strip()),
            safe_component(f"{requirement.order:02d} {requirement.code} {requirement.label}".strip()),
        ]
        name = safe_component(f"v{accepted.version} {accepted.original_name}", limit=100)
        entries.append(ZipEntry(path="/".join([*folders, name]), stored_name=accepted.file.name, size=accepted.size))
    return entries


def archive_export_visible_to(user) -> QuerySet:
    if not may_download_archive(user):
        return ArchiveExport.objects.none()
    return ArchiveExport.objects.select_related("requested_by", "edition")
