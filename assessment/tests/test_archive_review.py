"""HQ's review of the archive's materials: the transition table, stale reviews refused, the unit
told of a return; who sees what (out of scope: 404); completeness figures."""

import datetime as dt

import pytest
from django.utils import timezone, translation

from assessment.choices import MaterialStatus
from assessment.models import (
    MaterialEvent,
    MaterialRequirement,
    MaterialState,
    StandardArticle,
    StandardPart,
)
from assessment.selectors.archive import archive_completeness, requirements_visible_to
from assessment.services.archive import (
    TRANSITIONS,
    MaterialConflict,
    MaterialForbidden,
    MaterialInvalid,
    material_file_submit,
    material_review,
)
from notifications.models import Notification

from .archive_factories import build_standard, docx, pdf

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def std(city):
    return build_standard(city)


def test_the_transition_table_is_the_whole_story():
    assert TRANSITIONS == {
        ("submit", "missing"): "submitted", ("submit", "submitted"): "submitted", ("submit", "returned"): "submitted",
        ("accept", "submitted"): "accepted", ("return", "submitted"): "returned",
    }


def test_return_then_new_version_then_accept_records_every_move(city, std):
    first = material_file_submit(requirement=std.plan, upload=pdf(), by=city.unit_handler)
    material_review(requirement=std.plan, file=first, accept=False, comment="缺少盖章", by=city.hq)
    state = MaterialState.objects.get(requirement=std.plan)
    assert (state.status, state.last_comment) == (MaterialStatus.RETURNED, "缺少盖章")
    told = Notification.objects.get(event="assessment.material_returned")
    assert told.recipient == city.unit_handler and told.context["comment"] == "缺少盖章"
    assert told.url == f"/assessment/archive/materials/{std.plan.pk}/"
    second = material_file_submit(requirement=std.plan, upload=docx(), by=city.unit_handler)
    material_review(requirement=std.plan, file=second, accept=True, by=city.hq)
    state.refresh_from_db()
    assert (state.status, state.accepted_file_id) == (MaterialStatus.ACCEPTED, second.pk)
    moves = list(MaterialEvent.objects.filter(requirement=std.plan).order_by("id").values_list(
        "action", "from_status", "to_status", "actor__username", "file__version", "comment"))
    assert moves == [
        ("submit", "missing", "submitted", "unit_handler", 1, ""),
        ("return", "submitted", "returned", "hq", 1, "缺少盖章"),
        ("submit", "returned", "submitted", "unit_handler", 2, ""),
        ("accept", "submitted", "accepted", "hq", 2, ""),
    ]


def test_a_stale_review_of_an_older_version_is_refused(city, std):
    first = material_file_submit(requirement=std.plan, upload=pdf(), by=city.unit_handler)
    material_file_submit(requirement=std.plan, upload=docx(), by=city.unit_handler)  # before HQ looked
    with pytest.raises(MaterialConflict, match="Version 1 is no longer the latest"):
        material_review(requirement=std.plan, file=first, accept=True, by=city.hq)
    assert MaterialState.objects.get(requirement=std.plan).status == MaterialStatus.SUBMITTED
    assert MaterialEvent.objects.filter(action="accept").count() == 0


def test_reviews_need_hq_a_comment_to_return_and_a_submitted_material(city, std):
    first = material_file_submit(requirement=std.plan, upload=pdf(), by=city.unit_handler)
    for user in (city.unit_handler, city.leader, city.team_lead):
        with pytest.raises(MaterialForbidden):
            material_review(requirement=std.plan, file=first, accept=True, by=user)
    with pytest.raises(MaterialInvalid, match="needs a comment"):
        material_review(requirement=std.plan, file=first, accept=False, comment="  ", by=city.hq)
    material_review(requirement=std.plan, file=first, accept=True, by=city.hq)
    with pytest.raises(MaterialConflict, match="cannot be"):
        material_review(requirement=std.plan, file=first, accept=False, comment="再看看", by=city.hq)
    with pytest.raises(MaterialInvalid, match="another material"):
        material_review(requirement=std.committee, file=first, accept=True, by=city.hq)


