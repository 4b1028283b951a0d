"""Model sites: marking (reason and photos required, HQ only), withdrawing (reason, kept with
its history), the daily check that suspends a model scoring below the minimum and tells HQ
once, and reinstates it when the score is back; run twice, it changes nothing."""

import pytest

from notifications.models import Notification
from programme.models import ModelSite, ModelSiteEvent, ModelSitePhoto, ModelSiteStatus
from programme.selectors.sites import recent_score
from programme.services import sites as services

from .sites_support import english, mark, media, scored, stored  # noqa: F401

pytestmark = pytest.mark.django_db


def test_hq_marks_a_model_with_a_reason_and_photos(city):
    point = city.points_a[0]
    site = mark(city, point, reason="  市场管理规范  ")
    assert site.status == ModelSiteStatus.ACTIVE and site.reason == "市场管理规范"
    assert ModelSitePhoto.objects.filter(site=site).count() == 1
    event = site.events.get()
    assert (event.action, event.by, event.from_status, event.to_status) == ("mark", city.hq, "", "active")
    with pytest.raises(services.SiteInvalid) as again:
        mark(city, point)
    assert "sample_point" in again.value.errors


def test_marking_refuses_without_reason_or_photo_and_for_other_roles(city):
    point = city.points_a[1]
    with pytest.raises(services.SiteInvalid) as refused:
        services.model_site_mark(sample_point=point, reason=" ", photos=[], by=city.hq)
    assert set(refused.value.errors) == {"reason", "photos"}
    for role in ("leader", "district_lead", "unit_handler", "inspector"):
        with pytest.raises(services.SiteForbidden):
            services.model_site_mark(sample_point=point, reason="好", photos=[stored(point)], by=city.users[role])
    assert not ModelSite.objects.exists()


def test_withdraw_needs_a_reason_keeps_the_history_and_may_be_marked_again(city):
    site = mark(city)
    with pytest.raises(services.SiteInvalid):
        services.model_site_withdraw(site=site, reason="", by=city.hq)
    with pytest.raises(services.SiteForbidden):
        services.model_site_withdraw(site=site, reason="整改不到位", by=city.leader)
    site = services.model_site_withdraw(site=site, reason="整改不到位", by=city.hq)
    assert site.status == ModelSiteStatus.WITHDRAWN and site.status_reason == "整改不到位"
    with pytest.raises(services.SiteInvalid):
        services.model_site_withdraw(site=site, reason="again", by=city.hq)
    # marked again: its photos are still there, so no new photo is needed
    again = services.model_site_mark(sample_point=site.sample_point, reason="重新达标", photos=[], by=city.hq)
    assert again.pk == site.pk and again.status == ModelSiteStatus.ACTIVE
    assert list(again.events.values_list("action", "from_status", "to_status")) == [
        ("mark", "", "active"), ("withdraw", "active", "withdrawn"), ("mark", "withdrawn", "active")]


def test_recent_score_is_the_average_of_the_last_inspections_in_the_period(city):
    point = city.points_a[0]
    scored(city, point, 60, days_ago=200)  # outside the 90 days
    scored(city, point, 70, days_ago=30)  # fourth newest: left out
    scored(city, point, 90, days_ago=20)
    scored(city, point, 80, days_ago=10)
    scored(city, point, 82, days_ago=5)
    score = recent_score(sample_point_id=point.pk)
    assert [float(s) for s in score.scores] == [82, 80, 90]
    assert float(score.average) == 84.0 and score.below  # (82 + 80 + 90) / 3 = 84 < 85


def test_the_sweep_suspends_below_the_minimum_once_tells_hq_once_and_reinstates(city):
    low, good, unseen = mark(city, city.points_a[0]), mark(city, city.points_b[0]), mark(city, city.points_a[1])
    scored(city, low.sample_point, 70, days_ago=3)
    scored(city, low.sample_point, 90, days_ago=2)  # average 80
    scored(city, good.sample_point, 85, days_ago=2)  # exactly the minimum: kept
    first = services.model_sites_sweep()
    second = services.model_sites_sweep()
    assert first.suspended == [low.pk] and first.reinstated == []
    assert second.suspended == [] and second.reinstated == []
    low.refresh_from_db(), good.refresh_from_db(), unseen.refresh_from_db()
    assert (low.status, good.status, unseen.status) == ("suspended", "active", "active")
    event = low.events.get(action=ModelSiteEvent.Action.SUSPEND)
    assert event.by is None and event.from_status == "active" and "80.0" in event.reason
    assert event.data["scores"] == ["90.0", "70.0"]
    told = Notification.objects.filter(event=services.MODEL_SITE_SUSPENDED)
    assert list(told.values_list("recipient", flat=True)) == [city.hq.pk]
    # the gallery shows it only to HQ, marked
    assert list(ModelSite.objects.in_gallery(city.leader)) == [good, unseen] or \
        set(ModelSite.objects.in_gallery(city.leader)) == {good, unseen}
    assert low in ModelSite.objects.in_gallery(city.hq)
    # the scores come back: reinstated once
    scored(city, low.sample_point, 95, days_ago=1)
    scored(city, low.sample_point, 96, days_ago=0)
    assert services.model_sites_sweep().reinstated == [low.pk]
    assert services.model_sites_sweep().reinstated == []
    low.refresh_from_db()
    assert low.status == "active" and told.count() == 1


def test_a_withdrawn_model_is_not_judged(city):
    site = mark(city)
    services.model_site_withdraw(site=site, reason="撤销", by=city.hq)
    scored(city, site.sample_point, 10)
    assert services.model_sites_sweep().suspended == []
    site.refresh_from_db()
    assert site.status == "withdrawn"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_suspend_once_and_tell_hq_once(city):
    from ledger.tests.test_concurrency import run_at_once

    site = mark(city)
    scored(city, site.sample_point, 40)
    outcomes = run_at_once(services.model_sites_sweep, services.model_sites_sweep)
    assert sorted(len(o.suspended) for o in outcomes) == [0, 1], outcomes
    assert site.events.filter(action=ModelSiteEvent.Action.SUSPEND).count() == 1
    assert Notification.objects.filter(event=services.MODEL_SITE_SUSPENDED).count() == 1
