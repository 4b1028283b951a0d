"""The demo's standard (``manage.py seed_demo``): load the 2021 edition from its data file, put
it in use, and give every required material a responsible unit and a due date, so the archive
has requirements that units upload to.

The unit is the part's (or article's) special team's lead unit for the first material of an
article and its member units in turn for the others; the due dates spread from three weeks ago
(some already past) to eight weeks ahead. Idempotent: a material that has a unit keeps it, so a
second run writes nothing. Everything goes through assessment/services/standard.py.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from campaign.demo_steps import DemoReport
from campaign.models import Unit

from ..models import MaterialRequirement
from ..services import standard as standard_service

FIRST_DUE = -21  # days from today: the first materials are already overdue
DUE_STEP_DAYS = 7
DUE_WEEKS = 12


def _team_units(team) -> list[Unit]:
    if team is None:
        return []
    units = [team.lead_unit] if team.lead_unit_id else []
    units += [unit for unit in team.member_units.order_by("kind", "name") if unit not in units]
    return units


@transaction.atomic
def demo_standard_step(today: datetime.date | None = None) -> DemoReport:
    today = today or timezone.localdate()
    report = standard_service.standard_load(use=True)
    fallback = list(Unit.objects.order_by("kind", "name")[:1])
    assigned = 0
    materials = (MaterialRequirement.objects.filter(article__part__edition=report.edition, active=True,
                                                    article__active=True)
                 .select_related("article__team", "article__part__team")
                 .order_by("article__part__number", "article__order", "order", "code"))
    units_by_team: dict[int | None, list[Unit]] = {}
    for index, material in enumerate(materials):
        if material.responsible_unit_id:
            continue
        team = material.article.team or material.article.part.team
        key = team.pk if team else None
        if key not in units_by_team:
            units_by_team[key] = _team_units(team) or fallback
        units = units_by_team[key]
        if not units:
            continue
        unit = units[(material.order - 1) % len(units)]
        due = today + datetime.timedelta(days=FIRST_DUE + DUE_STEP_DAYS * (index % DUE_WEEKS))
        standard_service.material_requirement_assign(material=material, actor=None, responsible_unit=unit,
                                                     due_date=due)
        assigned += 1
    wrote = report.changed or assigned > 0
    total = materials.count()
    return DemoReport(
        headline=f"Standard {report.edition.code} in use: {total} required materials, {assigned} given a unit and due date.",
        wrote=wrote,
        details=tuple(report.warnings[:5]),
    )
