"""The public channel's step of `manage.py seed_demo`: defaults, the real citizen messages, and
web reports in the demo district in every state, written once."""

from io import StringIO

import pytest
from django.core.management import call_command

from campaign.demo import DEMO_DISTRICT
from campaign.geo import city_bounds
from conftest import REALDATA
from public_reports.choices import Channel, ReportStatus, RewardStatus, TrackingStage
from public_reports.demo import WEB_REPORTS, demo_defaults_step, demo_public_reports_step
from public_reports.models import PublicCategory, PublicReport, Reward, RewardRule
from public_reports.selectors import tracking_stage

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_city(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo", "--without-ledger", stdout=StringIO())


def test_the_city_only_demo_has_the_public_list_and_reward_rules(demo_city):
    assert PublicCategory.objects.count() == 12
    assert RewardRule.objects.count() == 3
    assert not PublicReport.objects.exists()
    assert demo_defaults_step().headline.startswith("Public categories (12)")


@pytest.mark.realdata
def test_the_demo_step_fills_the_queue_with_every_state_once(demo_city):
    report = demo_public_reports_step()
    assert report.wrote and "2816 imported messages, 7 web reports" in report.headline
    web = {r.idempotency_key: r for r in PublicReport.objects.filter(channel=Channel.WEB).select_related("problem")}
    assert len(web) == len(WEB_REPORTS)
    stages = {key: tracking_stage(r) for key, r in web.items()}
    assert stages == {"demo-web-1": TrackingStage.RECEIVED, "demo-web-2": TrackingStage.RECEIVED,
                      "demo-web-3": TrackingStage.ACCEPTED, "demo-web-4": TrackingStage.MERGED,
                      "demo-web-5": TrackingStage.REJECTED, "demo-web-6": TrackingStage.CLOSED,
                      "demo-web-7": TrackingStage.CLOSED}
    assert web["demo-web-4"].status == ReportStatus.MERGED and web["demo-web-4"].merged_into == web["demo-web-3"]
    assert all(r.district.code == DEMO_DISTRICT and r.photos.count() == 1 for r in web.values())
    bounds = city_bounds()
    if bounds is not None:
        assert all(bounds.south <= float(r.latitude) <= bounds.north for r in web.values())
    rewards = dict(Reward.objects.values_list("report__idempotency_key", "status"))
    assert rewards == {"demo-web-6": RewardStatus.PENDING, "demo-web-7": RewardStatus.PAID}
    assert PublicReport.objects.filter(channel=Channel.IMPORTED, status=ReportStatus.RECEIVED).count() == 2816

    again = demo_public_reports_step()
    assert not again.wrote
    assert PublicReport.objects.count() == 2816 + len(WEB_REPORTS)
    assert Reward.objects.count() == 2


def test_without_the_real_data_the_step_still_makes_the_web_reports(demo_city, monkeypatch, tmp_path):
    monkeypatch.setattr("public_reports.demo.DEFAULT_DIR", tmp_path / "absent")
    report = demo_public_reports_step()
    assert "0 imported messages, 7 web reports" in report.headline
    assert any("absent" in line for line in report.details)
    assert not PublicReport.objects.filter(channel=Channel.IMPORTED).exists()
    assert REALDATA  # the real folder is found the tests' way (conftest.REALDATA)
