"""Every change to the vector-control surveys and their thresholds. Pages, the API, the demo
and the loader call these and nothing else.

- ``vector_survey_record`` / ``vector_survey_edit``: the counts are checked per indicator
  (``VectorInvalid.errors`` names each field: "<indicator>.checked" / "<indicator>.positive"),
  each indicator's value and level computed against the thresholds, the survey's level is the
  WORST of its indicators' levels (one indicator below C fails the survey, as in the assessment).
- ``vector_threshold_set``: HQ changes a limit or its source (reason required); every survey's
  level is recomputed, each change recorded.
- ``vector_survey_raise_problems``: a failed survey raises ledger problems (one per sample point
  surveyed, or one for the district and type of place when none was named), with source_ref
  "vector_survey:<id>"; raising again adds none that exists.
"""

import json
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from campaign.choices import CategoryKind
from ledger import services as ledger_services
from ledger.choices import Severity, Source
from ledger.models import Problem

from ..models import (
    VectorCount,
    VectorSurvey,
    VectorSurveyEvent,
    VectorThreshold,
    VectorThresholdChange,
)
from ..models.vectors import may_record_vectors, may_set_thresholds
from ..vectors.indicators import SPECS, Level, Species, classify, count_errors, worst

THRESHOLDS_FILE = Path(__file__).resolve().parent.parent / "data" / "vector_thresholds.json"
UNSOURCED = "no public source found: HQ to confirm"


class VectorError(Exception):
    pass


class VectorForbidden(VectorError):
    pass


class VectorInvalid(VectorError):
    """Refused input; ``errors`` maps each field ("district", "rodent_rooms.positive", …) to why."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(f"{field}: {message}" for field, message in errors.items()))


@dataclass(frozen=True)
class CountInput:
    checked: int
    positive: int


# --- Thresholds -----------------------------------------------------------------------------------


def thresholds_load_file(*, path: Path = THRESHOLDS_FILE, model=VectorThreshold) -> tuple[int, int]:
    """Load the thresholds data file: add the missing (indicator, level) rows and refresh the
    values of rows still as loaded (``set_by`` empty); a value HQ has set is never overwritten.
    Returns (created, updated). ``model`` lets a migration pass its historical model."""
    data = json.loads(path.read_text(encoding="utf-8"))
    sources = data["sources"]
    created = updated = 0
    for row in data["thresholds"]:
        spec = SPECS[row["indicator"]]
        source_key = row["source"]
        values = {"species": str(spec.species), "max_value": Decimal(row["max"]),
                  "source": sources[source_key], "sourced": source_key != "NONE"}
        current = model.objects.filter(indicator=row["indicator"], level=row["level"]).first()
        if current is None:
            model.objects.create(indicator=row["indicator"], level=row["level"], **values)
            created += 1
        elif current.set_by_id is None and any(getattr(current, k) != v for k, v in values.items()):
            for key, value in values.items():
                setattr(current, key, value)
            current.save()
            updated += 1
    return created, updated


def limits_by_indicator() -> dict[str, dict[str, Decimal]]:
    limits: dict[str, dict[str, Decimal]] = {}
    for indicator, level, max_value in VectorThreshold.objects.values_list("indicator", "level", "max_value"):
        limits.setdefault(indicator, {})[level] = max_value
    return limits


def check_threshold_change(*, threshold: VectorThreshold, max_value, source, reason) -> tuple[Decimal, str, str]:
    """The checked (value, source, reason) of a threshold change, or ``VectorInvalid`` by field."""
    errors = {}
    try:
        value = Decimal(str(max_value)).quantize(Decimal("0.01"))
        if not value.is_finite() or value < 0:
            raise InvalidOperation
    except (InvalidOperation, ValueError, TypeError):
        errors["max_value"] = _("Give the maximum value as a number of zero or more.")
        value = None
    source = (source or "").strip()
    if not source:
        errors["source"] = _("Name the source of the value (or write \"%(unsourced)s\").") % {"unsourced": UNSOURCED}
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = _("Say why the value changes.")
    if value is not None:
        order = [Level.A, Level.B, Level.C]
        mine = order.index(threshold.level)
        others = VectorThreshold.objects.filter(indicator=threshold.indicator).exclude(pk=threshold.pk)
        for level, other in others.values_list("level", "max_value"):
            theirs = order.index(level)
            if (theirs < mine and other > value) or (theirs > mine and other < value):
                errors["max_value"] = _("The limits must stay in order (A <= B <= C): level %(level)s is %(value)s.") % {
                    "level": level, "value": other}
                break
    if errors:
        raise VectorInvalid(errors)
    return value, source, reason


def vector_threshold_set(*, threshold: VectorThreshold, by, max_value, source: str, reason: str) -> VectorThreshold:
    """HQ sets one limit and its source. The limits of one indicator must stay ordered
    (A <= B <= C). Every survey's level is recomputed."""
    if not may_set_thresholds(by):
        raise VectorForbidden(_("Only HQ may set the vector-control thresholds."))
    value, source, reason = check_threshold_change(threshold=threshold, max_value=max_value, source=source,
                                                   reason=reason)
    with transaction.atomic():
        current = VectorThreshold.objects.select_for_update().get(pk=threshold.pk)
        if current.max_value == value and current.source == source:
            return current
        VectorThresholdChange.objects.create(threshold=current, by=by, from_value=current.max_value, to_value=value,
                                             from_source=current.source, to_source=source, reason=reason)
        current.max_value = value
        current.source = source
        current.sourced = source not in (UNSOURCED, _(UNSOURCED))  # the marker, in English or translated
        current.set_by = by
        current.save()
        _relevel_all(by=by, reason=_("Threshold %(indicator)s %(level)s set to %(value)s.")
                     % {"indicator": current.indicator, "level": current.level, "value": value})
    return current


