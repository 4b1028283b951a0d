"""Pair photos are served only through a scoped view (the files are not under a public
/media/ address): someone who may see the pair gets the photo, anyone else a 404; the API
gives the scoped addresses."""

import datetime as dt

import pytest

from campaign.photos import photo_store
from ledger.tests.api_support import client_for
from ledger.tests.factories import jpeg_upload
from programme.services import pairing as services

from .pairing_factories import communities, pair, task

pytestmark = pytest.mark.django_db


def test_a_pairs_photo_is_served_to_who_sees_the_pair_and_404_to_others(city, login):
    p = pair(city, unit=city.office_a, community=communities(city)["甲一社区"])
    t = task(city, p, due_on=dt.date(2025, 3, 10))
    stored = photo_store(jpeg_upload(), folder="programme/pairing/test")
    services.pair_task_complete(actor=city.hq, task=t, done_on=dt.date(2025, 3, 8), note="清理楼道堆物",
                                photos=[stored], expected_status="planned")
    photo = t.photos.get()
    url = f"/programme/pairing/photos/{photo.pk}/"
    hq = login(city.hq)
    assert hq.get(url).status_code == 200
    assert hq.get(f"{url}thumb/").status_code == 200
    assert login(city.inspector).get(url).status_code == 404
    answer = client_for(city.hq).get(f"/api/pairs/{p.pk}/").json()
    found = [ph for tk in answer.get("tasks", []) for ph in tk.get("photos", [])]
    assert all(ph["image"] == url for ph in found)
