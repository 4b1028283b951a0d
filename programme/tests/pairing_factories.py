"""Pairing's test data, built through the services (the import plan, pair_create, …)."""

import datetime as dt

from campaign.importing.communities import CommunityPlan, PlannedCommunity
from campaign.services.communities import communities_import
from programme.services import pairing as services

START = dt.date(2025, 1, 1)


def communities(city):
    """Two communities in district A (under 甲街道), one in district B."""
    plan = CommunityPlan(communities=[
        PlannedCommunity(row=2, name="甲一社区", district=city.district_a, street_office="甲街道办"),
        PlannedCommunity(row=3, name="甲二社区", district=city.district_a),
        PlannedCommunity(row=4, name="乙一社区", district=city.district_b, street_office="乙街道办"),
    ], rows=3)
    made = communities_import(actor=city.hq, plan=plan)
    return {c.name: c for c in made}


def pair(city, *, unit, community, starts_on=START, ends_on=None):
    return services.pair_create(actor=city.hq, unit=unit, community=community, starts_on=starts_on, ends_on=ends_on)


def task(city, pair_, *, due_on, title="社区大扫除"):
    return services.pair_task_add(actor=city.hq, pair=pair_, title=title, due_on=due_on)


def done(city, task_, *, done_on, by=None):
    return services.pair_task_complete(actor=by or city.hq, task=task_, done_on=done_on, note="已完成，附照片")


def sample_pair(city):
    """One pair of office A with 甲一社区, a planned task and a visit (for walks over the API)."""
    places = communities(city)
    p = pair(city, unit=city.office_a, community=places["甲一社区"])
    task(city, p, due_on=dt.date(2025, 3, 1))
    services.pair_visit_record(actor=city.hq, pair=p, visited_on=dt.date(2025, 2, 1), visitors="王芳",
                               work_done="走访")
    return p
