"""Idempotency keys (campaign/idempotency.py): a phone's queue sending a request again never
records it twice; the same key for another request is refused; failures are not kept."""

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.test.client import encode_multipart
from django.urls import reverse
from django.utils import timezone

from campaign.models import IdempotencyKey
from inspections.models import ResultPhoto
from inspections.tests.factories import market_checklist
from ledger import services as ledger_services
from ledger.choices import Action, PhotoKind, Status
from ledger.models import EvidencePhoto, Problem
from ledger.tests.api_support import client_for
from ledger.tests.factories import jpeg_upload, problem_in


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def acknowledge_url(problem) -> str:
    return reverse("problem-acknowledge", args=[problem.pk])


def acknowledge(client, problem, key=None, note="收到", **extra):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post(acknowledge_url(problem), {"note": note, "version": problem.version}, format="json",
                       **headers, **extra)


def test_a_repeat_with_the_same_key_gets_the_kept_answer_and_writes_nothing(city):
    problem = problem_in(city, Status.ASSIGNED)
    client = client_for(city.unit_handler)
    first = acknowledge(client, problem, key="q-1")
    assert first.status_code == 200, first.content
    assert "Idempotent-Replayed" not in first
    again = acknowledge(client, problem, key="q-1")
    assert again.status_code == 200
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert again["Content-Type"] == first["Content-Type"]
    assert problem.events.filter(action=Action.ACKNOWLEDGE).count() == 1
    assert IdempotencyKey.objects.filter(user=city.unit_handler, key="q-1", status_code=200).count() == 1


def test_without_the_header_a_repeat_runs_again_and_the_ledger_says_conflict(city):
    problem = problem_in(city, Status.ASSIGNED)
    client = client_for(city.unit_handler)
    assert acknowledge(client, problem).status_code == 200
    again = acknowledge(client, problem)
    assert again.status_code == 409
    assert again.json()["code"] == "conflict"
    assert again.json()["detail"]
    assert not IdempotencyKey.objects.exists()


def test_the_same_key_for_a_different_request_is_422(city):
    problem = problem_in(city, Status.ASSIGNED)
    client = client_for(city.unit_handler)
    assert acknowledge(client, problem, key="q-2").status_code == 200
    other = acknowledge(client, problem, key="q-2", note="另一个说明")
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"
    assert "different request" in other.json()["detail"]


def test_keys_are_per_person(city):
    """Another person's request with the same key is theirs: it runs (here, refused as theirs)."""
    problem = problem_in(city, Status.ASSIGNED)
    assert acknowledge(client_for(city.unit_handler), problem, key="same").status_code == 200
    hq = acknowledge(client_for(city.hq), Problem.objects.get(pk=problem.pk), key="same")
    assert "Idempotent-Replayed" not in hq
    assert IdempotencyKey.objects.filter(key="same").count() == 2


def test_a_malformed_key_is_422(city):
    problem = problem_in(city, Status.ASSIGNED)
    refused = acknowledge(client_for(city.unit_handler), problem, key="no spaces allowed")
    assert refused.status_code == 422
    assert refused.json()["code"] == "idempotency_key_invalid"
    assert Problem.objects.get(pk=problem.pk).status == Status.ASSIGNED


def test_a_server_error_is_not_kept_and_its_writes_are_rolled_back(city, monkeypatch):
    problem = problem_in(city, Status.ASSIGNED)
    original = ledger_services.problem_acknowledge

    def acknowledge_then_fail(**kwargs):
        original(**kwargs)
        raise RuntimeError("the disk filled up")

    monkeypatch.setattr(ledger_services, "problem_acknowledge", acknowledge_then_fail)
    client = client_for(city.unit_handler)
    client.raise_request_exception = False
    failed = acknowledge(client, problem, key="q-500")
    assert failed.status_code == 500
    assert not IdempotencyKey.objects.exists()
    assert Problem.objects.get(pk=problem.pk).status == Status.ASSIGNED  # the acknowledgement was rolled back
    monkeypatch.setattr(ledger_services, "problem_acknowledge", original)
    retried = acknowledge(client, problem, key="q-500")
    assert retried.status_code == 200 and "Idempotent-Replayed" not in retried
    assert Problem.objects.get(pk=problem.pk).status == Status.RECTIFYING


def test_a_refusal_by_the_ledger_is_kept_and_replayed(city):
    """A 409 is the answer to that request: sending it again says the same, without running."""
    problem = problem_in(city, Status.RECTIFYING)
    client = client_for(city.unit_handler)
    refused = acknowledge(client, problem, key="q-409")
    assert refused.status_code == 409
    again = acknowledge(client, problem, key="q-409")
    assert again.status_code == 409 and again["Idempotent-Replayed"] == "true"
    assert again.json() == refused.json()


def test_a_403_is_not_kept_so_the_retry_runs(city):
    problem = problem_in(city, Status.ASSIGNED)
    refused = acknowledge(client_for(city.inspector), problem, key="q-403")
    assert refused.status_code == 403
    assert not IdempotencyKey.objects.exists()
    # The same key from the right person is theirs and runs.
    assert acknowledge(client_for(city.unit_handler), problem, key="q-403").status_code == 200


def test_anonymous_requests_are_not_keyed(city):
    problem = problem_in(city, Status.ASSIGNED)
    refused = acknowledge(client_for(None), problem, key="anon")
    assert refused.status_code in (401, 403)
    assert not IdempotencyKey.objects.exists()


