"""The report kinds' registry (reports/kinds): a kind is one module and nothing else. A module
written to a directory outside the source tree and added to the package's path is found,
offered everywhere a kind is chosen, requested, computed by the engine, rendered, written to
Excel and produced by the Monday run, with no other file edited."""

import datetime as dt
import io
import sys
import textwrap

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from openpyxl import load_workbook

from ledger.tests.api_support import client_for
from reports import kinds, services, tasks
from reports.choices import ReportKind, ReportStatus
from reports.filters import ReportFilterSet
from reports.forms import ReportRequestForm
from reports.models import Report
from reports.workbook import build_workbook

from .engine_support import (  # noqa: F401 - fixtures
    broker_fixture,
    english_fixture,
    found_last_week,
    last_week,
    media_fixture,
)

MODULE = "zz_found_by_district"
KIND = "found_by_district"

# A complete kind, as a developer would add it to reports/kinds/.
SOURCE = '''
"""Problems found in the period per district: a kind the registry test adds."""

from django.db.models import Count
from django.utils.translation import gettext_lazy

from ledger.models import Problem
from reports.excel import write_table

KIND = "found_by_district"
LABEL = gettext_lazy("Problems found by district")
PERIOD = "week"
ORDER = 99
TEMPLATE = "reports/tests/found_kind.html"
DASHBOARD_TEMPLATE = "found_by_district_card.html"


def compute(*, period, district, progress):
    problems = Problem.objects.filter(found_at__gte=period.starts_at, found_at__lt=period.ends_at)
    if district is not None:
        problems = problems.filter(district=district)
    rows = list(problems.values("district_id", "district__name").annotate(found=Count("id")).order_by("district_id"))
    progress(50)
    return {"found": sum(row["found"] for row in rows),
            "by_district": [{"district_id": r["district_id"], "district": r["district__name"], "found": r["found"]}
                            for r in rows]}


def write_workbook(*, workbook, report):
    sheet = workbook.create_sheet("Found")
    write_table(sheet, title="Found", headers=["District", "Found"],
                rows=[(row["district"], row["found"]) for row in report.data["by_district"]])
'''


def _add_module(monkeypatch, directory, name: str, source: str) -> None:
    directory.mkdir(exist_ok=True)
    (directory / f"{name}.py").write_text(textwrap.dedent(source), encoding="utf-8")
    if str(directory) not in kinds.__path__:
        monkeypatch.setattr(kinds, "__path__", [*kinds.__path__, str(directory)])
    monkeypatch.delitem(sys.modules, f"reports.kinds.{name}", raising=False)


@pytest.fixture(name="extra_kind")
def extra_kind_fixture(monkeypatch, settings, tmp_path):
    """A new kind module in a directory of reports.kinds' path; the registry rescanned. Undone
    after the test (the registry as it was, the module forgotten)."""
    from .engine_support import TEST_TEMPLATES

    monkeypatch.setattr(kinds, "_KINDS", None)
    _add_module(monkeypatch, tmp_path / "kinds", MODULE, SOURCE)
    card = tmp_path / "templates"
    card.mkdir()
    (card / "found_by_district_card.html").write_text(
        '{% if report %}<a class="found-card" href="{% url \'reports:report_detail\' report.pk %}">'
        '{{ kind.label }} {{ report.period.label }}: {{ report.data.found }}</a>{% else %}none yet{% endif %}',
        encoding="utf-8")
    templates = [dict(engine) for engine in settings.TEMPLATES]
    templates[0]["DIRS"] = [*templates[0]["DIRS"], TEST_TEMPLATES, card]
    settings.TEMPLATES = templates
    yield kinds.discover()
    sys.modules.pop(f"reports.kinds.{MODULE}", None)


def test_the_built_in_kinds_are_modules_and_the_helpers_are_not():
    registry = kinds.registry()
    assert list(registry)[:3] == [ReportKind.WEEKLY_ASSIGNMENT, ReportKind.WEEKLY_EXPOSURE,
                                  ReportKind.MONTHLY_COMPARISON]
    assert not {"standings", "public_channel"} & set(registry)
    assert kinds.kinds_of_period("week")[:2] == (ReportKind.WEEKLY_ASSIGNMENT, ReportKind.WEEKLY_EXPOSURE)
    assert ReportKind.MONTHLY_COMPARISON in kinds.kinds_of_period("month")
    assert {ReportKind.WEEKLY_EXPOSURE, ReportKind.MONTHLY_COMPARISON} <= set(kinds.publishing_kinds())
    assert not kinds.publishes(ReportKind.WEEKLY_ASSIGNMENT) and not kinds.publishes("no_such_kind")


