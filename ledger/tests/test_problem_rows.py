"""The ledger list's rows written in Python (``problem_rows``, ledger/templatetags/ledger_ui.py)
say exactly what the template they replace said: the same HTML, escaping, badges, dates and
translations, for a mix of rows in both languages, with and without the tick boxes."""

from datetime import timedelta

import pytest
from django.template import engines
from django.utils import timezone, translation

from ledger import services
from ledger.choices import Severity, Source, Status
from ledger.models import Problem
from ledger.tests.factories import problem_in, record
from ledger.views.problems import LIST_RELATED

pytestmark = pytest.mark.django_db

# ledger/_problem_rows.html before the rows were written in Python (its loop, verbatim).
PREVIOUS_ROWS = """{% load i18n ledger_ui %}{% translate "Select" as t_select %}{% translate "Description" as t_description %}{% translate "Status" as t_status %}{% translate "District" as t_district %}{% translate "Category" as t_category %}{% translate "Responsible unit" as t_unit %}{% translate "Found on" as t_found %}{% translate "Deadline" as t_deadline %}{% for problem in problems %}
      <tr data-problem="{{ problem.code }}">
        {% if selectable %}<td data-label="{{ t_select }}"><input class="form-check-input" type="checkbox" name="problems" value="{{ problem.pk }}" aria-label="{{ problem.code }}"><input type="hidden" name="version-{{ problem.pk }}" value="{{ problem.version }}"></td>{% endif %}
        <td class="stack-title text-nowrap"><a href="{% problem_url problem %}">{{ problem.code }}</a>
          <span class="d-md-none">{% overdue_badge problem %}</span></td>
        <td data-label="{{ t_description }}"><div>{{ problem.description|short:60 }}
          {% if problem.sample_point %}<div class="small text-body-secondary">{{ problem.sample_point.name }}</div>{% endif %}</div></td>
        <td data-label="{{ t_status }}"><div class="d-flex flex-wrap gap-1">{% status_badge problem %} {% severity_badge problem %} {% rejected_badge problem %}</div></td>
        <td data-label="{{ t_district }}">{{ problem.district.label }}</td>
        <td data-label="{{ t_category }}">{{ problem.category.label }}</td>
        <td data-label="{{ t_unit }}">{{ problem.responsible_unit.label|default:"—" }}</td>
        <td data-label="{{ t_found }}" class="text-nowrap">{{ problem.found_at|date:"Y-m-d" }}</td>
        <td data-label="{{ t_deadline }}"><div class="d-flex flex-wrap gap-1"><span class="text-nowrap">{{ problem.deadline|date:"Y-m-d"|default:"—" }}</span> {% overdue_badge problem %}</div></td>
      </tr>
    {% endfor %}"""
NEW_ROWS = "{% load ledger_ui %}{% problem_rows problems selectable %}"


@pytest.fixture
def mixed(city):
    """Problems in every status, overdue by one and by many days, rejected once and three
    times, serious and urgent, a rebound, one without a sample point or unit, one found just
    before midnight (the date is the local one), and text that must be escaped."""
    today = timezone.localdate()
    problems = [problem_in(city, status) for status in Status.values]
    late = problem_in(city, Status.ASSIGNED)
    Problem.objects.filter(pk=late.pk).update(deadline=today - timedelta(days=1), rejection_count=1)
    later = problem_in(city, Status.RECTIFYING, point=city.points_a[1])
    Problem.objects.filter(pk=later.pk).update(deadline=today - timedelta(days=12), rejection_count=3,
                                               severity=Severity.URGENT)
    closed_late = problem_in(city, Status.CLOSED)
    Problem.objects.filter(pk=closed_late.pk).update(deadline=today - timedelta(days=5), severity=Severity.SERIOUS)
    rebound = services.problem_record_rebound(original=closed_late, by=city.hq, description="又发现 <b>反弹</b>")
    bare = services.problem_record(
        by=city.hq, category=city.points_b[0].category, district=city.district_b,
        description='  "引号" & <script>alert(1)</script>\n' + "很长的描述" * 20, source=Source.PUBLIC_REPORT,
    )
    midnight = timezone.localtime().replace(hour=23, minute=59, second=30, microsecond=0) - timedelta(days=3)
    night = record(city, found_at=midnight, description="O'Brien's stall > 60 characters " + "x" * 40)
    problems += [late, later, closed_late, rebound, bare, night]
    return list(Problem.objects.filter(pk__in=[p.pk for p in problems]).select_related(*LIST_RELATED)
                .order_by("-id"))


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("selectable", [True, False])
def test_rows_are_what_the_template_wrote(mixed, language, selectable):
    engine = engines["django"]
    context = {"problems": mixed, "selectable": selectable}
    with translation.override(language):
        previous = engine.from_string(PREVIOUS_ROWS).render(context)
        new = engine.from_string(NEW_ROWS).render(context)
    assert new == previous
    # The mix is what it says: every status, the badges and the escaping are in it.
    assert len(mixed) == len(Status.values) + 6
    for marker in ("overdue-badge", 'data-days="1"', 'data-days="12"', "text-bg-danger\">", "&lt;script&gt;",
                   "&quot;引号&quot; &amp;", "O&#x27;Brien", "—", "…"):
        assert marker in new, marker
    assert ('name="problems"' in new) == selectable


def test_rows_follow_the_language(mixed):
    engine = engines["django"]
    with translation.override("en"):
        english = engine.from_string(NEW_ROWS).render({"problems": mixed})
    with translation.override("zh-hans"):
        chinese = engine.from_string(NEW_ROWS).render({"problems": mixed})
    assert 'data-label="Deadline"' in english and "District A" in english
    assert 'data-label="Deadline"' not in chinese and "甲区" in chinese


def test_the_ledger_page_shows_the_rows_the_template_wrote(city, login, mixed):
    html = login(city.hq).get("/ledger/problems/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    rows = list(Problem.objects.filter(pk__in=[p.pk for p in mixed]).select_related(*LIST_RELATED)
                .order_by("-found_at", "-id"))
    with translation.override("en"):
        previous = engines["django"].from_string(PREVIOUS_ROWS).render({"problems": rows, "selectable": True})
    assert previous in html


def test_the_labels_kept_for_the_process_follow_the_language_and_a_rename(city, mixed):
    """The rows' labels and badges are kept per process, per language (ledger_ui._Once with
    ``kept``): rendering in one language then the other and back gives each language's text,
    and a unit renamed shows its new name at once (the name is the key)."""
    engine = engines["django"]

    def rows(language):
        problems = list(Problem.objects.filter(pk__in=[p.pk for p in mixed]).select_related(*LIST_RELATED)
                        .order_by("-id"))
        with translation.override(language):
            return (engine.from_string(NEW_ROWS).render({"problems": problems}),
                    engine.from_string(PREVIOUS_ROWS).render({"problems": problems}))

    for language in ("en", "zh-hans", "en", "zh-hans"):
        new, previous = rows(language)
        assert new == previous
    unit = next(p.responsible_unit for p in mixed if p.responsible_unit_id)
    unit.name, unit.name_en = "改名后的单位", "Renamed unit"
    unit.save()
    for language, name in (("en", "Renamed unit"), ("zh-hans", "改名后的单位")):
        new, previous = rows(language)
        assert new == previous and name in new
