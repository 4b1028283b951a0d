"""Who may write what: the parts of the structure a person may name when they record or change
something (a problem's district, sample point, unit or team; an inspection's point; a round's
district).

Reading scope is not writing scope. ``visible_to`` lets every member of staff read the teams
and categories, and a team lead the districts; naming another team on a problem would record it
for that team. So every writable foreign key is checked against one rule per role (below),
after ``visible_to`` (what a person cannot even see stays "does not exist"):

- HQ staff: anything.
- team lead: their own team, its units (member and lead units) and its sample points (the
  team's, or team-less ones its units answer for); any district, grid and road, since a
  special team works across the city.
- district lead: only their district: the district, its grids, roads and sample points, its
  units and the city-level units that work in every district; any team.
- inspector: their inspection area (their district as for a district lead, or the city).
Whoever an assignment gives more (campaign/grants.py: an inspector given a round point in
another district) may also write for what it gives, as they may see it.
- leaders, grid and road chiefs, unit handlers and the public: nothing (chiefs read their
  cell's problems and points; they answer for the cell, the units rectify).
Categories are not scoped: whoever may write anything may name any category.

A refused value is an ``OutOfScope`` error naming the field (a 400, not a 403 for the request).
A grid or road named with a district must lie in it (``check_in_district``), the same 400.
"""

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .choices import Role
from .grants import granted
from .models import Category, District, Grid, Road, SamplePoint, Team, Unit

ALL = Q()
NOTHING = Q(pk__in=[])


class OutOfScope(ValidationError):
    """Values naming structure outside the writer's scope: ``{field: [message]}``."""


def _role(user) -> str | None:
    if not (user and user.is_authenticated and user.is_active):
        return None
    return Role.HQ_STAFF if user.is_superuser else user.role


def _team_units(team_id: int):
    return Unit.objects.filter(Q(teams=team_id) | Q(led_teams=team_id)).values("pk")


def _team_lead(user, model) -> Q:
    team_id = user.team_id or -1
    if model is Team:
        return Q(pk=team_id)
    if model is Unit:
        return Q(pk__in=_team_units(team_id))
    if model is SamplePoint:
        return Q(team_id=team_id) | Q(team__isnull=True, responsible_unit__in=_team_units(team_id))
    if model in (District, Grid, Road, Category):
        return ALL
    return NOTHING


def _area(district_id: int | None, model) -> Q:
    """A district's objects (None: the whole city)."""
    if district_id is None or model in (Team, Category):
        return ALL
    if model is District:
        return Q(pk=district_id)
    if model in (Grid, Road, SamplePoint):
        return Q(district_id=district_id)
    if model is Unit:
        # City departments work in every district; street offices only in their own.
        return Q(district_id=district_id) | Q(district__isnull=True)
    return NOTHING


def _district_lead(user, model) -> Q:
    return _area(user.district_id or -1, model)


def _inspector(user, model) -> Q:
    return _area(user.district_id, model)


# One rule per role: (user, model) -> the objects of the model the user may name in a write.
WRITE_RULES = {
    Role.HQ_STAFF: lambda user, model: ALL,
    Role.TEAM_LEAD: _team_lead,
    Role.DISTRICT_LEAD: _district_lead,
    Role.INSPECTOR: _inspector,
    Role.LEADER: lambda user, model: NOTHING,
    Role.UNIT_HANDLER: lambda user, model: NOTHING,
    Role.GRID_CHIEF: lambda user, model: NOTHING,
    Role.ROAD_CHIEF: lambda user, model: NOTHING,
    Role.PUBLIC: lambda user, model: NOTHING,
}


def writable(model, user):
    """The objects of ``model`` that ``user`` may name when writing (a subset of visible_to)."""
    rule = WRITE_RULES.get(_role(user))
    if rule is None:
        return model.objects.none()
    condition = rule(user, model)
    visible = model.objects.visible_to(user)
    if condition == ALL:
        return visible
    grant = granted(model, user)  # what an assignment gives, e.g. a round point's sample point
    return visible.filter(condition if grant is None else condition | grant)


def may_write(obj, user) -> bool:
    if _role(user) == Role.HQ_STAFF:
        return True
    return writable(type(obj), user).filter(pk=obj.pk).exists()


def out_of_scope_message(obj) -> str:
    return str(_("%(object)s is outside your scope: you may not write for it.") % {"object": obj})


def check_write_scope(user, **named) -> None:
    """Refuse, naming each field, the given objects (None: not given) ``user`` may not write for."""
    errors = {
        field: [ValidationError(out_of_scope_message(obj), code="out_of_scope")]
        for field, obj in named.items()
        if obj is not None and not may_write(obj, user)
    }
    if errors:
        raise OutOfScope(errors)


def check_in_district(district, **areas) -> None:
    """Refuse, naming each field, a grid or road (None: not given) that lies outside
    ``district``: a problem's cell is in the problem's district."""
    if district is None:
        return
    district_id = district if isinstance(district, int) else district.pk
    errors = {
        field: [ValidationError(_("%(object)s lies in another district.") % {"object": area}, code="other_district")]
        for field, area in areas.items()
        if area is not None and area.district_id != district_id
    }
    if errors:
        raise OutOfScope(errors)
