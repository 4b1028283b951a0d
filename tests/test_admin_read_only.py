"""The admin only reads the records that services write (each change an event): HQ staff may
open them but not add, change or delete them. The programme's plan admin once said "read only"
in its docstring while HQ could still change plans there, outside the service."""

import pytest
from django.contrib import admin
from django.test import RequestFactory

from assessment.models import MaterialFile, VectorSurvey
from programme.models import PairTask, RoundPlan

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", [RoundPlan, PairTask, VectorSurvey, MaterialFile])
def test_hq_reads_but_cannot_write_service_owned_records_in_the_admin(city, model):
    request = RequestFactory().get("/admin/")
    request.user = city.hq
    model_admin = admin.site._registry[model]
    assert model_admin.has_view_permission(request)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
