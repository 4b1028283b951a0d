"""`manage.py import_lives`: the San Francisco restaurant inspections (LIVES) in, with counts
that match the files (counted here another way, with csv), idempotent, and a whole ledger.

The real files are imported for their first 300 businesses (the full import runs in
bench/inspections.py); the rules for odd rows are shown on small files written here.
"""

import csv
from collections import defaultdict
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import TestCase

from campaign.choices import Role
from campaign.models import District, SamplePoint, User
from inspections.choices import InspectionKind, InspectionStatus, Outcome
from inspections.lives import BUSINESSES, INSPECTIONS, VIOLATIONS, read_rows
from inspections.models import Checklist, Inspection, ItemResult
from ledger.choices import Action, Severity, Source, Status
from ledger.integrity import ledger_findings
from ledger.models import Problem, ProblemEvent

LIVES = Path(settings.BASE_DIR).parent / "shared" / "realdata" / "sf_restaurant_inspections"
LIMIT = 300


def lives(*args) -> str:
    out = StringIO()
    call_command("import_lives", *[str(a) for a in args], stdout=out)
    return out.getvalue()


def csv_rows(name: str) -> list[dict]:
    """The file read another way than the importer does: csv on Latin-1 (every byte decodes)."""
    with open(LIVES / name, encoding="latin-1", newline="") as handle:
        return list(csv.DictReader(handle))


class CountedByHand:
    """What the first LIMIT businesses hold, counted with csv straight from the files."""

    def __init__(self):
        businesses = csv_rows(BUSINESSES)[:LIMIT]
        ids = {row["business_id"] for row in businesses}
        self.businesses = len(businesses)
        self.with_coordinates = sum(1 for row in businesses if row["latitude"].strip())
        inspection_rows = [row for row in csv_rows(INSPECTIONS) if row["business_id"] in ids]
        distinct = {tuple(row.values()) for row in inspection_rows}
        self.inspections = len(distinct)
        self.unscored = sum(1 for row in distinct if not row[1].strip())
        self.complaints = sum(1 for row in distinct if row[3] in ("Complaint", "Complaint Reinspection/Followup",
                                                                      "Foodborne Illness Investigation"))
        days = {(row["business_id"], row["date"]) for row in inspection_rows}
        latest = {}
        for bid, day in days:
            latest[bid] = max(day, latest.get(bid, day))
        violations = [row for row in csv_rows(VIOLATIONS) if row["business_id"] in ids]
        matched = {(r["business_id"], r["date"], r["ViolationTypeID"]) for r in violations
                   if (r["business_id"], r["date"]) in days}
        self.violations = len(violations)
        self.failed_items = len(matched)
        self.on_latest = sum(1 for bid, day, _type in matched if latest[bid] == day)
        self.types = len({row["ViolationTypeID"] for row in csv_rows(VIOLATIONS)})
        self.first_scored = next(row for row in inspection_rows if row["Score"].strip())