def test_who_sees_which_materials(city, std):
    def codes(user):
        return sorted(requirements_visible_to(user).values_list("code", flat=True))

    everything = ["1.1-01", "1.1-02", "1.2-01", "3.1-01"]
    assert codes(city.hq) == codes(city.leader) == everything
    assert codes(city.unit_handler) == ["1.1-01", "1.1-02"]  # office A's
    assert codes(city.team_lead) == ["3.1-01"]  # part 3 is the team's
    std.article12.team = city.team
    std.article12.save()
    assert codes(city.team_lead) == ["1.2-01", "3.1-01"]  # an article given to the team
    assert codes(city.district_lead) == ["1.1-01", "1.1-02", "1.2-01"]  # district A's units and city departments
    for role in ("inspector", "grid_chief", "road_chief", "public"):
        assert codes(city.users[role]) == []


def test_pages_and_files_out_of_scope_are_404(city, std, login):
    record = material_file_submit(requirement=std.toilets, upload=pdf("公厕.pdf"), by=city.hq)
    client = login(city.unit_handler)
    assert client.get(f"/assessment/archive/materials/{std.toilets.pk}/").status_code == 404
    assert client.get(f"/assessment/archive/files/{record.pk}/").status_code == 404
    assert client.get(f"/assessment/archive/materials/{std.plan.pk}/").status_code == 200
    assert client.get("/assessment/archive/completeness/").status_code == 200  # scoped: see below
    assert client.post("/assessment/archive/zip/").status_code == 404
    response = login(city.leader).get(f"/assessment/archive/files/{record.pk}/?download=1")
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "attachment" in response["Content-Disposition"]
    assert "%E5%85%AC%E5%8E%95.pdf" in response["Content-Disposition"]  # 公厕.pdf
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_the_material_page_uploads_and_reviews_through_the_services(city, std, login):
    client = login(city.unit_handler)
    url = f"/assessment/archive/materials/{std.plan.pk}/"
    fake = pdf("假.docx")
    response = client.post(url, {"action": "upload", "file": fake})
    assert response.status_code == 400
    assert "的文件名表明是 Word (.docx)，但内容是 PDF" in response.content.decode()
    response = client.post(url, {"action": "upload", "file": pdf(), "note": "第一版"})
    assert response.status_code == 302
    state = MaterialState.objects.get(requirement=std.plan)
    hq = login(city.hq)
    response = hq.post(url, {"action": "review", "file": state.latest_file_id, "decision": "return", "comment": ""})
    assert response.status_code == 400 and "退回资料须附给单位的意见" in response.content.decode()
    response = hq.post(url, {"action": "review", "file": state.latest_file_id, "decision": "return",
                             "comment": "请补充盖章页"})
    assert response.status_code == 302
    page = login(city.unit_handler).get(url).content.decode()
    assert "请补充盖章页" in page and 'id="upload-form"' in page