def test_an_api_token_request_is_keyed_by_its_person(city):
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    token = Token.objects.create(user=city.unit_handler)
    problem = problem_in(city, Status.ASSIGNED)
    client = APIClient(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert acknowledge(client, problem, key="tok").status_code == 200
    again = acknowledge(client, problem, key="tok")
    assert again.status_code == 200 and again["Idempotent-Replayed"] == "true"
    assert IdempotencyKey.objects.get(key="tok").user == city.unit_handler


def test_the_sweep_deletes_keys_older_than_30_days(city, settings):
    from campaign.services.idempotency import idempotency_keys_purge
    from campaign.tasks import idempotency_keys_purge as task

    now = timezone.now()
    old = IdempotencyKey.objects.create(user=city.hq, key="old", method="POST", path="/api/x/", request_digest="0",
                                        status_code=200, created_at=now - timedelta(days=31))
    kept = IdempotencyKey.objects.create(user=city.hq, key="new", method="POST", path="/api/x/", request_digest="0",
                                         status_code=200, created_at=now - timedelta(days=29))
    assert idempotency_keys_purge(now=now) == 1
    assert not IdempotencyKey.objects.filter(pk=old.pk).exists()
    assert IdempotencyKey.objects.filter(pk=kept.pk).exists()
    assert task() == 0
    assert settings.CELERY_BEAT_SCHEDULE["campaign-idempotency-keys-purge"]["task"] == "campaign.tasks.idempotency_keys_purge"


# --- Multipart: answers with photos, closing applications -----------------------------------------


def multipart_post(client, url, data, *, boundary, key):
    return client.generic("POST", url, encode_multipart(boundary, data),
                          content_type=f"multipart/form-data; boundary={boundary}", HTTP_IDEMPOTENCY_KEY=key)


def test_a_repeated_answer_with_a_photo_stores_the_photo_once(city):
    from inspections import services as inspection_services

    market_checklist(city)
    inspection = inspection_services.inspection_start(sample_point=city.points_a[0], kind="unannounced",
                                                      by=city.inspector)
    item = inspection.checklist_version.items.order_by("order").first()
    url = reverse("inspection-results", args=[inspection.pk])
    photo = jpeg_upload("shot.jpg").read()
    client = client_for(city.inspector)

    def send(boundary):
        from django.core.files.uploadedfile import SimpleUploadedFile

        data = {"item": item.pk, "outcome": "fail", "note": "地面积水",
                "photos": [SimpleUploadedFile("shot.jpg", photo, content_type="image/jpeg")]}
        # A browser draws a new boundary each time it sends the same form.
        return multipart_post(client, url, data, boundary=boundary, key="answer-1")

    first = send("BoundaryFirst0001")
    assert first.status_code == 200, first.content
    again = send("BoundaryOther0002")
    assert again.status_code == 200 and again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert ResultPhoto.objects.filter(result__inspection=inspection).count() == 1


def test_a_repeated_closing_application_stores_its_photo_once(city):
    from django.core.files.uploadedfile import SimpleUploadedFile

    problem = problem_in(city, Status.RECTIFYING)
    photo = jpeg_upload("after.jpg").read()
    url = reverse("problem-apply-close", args=[problem.pk])
    client = client_for(city.unit_handler)
    answers = [
        multipart_post(client, url, {"note": "已整改", "version": problem.version,
                                     "photos": [SimpleUploadedFile("after.jpg", photo, content_type="image/jpeg")]},
                       boundary=boundary, key="close-1")
        for boundary in ("b-one", "b-two")
    ]
    assert [a.status_code for a in answers] == [200, 200], answers[0].content
    assert answers[1]["Idempotent-Replayed"] == "true"
    assert Problem.objects.get(pk=problem.pk).status == Status.CLOSING_APPLIED
    assert EvidencePhoto.objects.filter(problem=problem, kind=PhotoKind.AFTER).count() == 1
    assert problem.events.filter(action=Action.APPLY_CLOSE).count() == 1
    # Another photo under the same key is another request.
    other = multipart_post(client, url, {"note": "已整改", "version": problem.version,
                                         "photos": [jpeg_upload("after.jpg", color=(1, 2, 3))]},
                           boundary="b-three", key="close-1")
    assert other.status_code == 422


# --- Concurrent repeats (PostgreSQL) ---------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_repeat_sent_while_the_first_runs_waits_for_it_and_replays(city, monkeypatch):
    problem = problem_in(city, Status.ASSIGNED)
    original = ledger_services.problem_acknowledge
    entered = threading.Event()

    def slow_acknowledge(**kwargs):
        entered.set()
        result = original(**kwargs)
        time.sleep(1.0)  # the second request arrives meanwhile and must wait on the key's insert
        return result

    monkeypatch.setattr(ledger_services, "problem_acknowledge", slow_acknowledge)
    answers = [None, None]
    finished = [0.0, 0.0]

    def send(index):
        try:
            if index == 1:
                entered.wait(timeout=10)
            answers[index] = acknowledge(client_for(city.unit_handler), problem, key="twice")
            finished[index] = time.monotonic()
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(i,)) for i in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert [a.status_code for a in answers] == [200, 200], [a.content for a in answers]
    assert "Idempotent-Replayed" not in answers[0]
    assert answers[1]["Idempotent-Replayed"] == "true"
    assert answers[1].json() == answers[0].json()
    assert finished[1] >= finished[0]  # it waited for the first to commit
    assert problem.events.filter(action=Action.ACKNOWLEDGE).count() == 1
    assert IdempotencyKey.objects.filter(key="twice").count() == 1


def test_a_method_the_view_does_not_take_is_its_405_whatever_the_key(city):
    api = client_for(city.hq)
    for attempt in range(2):
        refused = api.put("/api/auth/token/", {"username": "x", "password": "y"}, format="json",
                          HTTP_IDEMPOTENCY_KEY="same-key")
        assert refused.status_code == 405, attempt
    assert not IdempotencyKey.objects.filter(key="same-key").exists()
