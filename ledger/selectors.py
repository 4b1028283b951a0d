"""Reads of the ledger that more than one page needs (writes live in services.py)."""

from campaign.models import Unit


def suggested_unit(problem) -> Unit | None:
    """The unit a problem would normally be assigned to: its sample point's responsible unit,
    else the lead unit of its special team; None when neither names one.

    The callers select_related ``sample_point__responsible_unit`` and ``team__lead_unit``."""
    point = problem.sample_point
    if point is not None and point.responsible_unit_id:
        return point.responsible_unit
    team = problem.team
    if team is not None and team.lead_unit_id:
        return team.lead_unit
    return None