def test_completeness_by_part_article_unit_and_team_as_of_a_day(city, std):
    today = timezone.localdate()
    yesterday_noon = timezone.now() - dt.timedelta(days=1)
    first = material_file_submit(requirement=std.committee, upload=pdf(), by=city.unit_handler, at=yesterday_noon)
    material_review(requirement=std.committee, file=first, accept=True, by=city.hq, at=yesterday_noon)
    plan = material_file_submit(requirement=std.plan, upload=pdf(), by=city.unit_handler)
    material_review(requirement=std.plan, file=plan, accept=False, comment="重做", by=city.hq)
    material_file_submit(requirement=std.toilets, upload=pdf(), by=city.hq)
    by_part = archive_completeness(edition=std.edition, as_of=today, by="part")
    assert by_part[std.part1.pk] == {"required": 3, "accepted": 1, "submitted": 0, "returned": 1, "missing": 1,
                                     "overdue": 2, "percent": 33.3}
    assert by_part[std.part3.pk] == {"required": 1, "accepted": 0, "submitted": 1, "returned": 0, "missing": 0,
                                     "overdue": 0, "percent": 0.0}
    by_article = archive_completeness(edition=std.edition, as_of=today, by="article")
    assert by_article[std.article11.pk]["percent"] == 50.0
    assert by_article[std.article12.pk]["missing"] == 1
    by_unit = archive_completeness(edition=std.edition, as_of=today, by="unit")
    assert set(by_unit) == {city.office_a.pk, city.city_department.pk, city.office_b.pk}
    assert by_unit[city.office_a.pk]["accepted"] == 1 and by_unit[city.office_a.pk]["returned"] == 1
    by_team = archive_completeness(edition=std.edition, as_of=today, by="team")
    assert by_team[std.other_team.pk]["required"] == 3 and by_team[city.team.pk]["required"] == 1
    # Two days ago nothing had been uploaded; the plan was already overdue then (due 5 days ago).
    before = archive_completeness(edition=std.edition, as_of=today - dt.timedelta(days=2), by="part")
    assert before[std.part1.pk]["missing"] == 3 and before[std.part1.pk]["accepted"] == 0
    assert before[std.part1.pk]["overdue"] == 1
    std.minutes.active = False
    std.minutes.save()
    assert archive_completeness(edition=std.edition, as_of=today, by="part")[std.part1.pk]["required"] == 2
    with pytest.raises(ValueError):
        archive_completeness(edition=std.edition, as_of=today, by="district")


def test_a_pdf_opens_inline_sandboxed_and_a_word_file_downloads(city, std, login):
    shown = material_file_submit(requirement=std.plan, upload=pdf("计划.pdf"), by=city.unit_handler)
    material_review(requirement=std.plan, file=shown, accept=False, comment="改", by=city.hq)
    word = material_file_submit(requirement=std.plan, upload=docx("计划.docx"), by=city.unit_handler)
    client = login(city.unit_handler)
    response = client.get(f"/assessment/archive/files/{shown.pk}/")
    assert response["Content-Type"] == "application/pdf" and response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("inline; filename*=UTF-8''")
    assert "sandbox" in response["Content-Security-Policy"]
    assert "no-store" in response["Cache-Control"]
    response = client.get(f"/assessment/archive/files/{word.pk}/")
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessingml")


def test_the_completeness_page_by_article_reads_in_constant_queries(city, std, login):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(city.hq)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/assessment/archive/completeness/?by=article").status_code == 200
        return len(captured)

    queries()  # the first request warms caches (the session, the site's settings)
    few = queries()
    for number in range(2, 8):  # six more articles, in another part, each with a material
        part = StandardPart.objects.create(edition=std.edition, number=10 + number, title=f"第{number}部分")
        article = StandardArticle.objects.create(part=part, number=f"{10 + number}.1", order=1, title="条")
        MaterialRequirement.objects.create(article=article, code=f"{10 + number}.1-01", order=1, title="资料",
                                           responsible_unit=city.office_a)
    assert queries() == few


def test_the_completeness_page_is_scoped_for_units_and_team_leads(city, std, login):
    unit = login(city.unit_handler).get("/assessment/archive/completeness/?by=unit")
    assert unit.status_code == 200 and 'id="completeness-scope"' in unit.content.decode()
    assert [row["id"] for row in unit.context["rows"]] == [city.office_a.pk]
    assert unit.context["rows"][0]["required"] == 2
    team = login(city.team_lead).get("/assessment/archive/completeness/?by=part")
    assert [row["id"] for row in team.context["rows"]] == [std.part3.pk]
    whole = login(city.hq).get("/assessment/archive/completeness/?by=part")
    assert {row["id"] for row in whole.context["rows"]} == {std.part1.pk, std.part3.pk}
    assert 'id="completeness-scope"' not in whole.content.decode()
    assert login(city.users["inspector"]).get("/assessment/archive/completeness/").status_code == 404
