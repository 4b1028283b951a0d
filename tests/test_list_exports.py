"""Every list exports to Excel with the page's filters, through the one export mechanism
(campaign/exporting.py): scoped, filtered, safe, audited; large ones in the worker."""

import io

import openpyxl
import pytest
from django.utils import translation
from django.utils.translation import gettext as _

from campaign import tasks as campaign_tasks
from campaign.choices import AuditAction, ImportStatus
from campaign.exporting import EXPORTS
from campaign.models import AuditEntry, ExportJob, SamplePoint
from inspections.choices import InspectionKind
from inspections.tests.factories import inspect, market_checklist
from ledger.choices import Status
from ledger.sheets import assignment_sheet_issue
from ledger.tests.factories import problem_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def workbook_cells(response) -> list[list]:
    """The first sheet's cells; none of them may be a formula."""
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(body(response))).worksheets[0]
    cells = [list(row) for row in sheet.iter_rows()]
    assert [c.coordinate for row in cells for c in row if c.data_type == "f"] == []
    return cells


def values(response) -> list[list]:
    return [[c.value for c in row] for row in workbook_cells(response)]


def column(rows: list[list], header: str) -> list:
    index = rows[0].index(header)
    return [row[index] for row in rows[1:]]


def test_every_list_page_links_to_its_export_keeping_the_query_string(city, login):
    client = login(city.hq)
    pages = {
        "sample_points": "/sample-points/?district={a}", "people": "/people/?role=hq_staff",
        "audit": "/audit/?action=export", "inspections": "/inspections/?kind=unannounced",
        "scores": "/inspections/scores/?sort=best", "rounds": "/inspections/rounds/",
        "assignment_sheets": "/ledger/sheets/?q=47", "problem_classes": "/ledger/classes/",
        "accountability-records": "/accountability/?district={a}",
        "supervision-notices": "/accountability/notices/?district={a}",
        "action_targets": "/programme/actions/objects/?status=open",
        "vector_surveys": "/assessment/vectors/?district={a}",
        "round-plans": "/programme/plans/?kind=routine", "cross-inspection": "/programme/cross-inspection/",
        # programme: model sites and the sample points' build-out
        "model_sites": "/programme/models/?district={a}",
        "sample_point_buildout": "/programme/buildout/points/?district={a}",
        "sample_point_buildout_figures": "/programme/buildout/?district={a}",
        "pairs": "/programme/pairing/?active=true", "communities": "/programme/pairing/communities/?district={a}",
    }
    assert set(pages) == set(EXPORTS)
    for kind, url in pages.items():
        url = url.format(a=city.district_a.pk)
        page = client.get(url).content.decode()
        query = url.partition("?")[2]
        assert f'href="/exports/{kind}/' in page, kind
        if query:
            assert f"/exports/{kind}/?{query}".replace("&", "&amp;") in page, kind


def test_the_sample_point_export_has_the_filtered_rows_with_headers_in_the_users_language(city, login):
    client = login(city.hq)
    rows = values(client.get(f"/exports/sample_points/?district={city.district_a.pk}"))
    assert rows[0][:3] == ["编号", "名称", "类别"]
    assert sorted(column(rows, "名称")) == sorted(p.name for p in city.points_a)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = values(client.get("/exports/sample_points/"))
    assert english[0][:3] == ["Code", "Name", "Category"]
    assert len(english) == 1 + SamplePoint.objects.count()
    entry = AuditEntry.objects.filter(action=AuditAction.EXPORT, target="sample_points").last()  # the first
    assert entry.details["filters"] == {"district": [str(city.district_a.pk)]}
    assert entry.details["delivery"] == "direct"


def test_a_district_lead_exports_only_their_district(city, login):
    rows = values(login(city.district_lead).get("/exports/sample_points/"))
    assert sorted(column(rows, "名称")) == sorted(p.name for p in city.points_a)
    # Another district named in the filter: its points are not theirs, the filter is refused.
    response = login(city.district_lead).get(f"/exports/sample_points/?district={city.district_b.pk}")
    assert response.status_code == 302 and response["Location"].startswith("/sample-points/")


def test_formula_like_text_is_written_as_text(city, login):
    SamplePoint.objects.filter(pk=city.points_a[0].pk).update(name='=HYPERLINK("http://evil","x")')
    cells = workbook_cells(login(city.hq).get(f"/exports/sample_points/?q=HYPERLINK&district={city.district_a.pk}"))
    name = cells[1][1]
    assert name.value == '=HYPERLINK("http://evil","x")' and name.data_type == "s" and name.quotePrefix


def test_the_csv_export_has_the_same_rows(city, login):
    response = login(city.hq).get(f"/exports/sample_points/?district={city.district_a.pk}&format=csv")
    assert response["Content-Type"].startswith("text/csv")
    text = body(response).decode("utf-8-sig").splitlines()
    assert text[0].startswith("编号,名称") and len(text) == 1 + len(city.points_a)


def test_people_are_exported_for_hq_only(city, login):
    rows = values(login(city.hq).get("/exports/people/?role=district_lead"))
    assert sorted(column(rows, "用户名")) == ["district_lead", "other_district_lead"]
    for user in (city.district_lead, city.leader, city.unit_handler):
        assert login(user).get("/exports/people/").status_code == 404
        assert login(user).get("/exports/audit/").status_code == 404
    assert login(city.public).get("/exports/people/").status_code == 403
    assert login(None).get("/exports/people/").status_code == 302
    assert login(city.hq).get("/exports/nothing_such/").status_code == 404


