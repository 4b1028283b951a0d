"""The demo checklists, inspections and round that `manage.py seed_demo` writes."""

import datetime
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import TestCase, override_settings
from django.utils import timezone

from campaign.demo import DEMO_DISTRICT, KEY_PLACE_CATEGORIES, demo_city_build
from campaign.models import Category, User
from inspections.choices import InspectionKind, InspectionStatus, Outcome, RoundStatus
from inspections.demo import (
    CHECKLISTS,
    FAILURES,
    ROUND_QUOTAS,
    demo_checklists_build,
    demo_inspections_build,
)
from inspections.models import Checklist, ChecklistVersion, Inspection, ItemResult, Round
from ledger.demo import PHRASES
from ledger.integrity import ledger_findings
from ledger.models import Problem, ProblemEvent

CJK = re.compile(r"[\u4e00-\u9fff]")
FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Where failing them fails the place outright.
VETO_EXPECTED = {"KP-MARKET": "MKT-02", "KP-SIX": "SIX-01", "KP-CATER": "CAT-01", "KP-HOSPITAL": "HOS-01"}


@override_settings(PASSWORD_HASHERS=FAST_HASHER)
class DemoInspectionsTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.today = timezone.localdate()
        demo_city_build(password="demo")
        cls.result = demo_inspections_build()
        cls.inspector = User.objects.get(username="inspector")

    # --- Checklists ------------------------------------------------------------------------------

    def test_every_key_place_category_has_a_checklist_of_six_to_twelve_items(self):
        for code, _zh, _en in KEY_PLACE_CATEGORIES:
            checklist = Checklist.objects.get(category__code=code)
            items = list(checklist.current_version.items.all())
            self.assertTrue(6 <= len(items) <= 12, (code, len(items)))
            self.assertTrue(CJK.search(checklist.name), code)

    def test_items_are_written_in_chinese_and_english_with_points_and_a_severity(self):
        for version in ChecklistVersion.objects.prefetch_related("items"):
            for item in version.items.all():
                self.assertTrue(CJK.search(item.text_zh), item.code)
                self.assertTrue(item.text_en and not CJK.search(item.text_en), item.code)
                self.assertTrue(item.veto or item.points > 0, item.code)
            self.assertLessEqual(sum(item.points for item in version.items.all()), 100, version)

    def test_a_veto_item_where_one_failure_fails_the_place(self):
        for category, code in VETO_EXPECTED.items():
            item = Checklist.objects.get(category__code=category).current_version.items.get(code=code)
            self.assertTrue(item.veto, code)
            self.assertEqual(item.severity, "urgent", code)
        vetoed = set(Checklist.objects.filter(versions__items__veto=True).values_list("category__code", flat=True))
        self.assertEqual(vetoed, set(VETO_EXPECTED))

    def test_the_market_checklist_checks_what_the_assessors_check(self):
        texts = " ".join(Checklist.objects.get(category__code="KP-MARKET").current_version.items
                         .values_list("text_zh", flat=True))
        for words in ("活禽", "宰杀", "摊位", "防蝇", "捕蝇笼", "积水", "公厕", "健康教育"):
            self.assertIn(words, texts)

    def test_building_the_checklists_again_changes_nothing(self):
        versions = ChecklistVersion.objects.count()
        self.assertEqual(demo_checklists_build(by=User.objects.get(username="hq")), 0)
        self.assertEqual(ChecklistVersion.objects.count(), versions)

    def test_a_changed_checklist_that_was_used_gets_a_new_version_and_old_inspections_keep_theirs(self):
        market = Checklist.objects.get(category__code="KP-MARKET")
        used = market.current_version
        self.assertTrue(used.is_used)
        inspections = list(used.inspections.values_list("pk", flat=True))
        Checklist.objects.filter(pk=market.pk).update(name="an older name")
        self.assertEqual(demo_checklists_build(by=User.objects.get(username="hq")), 1)
        self.assertEqual(market.versions.count(), 2)
        self.assertEqual(set(used.inspections.values_list("pk", flat=True)), set(inspections))

    # --- Inspections -----------------------------------------------------------------------------

    def test_about_thirty_inspections_by_the_demo_inspector_over_the_last_weeks(self):
        past = Inspection.objects.filter(round_point__isnull=True)
        self.assertTrue(25 <= past.count() <= 30, past.count())
        self.assertEqual(set(past.values_list("status", flat=True)), {InspectionStatus.SUBMITTED})
        self.assertEqual(set(past.values_list("created_by__username", flat=True)), {"inspector"})
        self.assertEqual(set(past.values_list("sample_point__district__code", flat=True)), {DEMO_DISTRICT})
        days = {timezone.localdate(at) for at in past.values_list("submitted_at", flat=True)}
        self.assertGreater(len(days), 10)
        self.assertGreaterEqual(min(days), self.today - datetime.timedelta(days=6 * 7 + 3))
        self.assertLessEqual(max(days), self.today)
        self.assertTrue(all(day.weekday() < 5 for day in days))
        self.assertGreaterEqual(len(set(past.values_list("kind", flat=True))), 2)

    def test_some_fail_items_and_score_below_100_and_some_pass_everything(self):
        scores = list(Inspection.objects.filter(status=InspectionStatus.SUBMITTED).values_list("score", flat=True))
        self.assertTrue(any(score < 100 for score in scores))
        self.assertTrue(any(score == 100 for score in scores))

    def test_every_failed_item_is_in_the_ledger_once_with_a_real_inspection_phrase(self):
        failed = ItemResult.objects.filter(outcome=Outcome.FAIL, inspection__status=InspectionStatus.SUBMITTED)
        self.assertGreater(failed.count(), 20)
        for result in failed.select_related("inspection__sample_point__category", "item"):
            key = f"{result.inspection.sample_point.category.code}:{result.item.code}"
            problems = Problem.objects.filter(sample_point=result.inspection.sample_point, finding_key=key)
            self.assertEqual(problems.count(), 1, key)
            category = result.inspection.sample_point.category.code
            self.assertTrue(any(result.note.endswith(p) for p, _s in PHRASES[category]), result.note)
        found = Problem.objects.filter(source_ref__startswith="inspection:")
        self.assertEqual(found.count(), sum(n for o, n in self.result.problems.items() if o != "found_again"))
        self.assertEqual(list(ledger_findings()), [])

    def test_the_failure_phrases_are_those_of_the_real_list_for_the_kind_of_place(self):
        for category, items in FAILURES.items():
            phrases = {p for p, _s in PHRASES[category]}
            codes = {item["code"] for item in CHECKLISTS[category][1]}
            for code, written in items.items():
                self.assertIn(code, codes)
                self.assertLessEqual(set(written), phrases, code)

    def test_problems_found_by_an_inspection_are_dated_when_it_was_submitted(self):
        for problem in Problem.objects.filter(source_ref__startswith="inspection:")[:20]:
            inspection = Inspection.objects.get(pk=int(problem.source_ref.split(":")[1]))
            self.assertEqual(problem.found_at, inspection.ended_at)
            self.assertEqual(problem.found_by, self.inspector)

    def test_nothing_is_dated_after_the_build(self):
        built = timezone.now()
        for field in ("started_at", "ended_at", "submitted_at"):
            self.assertFalse(Inspection.objects.filter(**{f"{field}__gt": built}).exists(), field)
        self.assertFalse(ProblemEvent.objects.filter(at__gt=built).exists())

    # --- This week's round -----------------------------------------------------------------------

    def test_this_weeks_unannounced_round_is_drawn_with_its_quotas_and_assigned(self):
        inspection_round = Round.objects.get()
        self.assertEqual(inspection_round.name, f"暗访 第{self.today.isocalendar().week}周")
        self.assertEqual(inspection_round.kind, InspectionKind.UNANNOUNCED)
        self.assertEqual(inspection_round.status, RoundStatus.DRAWN)
        self.assertIsNotNone(inspection_round.seed)
        self.assertLessEqual(inspection_round.starts_on, self.today)
        self.assertGreaterEqual(inspection_round.ends_on, self.today)
        drawn = {}
        for point in inspection_round.points.select_related("category"):
            drawn[point.category.code] = drawn.get(point.category.code, 0) + 1
            self.assertIsNotNone(point.inspector_id)
        self.assertEqual(drawn, ROUND_QUOTAS)

    def test_the_round_is_partly_done_with_one_inspection_left_half_way(self):
        points = Round.objects.get().points.all()
        done = points.filter(inspection__status=InspectionStatus.SUBMITTED)
        self.assertTrue(0 < done.count() < points.count())
        draft = Inspection.objects.get(status=InspectionStatus.DRAFT)
        self.assertEqual(draft.round_point.inspector, self.inspector)
        answered, total = draft.results.count(), draft.checklist_version.items.count()
        self.assertTrue(0 < answered < total)
        mine = points.filter(inspector=self.inspector)
        self.assertTrue(mine.filter(inspection__isnull=True).exists())  # still to do

    # --- Running it again ------------------------------------------------------------------------

    def test_building_again_adds_no_inspection_round_or_problem(self):
        before = (Inspection.objects.count(), Round.objects.count(), Problem.objects.count(),
                  ChecklistVersion.objects.count())
        result = demo_inspections_build()
        self.assertIsNone(result.round)
        self.assertEqual((Inspection.objects.count(), Round.objects.count(), Problem.objects.count(),
                          ChecklistVersion.objects.count()), before)


@pytest.fixture
def fast_hasher(settings, monkeypatch):
    settings.PASSWORD_HASHERS = FAST_HASHER
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)


@pytest.mark.django_db
def test_seed_demo_without_the_ledger_writes_the_checklists_only_and_stays_idempotent(fast_hasher):
    for _run in range(2):
        call_command("seed_demo", "--without-ledger", stdout=StringIO())
        codes = set(Checklist.objects.values_list("category__code", flat=True))
        assert codes == {code for code, _zh, _en in KEY_PLACE_CATEGORIES}
        assert ChecklistVersion.objects.count() == len(KEY_PLACE_CATEGORIES)
        assert not Inspection.objects.exists()
        assert not Problem.objects.exists()
    assert Category.objects.filter(code__startswith="KP-").count() == len(KEY_PLACE_CATEGORIES)