def _relevel_all(*, by, reason: str) -> int:
    limits = limits_by_indicator()
    changed = 0
    for survey in VectorSurvey.objects.select_for_update().prefetch_related("counts"):
        before = survey.level
        levels_before = {c.indicator: c.level for c in survey.counts.all()}
        for count in survey.counts.all():
            exact = SPECS[count.indicator].exact_value(count.checked, count.positive)
            level = classify(exact, limits.get(count.indicator, {}))
            if level != count.level:
                count.level = level
                count.save(update_fields=["level"])
        survey.level = worst(c.level for c in survey.counts.all()) or Level.FAIL
        levels_after = {c.indicator: c.level for c in survey.counts.all()}
        if survey.level != before or levels_after != levels_before:
            survey.save(update_fields=["level", "updated_at"])
            VectorSurveyEvent.objects.create(survey=survey, action=VectorSurveyEvent.Action.RELEVEL, by=by,
                                             reason=reason[:500], changes={"level": [before, survey.level]})
            changed += 1
    return changed


# --- Surveys ------------------------------------------------------------------------------------


def _check(*, species, district, place_type, surveyed_on, counts, sample_points) -> dict[str, str]:
    errors: dict[str, str] = {}
    if species not in Species.values:
        errors["species"] = _("Choose rodents, mosquitoes, flies or cockroaches.")
    if district is None:
        errors["district"] = _("Choose the district.")
    if place_type is None:
        errors["place_type"] = _("Choose the type of place.")
    elif place_type.kind != CategoryKind.KEY_PLACE:
        errors["place_type"] = _("The type of place must be a key-place category.")
    if not isinstance(surveyed_on, date):
        errors["surveyed_on"] = _("Give the date of the survey.")
    elif surveyed_on > timezone.localdate():
        errors["surveyed_on"] = _("The date of the survey cannot be in the future.")
    if not counts:
        errors["counts"] = _("Give the counts of at least one indicator.")
    for code, count in (counts or {}).items():
        spec = SPECS.get(code)
        if spec is None:
            errors[code] = _("Unknown indicator %(code)s.") % {"code": code}
            continue
        if species in Species.values and spec.species != species:
            errors[code] = _("%(indicator)s is not an indicator of %(species)s.") % {
                "indicator": spec.label, "species": Species(species).label}
            continue
        errors.update(count_errors(code, count.checked, count.positive))
    for point in sample_points:
        if district is not None and point.district_id != district.pk:
            errors["sample_points"] = _("Sample point %(code)s is not in %(district)s.") % {
                "code": point.code, "district": district}
            break
    return errors


def _write_counts(survey: VectorSurvey, counts: dict[str, CountInput]) -> None:
    limits = limits_by_indicator()
    survey.counts.all().delete()  # the counts are part of the survey; its events keep the old ones
    rows = []
    for code, count in sorted(counts.items()):
        spec = SPECS[code]
        rows.append(VectorCount(survey=survey, indicator=code, checked=count.checked, positive=count.positive,
                                value=spec.value(count.checked, count.positive),
                                level=classify(spec.exact_value(count.checked, count.positive),
                                               limits.get(code, {}))))
    VectorCount.objects.bulk_create(rows)
    survey.level = worst(row.level for row in rows) or Level.FAIL


def _snapshot(survey: VectorSurvey) -> dict:
    return {
        "species": survey.species, "district": survey.district_id, "place_type": survey.place_type_id,
        "surveyed_on": survey.surveyed_on.isoformat(), "surveyed_by": survey.surveyed_by, "note": survey.note,
        "sample_points": sorted(survey.sample_points.values_list("pk", flat=True)),
        "counts": {c.indicator: [c.checked, c.positive] for c in survey.counts.all()},
        "level": survey.level,
    }


def vector_survey_record(*, by, species: str, district, place_type, surveyed_on: date,
                         counts: dict[str, CountInput], sample_points=(), surveyed_by: str = "",
                         note: str = "") -> VectorSurvey:
    """Record a survey and its counts; its level is computed. Refused (``VectorInvalid``,
    naming each field) when a count is impossible."""
    if not may_record_vectors(by):
        raise VectorForbidden(_("Only HQ and the vector-control team lead record vector surveys."))
    sample_points = list(sample_points)
    errors = _check(species=species, district=district, place_type=place_type, surveyed_on=surveyed_on,
                    counts=counts, sample_points=sample_points)
    if errors:
        raise VectorInvalid(errors)
    with transaction.atomic():
        survey = VectorSurvey(species=species, district=district, place_type=place_type, surveyed_on=surveyed_on,
                              surveyed_by=surveyed_by.strip(), note=note.strip(), recorded_by=by, level=Level.FAIL)
        survey.save()
        survey.sample_points.set(sample_points)
        _write_counts(survey, counts)
        survey.save(update_fields=["level"])
        VectorSurveyEvent.objects.create(survey=survey, action=VectorSurveyEvent.Action.RECORD, by=by,
                                         changes={"to": _snapshot(survey)})
    return survey