def test_inspections_and_scores_export_what_the_page_filters(city, login):
    market_checklist(city)
    inspect(city, outcomes={}, kind=InspectionKind.UNANNOUNCED)
    inspect(city, outcomes={}, kind=InspectionKind.ROUTINE)
    client = login(city.district_lead)
    everything = values(client.get("/exports/inspections/"))
    only = values(client.get("/exports/inspections/?kind=routine"))
    assert len(everything) == 3 and len(only) == 2
    with translation.override("zh-hans"):
        assert column(only, str(_("Kind"))) == [str(InspectionKind.ROUTINE.label)]
    scores = values(client.get("/exports/scores/?sort=code"))
    assert column(scores, "编号") == [city.points_a[0].code]
    assert values(login(city.other_district_lead).get("/exports/inspections/"))[1:] == []


def test_sheets_export_with_the_lists_filters(city, login):
    first = assignment_sheet_issue(unit=city.office_a, problems=[problem_in(city, Status.ASSIGNED)], by=city.hq)
    second = assignment_sheet_issue(unit=city.office_a, problems=[problem_in(city, Status.ASSIGNED)], by=city.hq)
    rows = values(login(city.hq).get(f"/exports/assignment_sheets/?q={second.number[5:]}"))
    assert column(rows, "交办单号") == [second.number]
    assert first.number in column(values(login(city.district_lead).get("/exports/assignment_sheets/")), "交办单号")
    assert values(login(city.other_district_lead).get("/exports/assignment_sheets/"))[1:] == []


def test_problem_classes_and_rounds_export(city, login):
    client = login(city.hq)
    assert values(client.get("/exports/problem_classes/"))[0][0] == "编号"
    assert values(client.get("/exports/rounds/?status=planned"))[0][0] == "名称"


def test_a_small_export_runs_a_bounded_number_of_queries(city, login, django_assert_max_num_queries):
    client = login(city.hq)
    for index in range(30):
        SamplePoint.objects.create(code=f"X{index:03d}", name=f"点{index}", category=city.points_a[0].category,
                                   district=city.district_a, responsible_unit=city.office_a)
    with django_assert_max_num_queries(12):
        assert client.get("/exports/sample_points/").status_code == 200


def test_a_large_export_runs_in_the_worker_and_only_the_requester_or_hq_downloads_it(
        city, login, settings, monkeypatch, django_capture_on_commit_callbacks):
    settings.EXPORT_BACKGROUND_ROWS = 1
    queued = []
    monkeypatch.setattr(campaign_tasks.list_export_run, "delay", queued.append)
    client = login(city.district_lead)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get("/exports/sample_points/?active=true")
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/exports/jobs/{job.pk}/"
    assert queued == [job.pk] and job.kind == "sample_points" and job.filters == {"active": ["true"]}
    assert b"hx-get" in client.get(f"/exports/jobs/{job.pk}/").content

    assert campaign_tasks.list_export_run(job.pk) == ImportStatus.DONE
    assert campaign_tasks.list_export_run(job.pk) == ImportStatus.DONE  # delivered twice: written once
    job.refresh_from_db()
    assert job.total_rows == len(city.points_a)
    rows = values(client.get(f"/exports/jobs/{job.pk}/download/"))
    assert sorted(column(rows, "名称")) == sorted(p.name for p in city.points_a)  # the requester's scope
    assert login(city.hq).get(f"/exports/jobs/{job.pk}/download/").status_code == 200
    assert login(city.other_district_lead).get(f"/exports/jobs/{job.pk}/").status_code == 404
    assert login(city.other_district_lead).get(f"/exports/jobs/{job.pk}/download/").status_code == 404
    deliveries = AuditEntry.objects.filter(action=AuditAction.EXPORT).values_list("details__delivery", flat=True)
    assert sorted(deliveries) == ["background", "download", "download"]


def test_a_failing_writer_fails_the_job_with_a_message(city, login, monkeypatch, settings):
    settings.EXPORT_BACKGROUND_ROWS = 1
    monkeypatch.setattr(campaign_tasks.list_export_run, "delay", lambda job_id: None)
    login(city.hq).get("/exports/sample_points/")
    job = ExportJob.objects.get()
    monkeypatch.setattr("campaign.spreadsheets.XlsxStream.append", lambda *a, **k: 1 / 0)
    assert campaign_tasks.list_export_run(job.pk) == ImportStatus.FAILED
    job.refresh_from_db()
    assert job.failure and not job.file


def test_a_worker_given_up_on_does_not_fail_the_job_another_took_over(city, login, monkeypatch, settings):
    import datetime as dt

    from django.utils import timezone

    from campaign.exporting import export_job_fail
    from campaign.jobs import job_claim

    settings.EXPORT_BACKGROUND_ROWS = 1
    monkeypatch.setattr(campaign_tasks.list_export_run, "delay", lambda job_id: None)
    login(city.hq).get("/exports/sample_points/")
    job = ExportJob.objects.get()
    first = job_claim(ExportJob, job.pk)
    ExportJob.objects.filter(pk=job.pk).update(
        claimed_at=timezone.now() - dt.timedelta(seconds=settings.JOB_LEASE_SECONDS + 5))
    second = job_claim(ExportJob, job.pk)  # the first worker was given up on; a second one has the job
    export_job_fail(ExportJob, job.pk, reason="stale worker", claim=first)
    export_job_fail(ExportJob, job.pk, reason="retries ran out")  # no claim: another worker's live job
    job.refresh_from_db()
    assert (job.status, job.claim, job.failure) == (ImportStatus.RUNNING, second, "")
    export_job_fail(ExportJob, job.pk, reason="its own failure", claim=second)
    job.refresh_from_db()
    assert (job.status, job.failure) == (ImportStatus.FAILED, "its own failure")