@pytest.mark.skipif(not LIVES.is_dir(), reason="the shared real data is not here")
class RealFilesTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.hq = User.objects.create(username="hq-lives", role=Role.HQ_STAFF)
        cls.output = lives(LIVES, "--district", "San Francisco", "--create-district", "--limit", LIMIT)
        cls.expected = CountedByHand()

    def test_sample_points_inspections_and_failed_items_match_the_files(self):
        expected = self.expected
        self.assertEqual(SamplePoint.objects.filter(code__startswith="LIVES-").count(), expected.businesses)
        self.assertEqual(Inspection.objects.count(), expected.inspections)
        self.assertEqual(ItemResult.objects.count(), expected.failed_items)
        self.assertFalse(ItemResult.objects.exclude(outcome=Outcome.FAIL).exists())
        self.assertIn(f"{LIMIT} taken → {expected.businesses} sample points created", self.output)
        self.assertIn(f"{expected.inspections} inspections created", self.output)
        self.assertIn(f"{expected.failed_items} failed items created", self.output)

    def test_every_violation_row_is_imported_or_reported(self):
        report = self.output.split("violations_plus.csv:")[1]
        created = int(report.split(" failed items created")[0].rsplit(" ", 1)[1])
        repeats = int(report.split(" repeats within")[0].rsplit(" ", 1)[1])
        unmatched = int(report.split(" unmatched")[0].rsplit(" ", 1)[1])
        self.assertEqual(created + repeats + unmatched, self.expected.violations)

    def test_points_lie_in_the_district_and_category_with_their_coordinates(self):
        points = SamplePoint.objects.filter(code__startswith="LIVES-")
        self.assertEqual(set(points.values_list("district__name", flat=True)), {"San Francisco"})
        self.assertEqual(set(points.values_list("category__code", flat=True)), {"RESTAURANT"})
        self.assertEqual(points.filter(latitude__isnull=False).count(), self.expected.with_coordinates)
        first = points.get(code="LIVES-19")
        self.assertEqual((first.latitude, first.longitude), (Decimal("37.786848"), Decimal("-122.421547")))
        self.assertEqual(first.name, "NRGIZE LIFESTYLE CAFE")

    def test_the_lives_score_is_kept_as_given_and_a_blank_score_stays_empty(self):
        row = self.expected.first_scored
        inspection = Inspection.objects.get(sample_point__code=f"LIVES-{row['business_id']}",
                                            source_ref__contains=f":{row['date']}:{row['type']}:")
        self.assertEqual(inspection.score, Decimal(row["Score"]))
        self.assertEqual(inspection.status, InspectionStatus.SUBMITTED)
        self.assertEqual(inspection.submitted_at.strftime("%Y%m%d"), row["date"])
        self.assertEqual(Inspection.objects.filter(score__isnull=True).count(), self.expected.unscored)

    def test_complaints_are_unannounced_visits_and_the_rest_routine(self):
        self.assertEqual(Inspection.objects.filter(kind=InspectionKind.UNANNOUNCED).count(), self.expected.complaints)
        reinspection = Inspection.objects.filter(note="LIVES: Reinspection/Followup").first()
        self.assertEqual(reinspection.kind, InspectionKind.ROUTINE)

    def test_the_checklist_has_a_bilingual_item_per_violation_type_with_points_by_risk(self):
        version = Checklist.objects.get(category__code="RESTAURANT").current_version
        items = {item.code: item for item in version.items.all()}
        self.assertEqual(len(items), self.expected.types)
        hands = items["103102"]  # High Risk
        self.assertEqual((hands.text_en, hands.points, hands.severity), (
            "Unclean hands or improper use of gloves", Decimal("10"), Severity.URGENT))
        self.assertEqual(hands.text_zh, "手部不洁或手套使用不当")
        self.assertEqual((items["103119"].points, items["103119"].severity), (Decimal("5"), Severity.SERIOUS))
        self.assertEqual((items["103154"].points, items["103154"].severity), (Decimal("2"), Severity.GENERAL))
        self.assertEqual(items["103103"].text_en, "High risk food holding temperature")  # trailing blank dropped

    def test_only_the_violations_of_each_business_latest_inspection_are_open_problems(self):
        problems = Problem.objects.all()
        self.assertEqual(problems.count(), self.expected.on_latest)
        self.assertEqual(set(problems.values_list("status", flat=True)), {Status.FOUND})
        problem = problems.select_related("sample_point").first()
        inspection = Inspection.objects.get(pk=int(problem.source_ref.removeprefix("inspection:")))
        self.assertEqual(inspection.sample_point_id, problem.sample_point_id)
        self.assertEqual(problem.found_at, inspection.submitted_at)
        code = problem.finding_key.removeprefix("RESTAURANT:")
        self.assertTrue(inspection.results.filter(item__code=code, outcome=Outcome.FAIL).exists())
        self.assertFalse(Inspection.objects.filter(sample_point=problem.sample_point,
                                                   submitted_at__gt=inspection.submitted_at).exists())
        self.assertIn(problem.source, {Source.ROUTINE_SUPERVISION, Source.UNANNOUNCED_VISIT})

    def test_the_ledger_history_is_whole(self):
        self.assertEqual(list(ledger_findings()), [])
        self.assertEqual(ProblemEvent.objects.count(), Problem.objects.count())
        self.assertEqual(set(ProblemEvent.objects.values_list("action", flat=True)), {Action.RECORD})
        out = StringIO()
        call_command("verify_ledger", stdout=out)
        self.assertIn("intact", out.getvalue())

    def test_importing_again_adds_nothing(self):
        before = (SamplePoint.objects.count(), Inspection.objects.count(), ItemResult.objects.count(),
                  Problem.objects.count(), ProblemEvent.objects.count(),
                  Checklist.objects.get(category__code="RESTAURANT").versions.count())
        output = lives(LIVES, "--limit", LIMIT)
        after = (SamplePoint.objects.count(), Inspection.objects.count(), ItemResult.objects.count(),
                 Problem.objects.count(), ProblemEvent.objects.count(),
                 Checklist.objects.get(category__code="RESTAURANT").versions.count())
        self.assertEqual(after, before)
        self.assertIn("0 inspections created", output)
        self.assertIn("0 open problems", output)

    def test_the_windows_encoded_business_names_are_read(self):
        names = {row["name"] for row in read_rows(LIVES / BUSINESSES, ("name",))}
        self.assertTrue(any("CAFÉ" in name for name in names))