def vector_survey_edit(*, survey: VectorSurvey, by, reason: str, species: str, district, place_type,
                       surveyed_on: date, counts: dict[str, CountInput], sample_points=(),
                       surveyed_by: str = "", note: str = "") -> VectorSurvey:
    """Correct a survey (reason required); the event keeps what it was and what it became."""
    if not may_record_vectors(by):
        raise VectorForbidden(_("Only HQ and the vector-control team lead edit vector surveys."))
    sample_points = list(sample_points)
    errors = _check(species=species, district=district, place_type=place_type, surveyed_on=surveyed_on,
                    counts=counts, sample_points=sample_points)
    if not (reason or "").strip():
        errors["reason"] = _("Say why the survey is corrected.")
    if errors:
        raise VectorInvalid(errors)
    with transaction.atomic():
        survey = VectorSurvey.objects.select_for_update().get(pk=survey.pk)
        before = _snapshot(survey)
        survey.species, survey.district, survey.place_type = species, district, place_type
        survey.surveyed_on, survey.surveyed_by, survey.note = surveyed_on, surveyed_by.strip(), note.strip()
        survey.sample_points.set(sample_points)
        _write_counts(survey, counts)
        survey.save()
        after = _snapshot(survey)
        if after != before:
            changed = {key: [before[key], after[key]] for key in after if before[key] != after[key]}
            VectorSurveyEvent.objects.create(survey=survey, action=VectorSurveyEvent.Action.EDIT, by=by,
                                             reason=reason.strip()[:500], changes=changed)
    return survey


def _problem_description(survey: VectorSurvey) -> str:
    failing = [c for c in survey.counts.all() if c.level == Level.FAIL]
    parts = "; ".join(f"{c.spec.label} {c.value} {c.spec.unit_label}" for c in failing)
    return _("Vector survey of %(date)s: %(species)s density below control level C (%(indicators)s).") % {
        "date": survey.surveyed_on.isoformat(), "species": survey.get_species_display(), "indicators": parts}


def vector_survey_raise_problems(*, survey: VectorSurvey, by) -> list[Problem]:
    """Raise ledger problems for a failed survey: one per sample point surveyed, or one for the
    survey's district and type of place when it named none.

    A sample point's problem goes through the ledger's findings rule (finding key
    "vector_<species>"): an open problem of the same point and species is found again (no
    duplicate), one closed recently becomes a rebound, otherwise a new problem assigned to the
    point's unit. Idempotent: a point (or the district) this survey already raised or found
    again (source_ref "vector_survey:<id>") is skipped. Returns the problems touched now."""
    if not may_set_thresholds(by):  # HQ decides
        raise VectorForbidden(_("Only HQ raises problems from vector surveys."))
    with transaction.atomic():
        survey = VectorSurvey.objects.select_for_update().get(pk=survey.pk)
        if survey.passed:
            raise VectorInvalid({"level": _("The survey met control level %(level)s: there is no problem to raise.")
                                 % {"level": survey.level}})
        ref = survey.source_ref
        raised = Problem.objects.filter(Q(source_ref=ref) | Q(events__data__source_ref=ref)).distinct()
        description = _problem_description(survey)
        found_at = timezone.make_aware(datetime.combine(survey.surveyed_on, time(9)))
        touched: list[Problem] = []
        outcomes: dict[str, str] = {}
        points = list(survey.sample_points.select_related("category", "district", "responsible_unit"))
        if points:
            done = set(raised.exclude(sample_point=None).values_list("sample_point_id", flat=True))
            for point in points:
                if point.pk in done:
                    continue
                problem, outcome = ledger_services.problem_record_finding(
                    by=by, sample_point=point, category=point.category or survey.place_type,
                    finding_key=f"vector_{survey.species}", description=description,
                    source=Source.ROUTINE_SUPERVISION, severity=Severity.GENERAL, source_ref=ref, found_at=found_at)
                touched.append(problem)
                outcomes[problem.code] = outcome
        elif not raised.filter(sample_point=None).exists():
            problem = ledger_services.problem_record(
                by=by, category=survey.place_type, district=survey.district, description=description,
                source=Source.ROUTINE_SUPERVISION, source_ref=ref, found_at=found_at)
            touched.append(problem)
            outcomes[problem.code] = "new"
        if touched:
            survey.problems_raised_at = timezone.now()
            survey.save(update_fields=["problems_raised_at", "updated_at"])
            VectorSurveyEvent.objects.create(survey=survey, action=VectorSurveyEvent.Action.RAISE, by=by,
                                             changes={"problems": outcomes})
    return touched
