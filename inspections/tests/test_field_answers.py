"""Answering in the field: each tap saved at once (and changed), photos, submitting (refused
while items are open, naming them), the problems it raises, the lock, and the photos' scope."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from campaign.tests.factories import make_user
from inspections import services
from inspections.choices import InspectionKind, InspectionStatus, Outcome
from inspections.models import ItemResult, ResultPhoto
from inspections.tests.factories import market_checklist
from ledger.choices import PhotoKind, Source, Status
from ledger.models import Problem

pytestmark = pytest.mark.django_db
FRAGMENT = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def draft(city):
    market_checklist(city)
    return services.inspection_start(sample_point=city.points_a[0], kind=InspectionKind.UNANNOUNCED,
                                     by=city.inspector)


@pytest.fixture
def items(draft):
    return {item.code: item for item in draft.checklist_version.items.all()}


def jpeg(name="fail.jpg", size=(640, 480)):
    buffer = io.BytesIO()
    Image.new("RGB", size, (160, 40, 40)).save(buffer, format="JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def url(draft, item):
    return f"/inspections/{draft.pk}/items/{item.pk}/"


def answer_all(city, draft, outcomes=None):
    for item in draft.checklist_version.items.all():
        services.inspection_record_result(inspection=draft, item=item, by=city.inspector,
                                          outcome=(outcomes or {}).get(item.code, Outcome.PASS))


# --- Saving an answer ---------------------------------------------------------------------------


def test_a_tap_saves_the_answer_and_answers_a_small_fragment(city, login, draft, items):
    response = login(city.inspector).post(url(draft, items["M02"]), {"outcome": "pass", "note": ""}, **FRAGMENT)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-result="pass"' in html
    assert "<html" not in html and len(html) < 1000
    assert ItemResult.objects.get(inspection=draft, item=items["M02"]).outcome == Outcome.PASS


def test_changing_an_answer_replaces_it_with_its_note(city, login, draft, items):
    client = login(city.inspector)
    client.post(url(draft, items["M02"]), {"outcome": "pass"}, **FRAGMENT)
    response = client.post(url(draft, items["M02"]), {"outcome": "fail", "note": "摊位堆放杂物"}, **FRAGMENT)
    assert response.status_code == 200
    result = ItemResult.objects.get(inspection=draft, item=items["M02"])
    assert (result.outcome, result.note) == (Outcome.FAIL, "摊位堆放杂物")
    assert ItemResult.objects.filter(inspection=draft).count() == 1


def test_a_plain_form_post_saves_and_returns_to_the_item(city, login, draft, items):
    response = login(city.inspector).post(url(draft, items["M03"]), {"outcome": "na"})
    assert response.status_code == 302
    assert response["Location"] == f"/inspections/{draft.pk}/fill/#item-{items['M03'].pk}"
    assert ItemResult.objects.get(inspection=draft).outcome == Outcome.NOT_APPLICABLE


def test_an_answer_without_a_result_is_refused(city, login, draft, items):
    response = login(city.inspector).post(url(draft, items["M02"]), {"note": "只有备注"}, **FRAGMENT)
    assert response.status_code == 400
    assert "Choose Pass, Fail or N/A" in response.content.decode()
    assert not ItemResult.objects.exists()


def test_an_unknown_result_is_refused(city, login, draft, items):
    response = login(city.inspector).post(url(draft, items["M02"]), {"outcome": "maybe"}, **FRAGMENT)
    assert response.status_code == 400
    assert not ItemResult.objects.exists()


def test_an_item_of_another_checklist_is_404(city, login, draft):
    from inspections.tests.factories import MARKET_ITEMS

    other = services.checklist_revise(category=city.restaurant, items=MARKET_ITEMS, by=city.hq)
    item = other.items.first()
    assert login(city.inspector).post(url(draft, item), {"outcome": "pass"}, **FRAGMENT).status_code == 404


def test_reading_the_item_endpoint_is_not_allowed(city, login, draft, items):
    assert login(city.inspector).get(url(draft, items["M01"])).status_code == 405


# --- Who may answer -----------------------------------------------------------------------------


def test_anonymous_is_sent_to_login(client, draft, items):
    response = client.post(url(draft, items["M01"]), {"outcome": "pass"})
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    # From the phone's script: an empty answer that tells it to sign in again (its answer is kept).
    response = client.post(url(draft, items["M01"]), {"outcome": "pass"}, **FRAGMENT)
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith("/login/")
    assert not ItemResult.objects.exists()


def test_member_of_the_public_is_refused(city, login, draft, items):
    assert login(city.public).post(url(draft, items["M01"]), {"outcome": "pass"}).status_code == 403


@pytest.mark.parametrize("actor", ["district_lead", "leader"])
def test_who_sees_but_does_not_take_part_may_not_answer(city, login, draft, items, actor):
    response = login(getattr(city, actor)).post(url(draft, items["M01"]), {"outcome": "fail", "photos": jpeg()},
                                               **FRAGMENT)
    assert response.status_code == 403
    assert not ItemResult.objects.exists()
    assert not ResultPhoto.objects.exists()


def test_another_inspector_gets_404(city, login, draft, items):
    stranger = make_user("other_inspector", "inspector", district=city.district_a)
    assert login(stranger).post(url(draft, items["M01"]), {"outcome": "pass"}).status_code == 404


def test_another_districts_lead_gets_404(city, login, draft, items):
    assert login(city.other_district_lead).post(url(draft, items["M01"]), {"outcome": "pass"}).status_code == 404


def test_hq_staff_may_answer(city, login, draft, items):
    assert login(city.hq).post(url(draft, items["M01"]), {"outcome": "pass"}, **FRAGMENT).status_code == 200


# --- Photos -------------------------------------------------------------------------------------


def test_a_photo_is_stored_with_the_answer_and_shown_in_the_fragment(city, login, draft, items):
    response = login(city.inspector).post(
        url(draft, items["M01"]), {"outcome": "fail", "note": "活禽区未封闭", "photos": [jpeg("a.jpg"), jpeg("b.jpg")]},
        **FRAGMENT,
    )
    assert response.status_code == 200
    photos = list(ResultPhoto.objects.filter(result__item=items["M01"]))
    assert len(photos) == 2
    assert all(photo.width == 640 and photo.uploaded_by == city.inspector for photo in photos)
    html = response.content.decode()
    for photo in photos:
        assert f"/inspections/photos/{photo.pk}/thumb/" in html


def test_later_photos_add_to_the_earlier_ones(city, login, draft, items):
    client = login(city.inspector)
    client.post(url(draft, items["M01"]), {"outcome": "fail", "photos": jpeg()}, **FRAGMENT)
    client.post(url(draft, items["M01"]), {"outcome": "fail", "photos": jpeg()}, **FRAGMENT)
    assert ResultPhoto.objects.count() == 2


def test_a_file_that_is_not_a_picture_is_refused_and_nothing_saved(city, login, draft, items):
    fake = SimpleUploadedFile("photo.jpg", b"%PDF-1.4 not a picture", content_type="image/jpeg")
    response = login(city.inspector).post(url(draft, items["M01"]), {"outcome": "fail", "photos": fake}, **FRAGMENT)
    assert response.status_code == 400
    assert "is not a picture" in response.content.decode()
    assert not ItemResult.objects.exists()
    assert not ResultPhoto.objects.exists()


def test_a_refused_photo_keeps_the_answer_saved_before(city, login, draft, items):
    client = login(city.inspector)
    client.post(url(draft, items["M01"]), {"outcome": "fail"}, **FRAGMENT)
    fake = SimpleUploadedFile("photo.jpg", b"not a picture", content_type="image/jpeg")
    response = client.post(url(draft, items["M01"]), {"outcome": "pass", "photos": fake}, **FRAGMENT)
    assert response.status_code == 400
    assert 'data-result="fail"' in response.content.decode()
    assert ItemResult.objects.get().outcome == Outcome.FAIL


@pytest.fixture
def result_photo(city, login, draft, items):
    login(city.inspector).post(url(draft, items["M01"]), {"outcome": "fail", "photos": jpeg()}, **FRAGMENT)
    return ResultPhoto.objects.get()


@pytest.mark.parametrize("actor", ["inspector", "district_lead", "hq"])
@pytest.mark.parametrize("suffix", ["", "thumb/"])
def test_a_photo_is_served_privately_to_those_who_see_the_inspection(city, login, result_photo, actor, suffix):
    response = login(getattr(city, actor)).get(f"/inspections/photos/{result_photo.pk}/{suffix}")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert "private" in response["Cache-Control"]
    assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"


@pytest.mark.parametrize("actor", ["other_district_lead", "public"])
@pytest.mark.parametrize("suffix", ["", "thumb/"])
def test_a_photo_is_404_for_those_who_do_not_see_the_inspection(city, login, result_photo, actor, suffix):
    assert login(getattr(city, actor)).get(f"/inspections/photos/{result_photo.pk}/{suffix}").status_code == 404


def test_a_photo_is_404_for_another_inspector(city, login, result_photo):
    stranger = make_user("other_inspector", "inspector", district=city.district_a)
    assert login(stranger).get(f"/inspections/photos/{result_photo.pk}/").status_code == 404


def test_a_photo_asks_anonymous_to_sign_in(login, result_photo):
    response = login(None).get(f"/inspections/photos/{result_photo.pk}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


# --- Submitting ---------------------------------------------------------------------------------

CONFIRMED = {"confirmed": "yes"}


def test_submitting_asks_for_confirmation_first(city, login, draft, items):
    answer_all(city, draft)
    client = login(city.inspector)
    page = client.get(f"/inspections/{draft.pk}/fill/").content.decode()
    # The button opens the question; its own button sends the confirmation (no script needed).
    assert '<details class="confirm-step w-100" id="submit-button-step">' in page
    assert 'name="confirmed" value="yes" id="submit-button"' in page
    response = client.post(f"/inspections/{draft.pk}/submit/", {"note": "整体较差"})
    assert response.status_code == 400
    assert "Confirm first" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == InspectionStatus.DRAFT
    assert client.post(f"/inspections/{draft.pk}/submit/", CONFIRMED).status_code == 302
    draft.refresh_from_db()
    assert draft.status == InspectionStatus.SUBMITTED



def test_submitting_with_open_items_is_refused_naming_them(city, login, draft, items):
    client = login(city.inspector)
    client.post(url(draft, items["M01"]), {"outcome": "pass"}, **FRAGMENT)
    client.post(url(draft, items["M02"]), {"outcome": "fail"}, **FRAGMENT)
    response = client.post(f"/inspections/{draft.pk}/submit/", {"note": "", "confirmed": "yes"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "still open: M03, M04, M05" in html
    assert f'href="#item-{items["M03"].pk}"' in html
    assert html.count("item-card mb-3 is-missing") == 3
    draft.refresh_from_db()
    assert draft.status == InspectionStatus.DRAFT
    assert not Problem.objects.exists()


def test_submitting_scores_locks_and_sends_each_failed_item_to_the_ledger(city, login, draft, items):
    client = login(city.inspector)
    client.post(url(draft, items["M01"]), {"outcome": "fail", "note": "活禽区未封闭", "photos": jpeg()}, **FRAGMENT)
    for code in ("M02", "M03", "M05"):
        client.post(url(draft, items[code]), {"outcome": "pass"}, **FRAGMENT)
    client.post(url(draft, items["M04"]), {"outcome": "fail"}, **FRAGMENT)
    response = client.post(f"/inspections/{draft.pk}/submit/", {"note": "整体较差", "latitude": "30.9", "confirmed": "yes",
                                                                "longitude": "121.45"})
    assert response.status_code == 302
    assert response["Location"] == f"/inspections/{draft.pk}/"
    draft.refresh_from_db()
    assert draft.status == InspectionStatus.SUBMITTED
    assert str(draft.score) == "87.0"
    assert draft.note == "整体较差"
    problems = {p.finding_key: p for p in Problem.objects.all()}
    assert set(problems) == {"MKT:M01", "MKT:M04"}
    live_poultry = problems["MKT:M01"]
    assert live_poultry.source == Source.UNANNOUNCED_VISIT
    assert live_poultry.source_ref == f"inspection:{draft.pk}"
    assert live_poultry.status == Status.ASSIGNED and live_poultry.responsible_unit == city.office_a
    assert "活禽区未封闭" in live_poultry.description
    assert live_poultry.photos.filter(kind=PhotoKind.BEFORE).count() == 1
    page = client.get(response["Location"]).content.decode()
    assert "score of 87.0" in page
    assert f'href="/ledger/problems/{live_poultry.pk}/"' in page
    assert page.count('data-finding="new"') == 2


def test_a_submitted_inspection_cannot_be_changed(city, login, draft, items):
    answer_all(city, draft)
    services.inspection_submit(inspection=draft, by=city.inspector)
    client = login(city.inspector)
    response = client.post(url(draft, items["M01"]), {"outcome": "fail", "photos": jpeg()}, **FRAGMENT)
    assert response.status_code == 409
    assert "locked" in response.content.decode()
    assert ItemResult.objects.get(item=items["M01"]).outcome == Outcome.PASS
    assert not ResultPhoto.objects.exists()
    again = client.post(f"/inspections/{draft.pk}/submit/", CONFIRMED)
    assert again.status_code == 302
    assert again["Location"] == f"/inspections/{draft.pk}/"
    assert "locked" in client.get(again["Location"]).content.decode()


def test_a_locked_inspection_answered_by_a_plain_form_shows_a_message(city, login, draft, items):
    answer_all(city, draft)
    services.inspection_submit(inspection=draft, by=city.inspector)
    client = login(city.inspector)
    response = client.post(url(draft, items["M01"]), {"outcome": "fail"})
    assert response.status_code == 302
    follow = client.get(response["Location"], follow=True)
    assert "locked" in follow.content.decode()


@pytest.mark.parametrize("actor", ["district_lead", "leader"])
def test_who_does_not_take_part_may_not_submit(city, login, draft, actor):
    answer_all(city, draft)
    assert login(getattr(city, actor)).post(f"/inspections/{draft.pk}/submit/", CONFIRMED).status_code == 403
    draft.refresh_from_db()
    assert draft.status == InspectionStatus.DRAFT


def test_another_districts_lead_cannot_submit(city, login, draft):
    answer_all(city, draft)
    assert login(city.other_district_lead).post(f"/inspections/{draft.pk}/submit/", CONFIRMED).status_code == 404


def test_saving_an_answer_has_bounded_queries_whatever_the_number_of_photos(city, login, draft, items):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(city.inspector)
    # The page once first: what a process keeps after its first request (the header's current
    # campaign, in the cache) is not part of what an answer costs.
    assert client.get(f"/inspections/{draft.pk}/fill/").status_code == 200
    counts = []
    for code, photos in (("M01", [jpeg()]), ("M02", [jpeg(), jpeg(), jpeg(), jpeg()])):
        with CaptureQueriesContext(connection) as queries:
            assert client.post(url(draft, items[code]), {"outcome": "fail", "photos": photos},
                               **FRAGMENT).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 20


# --- Removing a photo before submission ---------------------------------------------------------


def test_an_item_photo_is_removed_before_submission(city, login, draft, items, django_capture_on_commit_callbacks):
    from django.core.files.storage import default_storage

    client = login(city.inspector)
    client.post(url(draft, items["M01"]), {"outcome": "fail", "photos": [jpeg(), jpeg("second.jpg")]}, **FRAGMENT)
    first, second = ResultPhoto.objects.order_by("id")
    fill = client.get(f"/inspections/{draft.pk}/fill/").content.decode()
    remove = f"/inspections/{draft.pk}/photos/{first.pk}/remove/"
    assert f'formaction="{remove}"' in fill
    # The phone's script posts it as a fragment: the item's state comes back without the photo.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(remove, **FRAGMENT)
    assert response.status_code == 200
    assert f'data-photo="{second.pk}"' in response.content.decode()
    assert f'data-photo="{first.pk}"' not in response.content.decode()
    assert list(ResultPhoto.objects.values_list("pk", flat=True)) == [second.pk]
    assert not default_storage.exists(first.image.name) and not default_storage.exists(first.thumbnail.name)
    assert default_storage.exists(second.image.name)
    # Without script: the item's form is posted there, and the page comes back at the item.
    response = client.post(f"/inspections/{draft.pk}/photos/{second.pk}/remove/", {"outcome": "fail"})
    assert response.status_code == 302 and response["Location"].endswith(f"#item-{items['M01'].pk}")
    assert not ResultPhoto.objects.exists()
    assert ItemResult.objects.get(item=items["M01"]).outcome == Outcome.FAIL  # the answer stays


def test_a_submitted_inspections_photos_stay(city, login, draft, items, result_photo):
    answer_all(city, draft, {"M01": Outcome.FAIL})
    services.inspection_submit(inspection=draft, by=city.inspector)
    response = login(city.inspector).post(f"/inspections/{draft.pk}/photos/{result_photo.pk}/remove/", **FRAGMENT)
    assert response.status_code == 409
    assert ResultPhoto.objects.filter(pk=result_photo.pk).exists()
    assert "Remove photo" not in login(city.inspector).get(f"/inspections/{draft.pk}/").content.decode()


@pytest.mark.parametrize("actor", ["district_lead", "other_district_lead"])
def test_only_the_inspections_inspectors_remove_its_photos(city, login, draft, result_photo, actor):
    response = login(getattr(city, actor)).post(f"/inspections/{draft.pk}/photos/{result_photo.pk}/remove/")
    assert response.status_code == (403 if actor == "district_lead" else 404)
    assert ResultPhoto.objects.filter(pk=result_photo.pk).exists()