@pytest.mark.django_db
def test_a_new_module_is_a_kind_everywhere(extra_kind, city):
    kind = extra_kind[KIND]
    assert (kind.period, kind.published_by_hq, kind.public_board) == ("week", False, False)
    assert list(extra_kind)[-1] == KIND  # ORDER 99: after the built-in kinds
    assert (KIND, "Problems found by district") in [(key, str(label)) for key, label in kinds.kind_choices()]
    # The model's choices (a callable: no migration), the request form, the list filter.
    assert KIND in dict(Report._meta.get_field("kind").flatchoices)
    week = last_week()
    form = ReportRequestForm(data={"kind": KIND, "day": week.start.isoformat()})
    assert form.is_valid(), form.errors
    assert KIND in dict(ReportFilterSet().filters["kind"].field.choices)
    assert Report(kind=KIND).get_kind_display() == "Problems found by district"


@pytest.mark.django_db
def test_a_new_kind_is_requested_computed_rendered_and_written(extra_kind, city, broker, client,
                                                               django_capture_on_commit_callbacks):
    found_last_week(city)
    found_last_week(city, days_in=4)
    week = last_week()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(city.hq).post("/api/reports/", {"kind": KIND, "period_start": week.start.isoformat()},
                                            format="json")
    assert response.status_code == 202, response.content
    report = Report.objects.get(pk=response.json()["id"])
    assert broker.sent == [report.pk]
    assert (report.kind, report.period_start, report.period_end) == (KIND, week.start, week.end)
    report = services.report_run(report_id=report.pk)
    assert report.status == ReportStatus.DONE, report.failure
    assert report.data["found"] == 2
    client.force_login(city.hq)
    page = client.get(f"/reports/{report.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert '<span id="found-total">2</span>' in page.content.decode()
    workbook = load_workbook(io.BytesIO(build_workbook(report, language="en")))
    assert "Found" in workbook.sheetnames
    # Its card on the leaders' dashboard links to it.
    client.force_login(city.leader)
    dashboard = client.get("/reports/dashboard/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f'id="latest-{KIND}"' in dashboard
    assert (f'<a class="found-card" href="/reports/{report.pk}/">Problems found by district '
            f'{report.period.label}: 2</a>') in dashboard
    # Not a kind HQ publishes: publishing it is refused.
    with pytest.raises(services.ReportInvalid):
        services.report_publish(report=report, by=city.hq)


@pytest.mark.django_db
def test_an_unknown_kind_is_refused_by_the_api(city):
    response = client_for(city.hq).post("/api/reports/", {"kind": KIND, "period_start": "2026-01-05"}, format="json")
    assert response.status_code == 400
    assert "kind" in response.json()


@pytest.mark.django_db
def test_the_monday_run_produces_the_new_weekly_kind_and_the_monthly_run_does_not(extra_kind, city, broker,
                                                                                    monkeypatch):
    monday_seven = dt.datetime(2026, 11, 22, 23, 0, 5, tzinfo=dt.UTC)  # Monday 07:00 in Shanghai
    monkeypatch.setattr(timezone, "now", lambda: monday_seven)
    tasks.reports_weekly_scheduled.apply()
    weekly = Report.objects.filter(scheduled=True)
    assert set(weekly.values_list("kind", flat=True)) == set(kinds.kinds_of_period("week"))
    added = weekly.get(kind=KIND)
    assert (added.period_start, added.period_end) == (dt.date(2026, 11, 16), dt.date(2026, 11, 22))
    tasks.reports_weekly_scheduled.apply()  # beat fired twice: nothing more
    assert Report.objects.count() == len(kinds.kinds_of_period("week"))
    monkeypatch.setattr(timezone, "now", lambda: dt.datetime(2026, 11, 30, 23, 0, 5, tzinfo=dt.UTC))
    tasks.reports_monthly_scheduled.apply()
    assert not Report.objects.filter(kind=KIND, period_start=dt.date(2026, 11, 1)).exists()
    assert Report.objects.filter(kind=ReportKind.MONTHLY_COMPARISON, period_start=dt.date(2026, 11, 1)).exists()


# --- A module that declares KIND must declare it whole ----------------------------------------


@pytest.mark.parametrize(("source", "message"), [
    ('KIND = "half_kind"\nLABEL = "Half"\nPERIOD = "week"\nTEMPLATE = "x.html"\n', "compute, write_workbook"),
    (SOURCE.replace('PERIOD = "week"', 'PERIOD = "day"'), "PERIOD must be one of"),
    (SOURCE.replace(f'KIND = "{KIND}"', 'KIND = "' + "k" * 31 + '"'), "at most 30 characters"),
    (SOURCE.replace(f'KIND = "{KIND}"', 'KIND = "weekly_exposure"'), "declared by both"),
])
def test_a_faulty_kind_module_is_named_at_discovery(monkeypatch, tmp_path, source, message):
    monkeypatch.setattr(kinds, "_KINDS", None)
    _add_module(monkeypatch, tmp_path / "kinds", "zz_faulty_kind", source)
    with pytest.raises(ImproperlyConfigured, match=message) as refused:
        kinds.discover()
    assert "reports.kinds.zz_faulty_kind" in str(refused.value)
    sys.modules.pop("reports.kinds.zz_faulty_kind", None)
