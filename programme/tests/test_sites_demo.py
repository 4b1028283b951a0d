"""The demo step: model sites with photos and build-out states in every district and category,
some overdue; run again, it adds nothing. The beat task runs the sweep by its name."""

import pytest

from campaign.jobs import task_by_name
from programme.demo.sites import demo_sites_step
from programme.models import BuildoutState, ModelSite, ModelSitePhoto, SamplePointBuildout
from programme.selectors.sites import buildout_figures

from .sites_support import english, media, scored  # noqa: F401

pytestmark = pytest.mark.django_db


def test_demo_step_is_believable_and_idempotent(city):
    scored(city, city.points_a[0], 95)
    scored(city, city.points_b[1], 40)
    first = demo_sites_step()
    assert first.wrote
    assert ModelSite.objects.count() >= 2 and ModelSitePhoto.objects.count() == ModelSite.objects.count()
    assert SamplePointBuildout.objects.count() == 4
    assert set(SamplePointBuildout.objects.values_list("state", flat=True)) >= {
        BuildoutState.PLANNED, BuildoutState.BUILDING}
    _lines, total = buildout_figures(city.hq)
    assert total.overdue >= 1
    # the poorly scoring model was suspended by the daily check the step runs
    assert ModelSite.objects.get(sample_point=city.points_b[1]).status == "suspended"
    again = demo_sites_step()
    assert not again.wrote and SamplePointBuildout.objects.count() == 4


def test_the_beat_task_is_registered_by_name(city):
    task = task_by_name("programme.model_sites_sweep")
    assert task.name == "programme.model_sites_sweep"
    assert task.apply().get() == "model sites: 0 suspended, 0 reinstated"