# --- The rules on small files ---------------------------------------------------------------------


def write_lives(directory: Path, businesses: str, inspections: str, violations: str, encoding="utf-8") -> Path:
    directory.mkdir(exist_ok=True)
    header = {
        BUSINESSES: '"business_id","name","address","city","state","postal_code","latitude","longitude","phone_number"\r\n',
        INSPECTIONS: '"business_id","Score","date","type"\r\n',
        VIOLATIONS: '"business_id","date","ViolationTypeID","risk_category","description"\r\n',
    }
    for name, body in ((BUSINESSES, businesses), (INSPECTIONS, inspections), (VIOLATIONS, violations)):
        (directory / name).write_bytes((header[name] + body).encode(encoding))
    return directory


SMALL_BUSINESSES = (
    '1,"CAFÉ ONE","1 MAIN ST ","San Francisco","CA","94103","37.7","-122.4",""\r\n'
    '2,"TACO TWO","2 MAIN ST","San Francisco","CA","94103",,,""\r\n'
    '3,"TACO TWO","9 OAK ST","San Francisco","CA","94103",,,""\r\n'
)
SMALL_INSPECTIONS = (
    '1,90,"20160101","Routine - Unscheduled"\r\n'
    '1,90,"20160101","Routine - Unscheduled"\r\n'  # repeated exactly
    '1,,"20160101","New Ownership"\r\n'  # same day, no score: the violations go to the scored one
    '2,,"20160305","Complaint"\r\n'
    '9,80,"20160101","Routine - Unscheduled"\r\n'  # no such business
)
SMALL_VIOLATIONS = (
    '1,"20160101",103102,"High Risk","Unclean hands or improper use of gloves"\r\n'
    '1,"20160101",103102,"High Risk","Unclean hands or improper use of gloves"\r\n'  # repeat
    '1,"20160101",103154,"Low Risk","Unclean or degraded floors walls or ceilings "\r\n'
    '2,"20160305",103199,"Moderate Risk","A type we have no Chinese for"\r\n'
    '2,"20170101",103154,"Low Risk","Unclean or degraded floors walls or ceilings"\r\n'  # no inspection that day
)


@pytest.fixture
def hq(db):
    return User.objects.create(username="hq-lives", role=Role.HQ_STAFF)


@pytest.fixture
def small(tmp_path):
    return write_lives(tmp_path / "small", SMALL_BUSINESSES, SMALL_INSPECTIONS, SMALL_VIOLATIONS, encoding="cp1252")


def test_repeats_and_unmatched_rows_are_reported_and_left_out(hq, small):
    output = lives(small, "--create-district")
    assert "3 sample points created" in output
    assert "3 inspections created, 0 already present, 1 exact repeats, 1 unmatched" in output
    assert "3 failed items created, 0 already present, 1 repeats within an inspection, 1 unmatched" in output
    assert "2 20170101 103154" in output  # an example of the unmatched
    scored = Inspection.objects.get(score=90)
    assert set(scored.results.values_list("item__code", flat=True)) == {"103102", "103154"}
    assert not Inspection.objects.get(note="LIVES: New Ownership").results.exists()


