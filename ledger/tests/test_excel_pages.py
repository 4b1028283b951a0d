"""The Excel pages and endpoints: who may import and export, and what they answer."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from ledger.choices import Status
from ledger.models import LedgerExport, LedgerImport, Problem
from ledger.tests.excel_helpers import ZH, ledger_row, read_rows, xlsx_bytes
from ledger.tests.factories import problem_in, record

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def upload(data=None, name="ledger.xlsx"):
    return SimpleUploadedFile(name, data if data is not None else xlsx_bytes([ZH, ledger_row(), ledger_row()]))


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_import_pages_are_404_for_everyone_but_hq(city, login):
    record_ = LedgerImport.objects.create(created_by=city.hq, original_name="x.xlsx", file="x.xlsx")
    assert login(None).get("/ledger/problems/import/").status_code == 302
    for user in (city.leader, city.district_lead, city.unit_handler, city.inspector, city.team_lead):
        client = login(user)
        for url in ("/ledger/problems/import/", f"/ledger/problems/import/{record_.pk}/",
                    f"/ledger/problems/import/{record_.pk}/progress/", "/ledger/problems/import/template.xlsx"):
            assert client.get(url).status_code == 404, (user, url)
        assert client.post("/ledger/problems/import/", {"file": upload()}).status_code == 404
    assert LedgerImport.objects.count() == 1


def test_hq_uploads_previews_then_confirms(city, login):
    client = login(city.hq)
    assert client.get("/ledger/problems/import/").status_code == 200

    response = client.post("/ledger/problems/import/", {"file": upload()})
    record_ = LedgerImport.objects.get()
    assert response["Location"] == f"/ledger/problems/import/{record_.pk}/"
    preview = client.get(response["Location"]).content.decode()
    assert 'id="import-confirm"' in preview and Problem.objects.count() == 0

    client.post(f"/ledger/problems/import/{record_.pk}/")
    assert Problem.objects.count() == 2
    client.post(f"/ledger/problems/import/{record_.pk}/")  # a second confirm writes nothing more
    assert Problem.objects.count() == 2


def test_the_preview_page_lists_errors_by_row_and_column(city, login):
    client = login(city.hq)
    data = xlsx_bytes([ZH, ledger_row(), ledger_row(deadline="明天")])
    response = client.post("/ledger/problems/import/", {"file": upload(data)}, follow=True)
    page = response.content.decode()
    assert "整改时限" in page and "明天" in page and 'id="import-confirm"' not in page


def test_the_template_downloads_with_the_headers(city, login):
    response = login(city.hq).get("/ledger/problems/import/template.xlsx")
    assert read_rows(body(response))[0][1] == "Code"


# --- API -------------------------------------------------------------------------------------------


def test_api_import_dry_run_previews_and_writes_nothing(city, login):
    response = login(city.hq).post("/api/problems/import/", {"file": upload(), "dry_run": "1"})
    assert response.status_code == 200
    assert response.json()["to_create"] == 2 and response.json()["errors"] == []
    assert Problem.objects.count() == 0


def test_api_import_writes_all_or_answers_every_error(city, login):
    client = login(city.hq)
    bad = xlsx_bytes([ZH, ledger_row(), ledger_row(), ledger_row(), ledger_row(deadline="2026-02-30")])
    response = client.post("/api/problems/import/", {"file": upload(bad)})
    assert response.status_code == 400
    assert [(e["row"], e["column"]) for e in response.json()["errors"]] == [(5, "整改时限")]
    assert Problem.objects.count() == 0

    response = client.post("/api/problems/import/", {"file": upload()})
    assert response.status_code == 201 and response.json()["created"] == 2
    assert Problem.objects.count() == 2


def test_api_import_refuses_a_file_that_is_not_a_workbook(city, login):
    response = login(city.hq).post("/api/problems/import/", {"file": upload(b"GIF89a\x00\x00\x00", "ledger.xlsx")})
    assert response.status_code == 400 and response.json()["errors"][0]["row"] is None
    assert Problem.objects.count() == 0


def test_api_import_is_for_hq_only(city, login):
    assert login(None).post("/api/problems/import/", {"file": upload()}).status_code in (401, 403)
    for user in (city.leader, city.district_lead, city.unit_handler, city.inspector):
        assert login(user).post("/api/problems/import/", {"file": upload()}).status_code == 403
    assert LedgerImport.objects.count() == 0 and Problem.objects.count() == 0


def test_api_export_gives_the_filtered_scoped_ledger(city, login):
    assigned = problem_in(city, Status.ASSIGNED)
    record(city)
    in_b = record(city, point=city.points_b[0])

    response = login(city.hq).get("/api/problems/export/?status=assigned")
    assert response.status_code == 200
    assert [r[1] for r in read_rows(body(response))[1:]] == [assigned.code]
    response = login(city.other_district_lead).get("/api/problems/export/")
    assert [r[1] for r in read_rows(body(response))[1:]] == [in_b.code]
    assert login(city.hq).get("/api/problems/export/?found_from=notadate").status_code == 400
    assert login(None).get("/api/problems/export/").status_code in (401, 403)
    assert login(city.public).get("/api/problems/export/").status_code == 403


def test_api_large_export_is_queued_and_only_its_requester_or_hq_reads_it(city, login, settings, monkeypatch):
    from ledger import tasks

    settings.LEDGER_EXPORT_BACKGROUND_ROWS = 1
    record(city)
    record(city)
    monkeypatch.setattr(tasks.ledger_export_run, "delay", lambda export_id: None)

    response = login(city.district_lead).get("/api/problems/export/")
    assert response.status_code == 202
    export = LedgerExport.objects.get()
    tasks.ledger_export_run(export.pk)
    status_ = login(city.district_lead).get(f"/api/problems/exports/{export.pk}/").json()
    assert status_["status"] == "done" and status_["file_url"].endswith(f"/api/problems/exports/{export.pk}/file/")
    assert len(read_rows(body(login(city.district_lead).get(f"/api/problems/exports/{export.pk}/file/")))) == 3
    assert login(city.hq).get(f"/api/problems/exports/{export.pk}/file/").status_code == 200
    assert login(city.other_district_lead).get(f"/api/problems/exports/{export.pk}/").status_code == 404
    assert login(city.unit_handler).get(f"/api/problems/exports/{export.pk}/file/").status_code == 404
