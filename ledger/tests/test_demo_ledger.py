"""The demo ledger that `manage.py seed_demo` writes: twelve weeks of believable, verifiable history.

Built once for the class (seeding takes seconds); each test reads it inside its own savepoint.
"""

import datetime
import io
import shutil
import tempfile
from io import StringIO

from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import models
from django.test import TestCase, override_settings
from django.utils import timezone
from PIL import Image

from campaign.models import SamplePoint, User
from ledger.choices import Action, PhotoKind, Severity, Source, Status
from ledger.demo import PHRASES, demo_ledger_build
from ledger.integrity import ledger_findings
from ledger.models import AssignmentSheet, EvidencePhoto, Problem, ProblemEvent

MEDIA_ROOT = tempfile.mkdtemp(prefix="demo-ledger-media-")


def demo_problems():
    """The demo ledger's own problems: seed_demo may add others afterwards (an inspection's
    failed items carry a finding key, a public report accepted by the public channel's step
    links back to it)."""
    return Problem.objects.filter(finding_key="").exclude(source_ref__startswith="public_report:")


@override_settings(MEDIA_ROOT=MEDIA_ROOT, PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
class DemoLedgerTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        out = StringIO()
        call_command("seed_demo", stdout=out)
        cls.output = out.getvalue()
        cls.now = timezone.now()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        shutil.rmtree(MEDIA_ROOT, ignore_errors=True)

    # --- What is in it ---------------------------------------------------------------------------

    def test_it_holds_a_few_hundred_problems_in_every_state_most_of_them_closed(self):
        total = demo_problems().count()
        self.assertTrue(400 <= total <= 800, total)
        for status in Status.values:
            self.assertTrue(demo_problems().filter(status=status).exists(), status)
        self.assertGreater(demo_problems().filter(status=Status.CLOSED).count(), total / 2)
        self.assertLess(demo_problems().filter(status=Status.INVALID).count(), total / 10)

    def test_some_open_problems_are_overdue_and_some_open_ones_are_not(self):
        overdue = demo_problems().overdue()
        self.assertGreaterEqual(overdue.count(), 5)
        self.assertTrue(all(p.days_overdue > 0 for p in overdue))
        self.assertTrue(demo_problems().open().exclude(pk__in=overdue).filter(deadline__isnull=False).exists())

    def test_some_problems_were_rejected_once_and_then_closed_by_someone_else(self):
        rejected = demo_problems().filter(status=Status.CLOSED, rejection_count=1)
        self.assertGreaterEqual(rejected.count(), 5)
        for problem in rejected[:10]:
            actions = list(problem.events.exclude(action__in=[Action.REBOUND, Action.FOUND_AGAIN, Action.CLASSIFY, Action.ISSUE_SHEET])
                           .order_by("seq").values_list("action", "actor"))
            names = [a for a, _ in actions]
            self.assertEqual(names[-4:], [Action.APPLY_CLOSE, Action.REJECT, Action.APPLY_CLOSE, Action.APPROVE])
            self.assertNotEqual(actions[-1][1], actions[-2][1])  # verified by someone other than the applicant
            self.assertTrue(problem.last_rejection_reason)

    def test_hq_issued_a_sheet_every_monday_to_each_unit_of_the_week_before(self):
        sheets = AssignmentSheet.objects.filter(items__problem__in=demo_problems()).distinct()
        mondays = {timezone.localtime(s.issued_at).date() for s in sheets}
        self.assertGreaterEqual(len(mondays), 8)
        self.assertEqual({day.isoweekday() for day in mondays}, {1})
        for sheet in sheets.prefetch_related("items__problem")[:20]:
            for item in sheet.items.all():
                self.assertEqual(item.problem.responsible_unit_id, sheet.unit_id)
                self.assertTrue(item.problem.events.filter(action__in=[Action.ASSIGN, Action.REASSIGN],
                                                           at__lt=sheet.issued_at).exists())
                self.assertTrue(item.problem.events.filter(action=Action.ISSUE_SHEET, at=sheet.issued_at).exists())

    def test_rebounds_are_new_problems_linked_to_closed_ones_found_after_the_closing(self):
        rebounds = demo_problems().filter(rebound_of__isnull=False).select_related("rebound_of")
        self.assertGreaterEqual(rebounds.count(), 3)
        for rebound in rebounds:
            original = rebound.rebound_of
            self.assertEqual(original.status, Status.CLOSED)
            self.assertGreater(rebound.found_at, original.closed_at)
            self.assertEqual((rebound.sample_point_id, rebound.category_id),
                             (original.sample_point_id, original.category_id))
            self.assertTrue(original.events.filter(action=Action.REBOUND, data={"rebound": rebound.code}).exists())

    def test_duplicates_are_invalid_and_linked_to_an_earlier_problem_at_the_same_place(self):
        duplicates = demo_problems().filter(duplicate_of__isnull=False).select_related("duplicate_of")
        self.assertGreaterEqual(duplicates.count(), 3)
        for duplicate in duplicates:
            self.assertEqual(duplicate.status, Status.INVALID)
            self.assertTrue(duplicate.invalid_reason)
            self.assertLess(duplicate.duplicate_of.found_at, duplicate.found_at)
            self.assertEqual(duplicate.sample_point_id, duplicate.duplicate_of.sample_point_id)
            self.assertIn(duplicate.duplicate_of.code, duplicate.invalid_reason)

    def test_problems_are_assigned_to_their_points_unit_with_a_deadline_from_their_severity(self):
        days_by_severity = {Severity.GENERAL: {7, 14}, Severity.SERIOUS: {3}, Severity.URGENT: {1}}
        assigned = (demo_problems().filter(sample_point__isnull=False, assigned_at__isnull=False)
                    .exclude(events__action=Action.REASSIGN).select_related("sample_point"))
        self.assertGreater(assigned.count(), 300)
        for problem in assigned:
            self.assertEqual(problem.responsible_unit_id, problem.sample_point.responsible_unit_id, problem.code)
            days = (problem.deadline - timezone.localdate(problem.assigned_at)).days
            self.assertIn(days, days_by_severity[problem.severity], problem.code)
        self.assertTrue(demo_problems().filter(events__action=Action.REASSIGN).exists())

    def test_descriptions_are_real_inspection_phrases_fitting_the_kind_of_place(self):
        self.assertTrue(demo_problems().filter(description__contains="捕蝇笼饵料干").exists())
        markets = demo_problems().filter(sample_point__category__code="KP-MARKET")
        self.assertTrue(markets.filter(description__contains="活禽").exists())
        self.assertFalse(demo_problems().filter(sample_point__category__code="KP-SIX",
                                                description__contains="活禽").exists())
        for problem in demo_problems().filter(sample_point__isnull=False, rebound_of__isnull=True,
                                              duplicate_of__isnull=True).select_related("category")[:200]:
            phrases = [phrase for phrase, _severity in PHRASES[problem.category.code]]
            self.assertTrue(any(problem.description.endswith(p) for p in phrases), problem.description)

    def test_problems_are_found_by_inspectors_hq_and_district_leads_from_several_sources(self):
        finders = set(demo_problems().values_list("found_by__username", flat=True))
        self.assertTrue({"hq", "inspector", "district"} <= finders, finders)
        sources = set(demo_problems().values_list("source", flat=True))
        self.assertTrue({Source.UNANNOUNCED_VISIT, Source.ROUTINE_SUPERVISION, Source.PUBLIC_REPORT,
                         Source.SELF_FOUND} <= sources, sources)

    def test_the_demo_logins_each_have_problems_to_work_on(self):
        for username in ("unit", "district", "inspector", "team", "grid", "road"):
            visible = Problem.objects.visible_to(User.objects.get(username=username))
            self.assertTrue(visible.open().exists(), username)
            self.assertLess(visible.count(), Problem.objects.count(), username)
        unit = User.objects.get(username="unit")
        self.assertTrue(Problem.objects.filter(responsible_unit=unit.unit, status=Status.CLOSED,
                                               closing_applied_by=unit).exists())

    def test_problems_at_sample_points_carry_their_points_grid_and_road(self):
        at_points = demo_problems().filter(sample_point__isnull=False)
        self.assertTrue(at_points.exists())
        self.assertFalse(at_points.exclude(grid=models.F("sample_point__grid")).exists())
        self.assertFalse(at_points.exclude(road=models.F("sample_point__road")).exists())

    # --- History ---------------------------------------------------------------------------------

    def test_verify_ledger_passes_on_the_demo_history(self):
        self.assertEqual(list(ledger_findings()), [])
        out = StringIO()
        call_command("verify_ledger", stdout=out)  # raises CommandError on any finding
        self.assertIn(f"intact: {Problem.objects.count()} problems", out.getvalue())

    def test_events_lie_in_the_last_twelve_weeks_in_order_and_mostly_in_working_hours(self):
        first_day = timezone.localdate() - datetime.timedelta(days=12 * 7)
        previous = {}
        daytime = 0
        events = list(ProblemEvent.objects.filter(problem__in=demo_problems()).order_by("problem_id", "seq")
                      .values_list("problem_id", "at"))
        for problem_id, at in events:
            self.assertLessEqual(at, self.now)
            self.assertGreaterEqual(timezone.localdate(at), first_day)
            self.assertGreaterEqual(at, previous.get(problem_id, at))
            previous[problem_id] = at
            local = timezone.localtime(at)
            daytime += local.weekday() < 5 and datetime.time(8, 0) <= local.time() <= datetime.time(18, 0)
        self.assertGreater(daytime / len(events), 0.9)
        found_days = [timezone.localtime(at).weekday() for at in demo_problems().values_list("found_at", flat=True)]
        self.assertGreater(found_days.count(1), found_days.count(0))  # Tuesday: unannounced visits

    def test_every_closing_application_has_after_photos_that_are_real_jpegs(self):
        applications = ProblemEvent.objects.filter(action=Action.APPLY_CLOSE)
        self.assertFalse(applications.filter(photos__isnull=True).exists())
        for photo in EvidencePhoto.objects.filter(kind=PhotoKind.AFTER)[:5]:
            self.assertEqual(photo.uploaded_at, photo.event.at)
            with default_storage.open(photo.image.name) as stored:
                image = Image.open(io.BytesIO(stored.read()))
                self.assertEqual(image.format, "JPEG")
            self.assertTrue(default_storage.exists(photo.thumbnail.name))

    # --- Running it again ------------------------------------------------------------------------

    def test_seed_demo_prints_how_many_problems_are_in_each_state(self):
        total = demo_problems().count()
        self.assertIn(f"{total} problems over 12 weeks", self.output)
        self.assertRegex(self.output, r"problems by state: \d+ found, \d+ assigned, \d+ rectifying, "
                                      r"\d+ closing applied, \d+ closed, \d+ invalid")
        self.assertIn("closing applied", self.output)

    def test_building_again_adds_nothing(self):
        before = (Problem.objects.count(), ProblemEvent.objects.count(), User.objects.count())
        result = demo_ledger_build()
        self.assertFalse(result.created)
        self.assertEqual((Problem.objects.count(), ProblemEvent.objects.count(), User.objects.count()), before)

    def test_seed_demo_again_with_or_without_if_empty_adds_no_problems(self):
        before = (Problem.objects.count(), ProblemEvent.objects.count(), SamplePoint.objects.count())
        for args in ((), ("--if-empty",)):
            out = StringIO()
            call_command("seed_demo", *args, stdout=out)
            self.assertIn("no demo problems added", out.getvalue())
        self.assertEqual((Problem.objects.count(), ProblemEvent.objects.count(), SamplePoint.objects.count()), before)