def test_businesses_sharing_a_name_get_their_address_and_blank_coordinates_stay_empty(hq, small):
    lives(small, "--create-district")
    names = dict(SamplePoint.objects.values_list("code", "name"))
    assert names == {"LIVES-1": "CAFÉ ONE", "LIVES-2": "TACO TWO (2 MAIN ST)", "LIVES-3": "TACO TWO (9 OAK ST)"}
    assert SamplePoint.objects.get(code="LIVES-1").address == "1 MAIN ST, San Francisco, CA 94103"
    assert SamplePoint.objects.get(code="LIVES-2").latitude is None


def test_a_type_without_a_translation_keeps_its_english_text_in_both_languages(hq, small):
    lives(small, "--create-district")
    item = Checklist.objects.get().current_version.items.get(code="103199")
    assert (item.text_zh, item.text_en, item.points, item.severity) == (
        "A type we have no Chinese for", "A type we have no Chinese for", Decimal("5"), Severity.SERIOUS)


def test_a_later_file_with_new_types_makes_a_new_checklist_version_and_old_inspections_keep_theirs(hq, small,
                                                                                                  tmp_path):
    lives(small, "--create-district")
    first = Inspection.objects.get(score=90).checklist_version
    later = write_lives(
        tmp_path / "later", SMALL_BUSINESSES, '1,70,"20170601","Routine - Unscheduled"\r\n',
        '1,"20170601",103105,"High Risk","Improper cooling methods"\r\n'
        '1,"20170601",103102,"High Risk","Unclean hands or improper use of gloves"\r\n',
    )
    output = lives(later)
    assert "version 2 (new version)" in output
    newest = Inspection.objects.get(score=70)
    assert newest.checklist_version.number == 2
    assert set(newest.checklist_version.items.values_list("code", flat=True)) >= {"103102", "103105", "103199"}
    assert Inspection.objects.get(score=90).checklist_version == first


def test_an_open_problem_found_again_by_a_later_inspection_is_not_duplicated(hq, small, tmp_path):
    lives(small, "--create-district")
    hands = Problem.objects.get(finding_key="RESTAURANT:103102")
    later = write_lives(tmp_path / "later", SMALL_BUSINESSES, '1,80,"20170601","Routine - Unscheduled"\r\n',
                        '1,"20170601",103102,"High Risk","Unclean hands or improper use of gloves"\r\n')
    output = lives(later)
    assert "1 found again" in output
    assert Problem.objects.filter(finding_key="RESTAURANT:103102").count() == 1
    assert list(hands.events.values_list("action", flat=True)) == [Action.RECORD, Action.FOUND_AGAIN]
    assert list(ledger_findings()) == []


def test_the_district_must_exist_unless_asked_to_create_it(hq, small):
    with pytest.raises(CommandError, match="--create-district"):
        lives(small, "--district", "Oakland")
    assert not District.objects.exists()


def test_only_hq_staff_import(hq, small):
    User.objects.create(username="insp", role=Role.INSPECTOR)
    with pytest.raises(CommandError, match="not HQ staff"):
        lives(small, "--create-district", "--user", "insp")
    assert not Inspection.objects.exists()


def test_a_folder_without_the_files_is_refused(hq, tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        lives(tmp_path, "--create-district")


def test_a_file_without_the_lives_columns_is_refused(hq, small):
    (small / VIOLATIONS).write_text('"business_id","when"\r\n1,"20160101"\r\n')
    with pytest.raises(CommandError, match="lacks the columns"):
        lives(small, "--create-district")
    assert not Inspection.objects.exists()


def test_counting_by_hand_reads_the_files_like_a_spreadsheet_would():
    # Guards the test's own counting: the Latin-1 reading sees every row of every file.
    if not LIVES.is_dir():
        pytest.skip("the shared real data is not here")
    counts = defaultdict(int)
    for name in (BUSINESSES, INSPECTIONS, VIOLATIONS):
        counts[name] = len(csv_rows(name))
    assert dict(counts) == {BUSINESSES: 6359, INSPECTIONS: 25863, VIOLATIONS: 37965}
