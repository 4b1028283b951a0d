"""The vector-density indicators (病媒生物密度监测) of GB/T 27770–27773 (2011) as code: for each
indicator, its species, what is counted (what was checked, what was found positive) and how its
value is computed. The limits of each control level (A, B, C) are data (``VectorThreshold``,
loaded from assessment/data/vector_thresholds.json), not code.

A count is refused when it is impossible: a negative number, nothing checked, or more positives
than things checked (except where more is possible: a household holds several containers, so
the Breteau index may pass 100; a path may hold several traces per metre walked)."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _


class Species(models.TextChoices):
    RODENT = "rodent", _("Rodents")
    MOSQUITO = "mosquito", _("Mosquitoes")
    FLY = "fly", _("Flies")
    COCKROACH = "cockroach", _("Cockroaches")


class Level(models.TextChoices):
    A = "A", _("Level A")
    B = "B", _("Level B")
    C = "C", _("Level C")
    FAIL = "fail", _("Not met")


# The levels a threshold is given for (the limits of A, B and C).
THRESHOLD_LEVELS = [(Level.A.value, Level.A.label), (Level.B.value, Level.B.label), (Level.C.value, Level.C.label)]

# From best to worst; a survey's level is the worst of its indicators' levels.
LEVEL_ORDER = (Level.A, Level.B, Level.C, Level.FAIL)
PASSING = frozenset({Level.A, Level.B, Level.C})


class Indicator(models.TextChoices):
    RODENT_ROOMS = "rodent_rooms", _("Indoor rodent traces (trace method, 鼠迹法)")
    RODENT_POWDER = "rodent_powder", _("Powder patches (powder method, 粉迹法)")
    RODENT_PATH = "rodent_path", _("Outdoor rodent traces (path method, 路径法)")
    MOSQUITO_CONTAINERS = "mosquito_containers", _("Small water containers with larvae or pupae")
    MOSQUITO_BRETEAU = "mosquito_breteau", _("Breteau index (布雷图指数)")
    MOSQUITO_PATH = "mosquito_path", _("Outdoor small water bodies with larvae (path method)")
    FLY_ROOMS = "fly_rooms", _("Indoor rooms with adult flies (室内成蝇阳性率)")
    FLY_BREEDING = "fly_breeding", _("Fly breeding sites positive (蝇类孳生地)")
    COCKROACH_ADULTS = "cockroach_adults", _("Rooms with adults or nymphs (成若虫侵害率)")
    COCKROACH_EGGS = "cockroach_eggs", _("Rooms with egg cases (卵鞘查获率)")
    COCKROACH_TRACES = "cockroach_traces", _("Rooms with traces (蟑迹查获率)")


PERCENT = "percent"
PER_KM = "per_km"
PER_100_HOUSEHOLDS = "per_100"

UNIT_LABELS = {PERCENT: "%", PER_KM: _("per km"), PER_100_HOUSEHOLDS: _("per 100 households")}


@dataclass(frozen=True)
class IndicatorSpec:
    code: str
    species: str
    checked_label: object  # what was checked (a lazy translation)
    positive_label: object  # what was found positive
    unit: str
    # False where a positive count may exceed the checked one (containers per household, traces per metre)
    positive_at_most_checked: bool = True

    @property
    def label(self):
        return Indicator(self.code).label

    @property
    def unit_label(self):
        return UNIT_LABELS[self.unit]

    def exact_value(self, checked: int, positive: int) -> Decimal:
        """The indicator's value unrounded (what ``classify`` compares with the limits: 401 of 8015
        rooms is 5.0031 %, above a 5 % limit, though it shows as 5.00)."""
        if self.unit == PER_KM:  # checked in metres
            return Decimal(positive) * 1000 / Decimal(checked)
        return Decimal(positive) * 100 / Decimal(checked)

    def value(self, checked: int, positive: int) -> Decimal:
        """The indicator's value rounded to 2 places, to store and show (never to classify)."""
        return self.exact_value(checked, positive).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


SPECS: dict[str, IndicatorSpec] = {spec.code: spec for spec in (
    IndicatorSpec(Indicator.RODENT_ROOMS, Species.RODENT, _("rooms checked"), _("rooms with rodent traces"), PERCENT),
    IndicatorSpec(Indicator.RODENT_POWDER, Species.RODENT, _("powder patches laid"), _("patches with tracks"),
                  PERCENT),
    IndicatorSpec(Indicator.RODENT_PATH, Species.RODENT, _("metres of path checked"), _("rodent traces found"),
                  PER_KM, positive_at_most_checked=False),
    IndicatorSpec(Indicator.MOSQUITO_CONTAINERS, Species.MOSQUITO, _("small water containers checked"),
                  _("containers with larvae or pupae"), PERCENT),
    IndicatorSpec(Indicator.MOSQUITO_BRETEAU, Species.MOSQUITO, _("households checked"),
                  _("containers with Aedes larvae or pupae"), PER_100_HOUSEHOLDS, positive_at_most_checked=False),
    IndicatorSpec(Indicator.MOSQUITO_PATH, Species.MOSQUITO, _("metres of path checked"),
                  _("small water bodies with larvae or pupae"), PER_KM, positive_at_most_checked=False),
    IndicatorSpec(Indicator.FLY_ROOMS, Species.FLY, _("rooms checked"), _("rooms with adult flies"), PERCENT),
    IndicatorSpec(Indicator.FLY_BREEDING, Species.FLY, _("breeding sites checked"),
                  _("sites with larvae or pupae"), PERCENT),
    IndicatorSpec(Indicator.COCKROACH_ADULTS, Species.COCKROACH, _("rooms checked"),
                  _("rooms with adults or nymphs"), PERCENT),
    IndicatorSpec(Indicator.COCKROACH_EGGS, Species.COCKROACH, _("rooms checked"), _("rooms with egg cases"),
                  PERCENT),
    IndicatorSpec(Indicator.COCKROACH_TRACES, Species.COCKROACH, _("rooms checked"), _("rooms with traces"),
                  PERCENT),
)}


def specs_of(species: str) -> list[IndicatorSpec]:
    return [spec for spec in SPECS.values() if spec.species == species]


# Above this a count is a typing error (and would overflow the stored value).
MAX_COUNT = 1_000_000


def count_errors(code: str, checked, positive) -> dict[str, str]:
    """What is impossible in one indicator's counts, by field ("<code>.checked",
    "<code>.positive"); empty when the counts can be recorded."""
    spec = SPECS.get(code)
    if spec is None:
        return {code: str(_("Unknown indicator %(code)s.") % {"code": code})}
    errors: dict[str, str] = {}
    name = str(spec.label)
    for field, value, label in (("checked", checked, spec.checked_label), ("positive", positive, spec.positive_label)):
        if isinstance(value, bool) or not isinstance(value, int):
            errors[f"{code}.{field}"] = str(_("%(indicator)s: %(what)s must be a whole number.")
                                            % {"indicator": name, "what": label})
        elif value < 0:
            errors[f"{code}.{field}"] = str(_("%(indicator)s: %(what)s cannot be negative.")
                                            % {"indicator": name, "what": label})
        elif value > MAX_COUNT:
            errors[f"{code}.{field}"] = str(_("%(indicator)s: %(what)s cannot be more than %(max)s.")
                                            % {"indicator": name, "what": label, "max": MAX_COUNT})
    if errors:
        return errors
    if checked == 0:
        errors[f"{code}.checked"] = str(_("%(indicator)s: %(what)s cannot be zero.")
                                        % {"indicator": name, "what": spec.checked_label})
    elif spec.positive_at_most_checked and positive > checked:
        errors[f"{code}.positive"] = str(
            _("%(indicator)s: %(positive_label)s (%(positive)s) cannot exceed %(checked_label)s (%(checked)s).")
            % {"indicator": name, "positive_label": spec.positive_label, "positive": positive,
               "checked_label": spec.checked_label, "checked": checked})
    return errors


def classify(value: Decimal, limits: dict[str, Decimal]) -> str:
    """``value`` is the exact (unrounded) value, ``IndicatorSpec.exact_value``. The best level whose limit the value does not exceed (value <= limit: a value exactly on
    a limit is at that level), else "fail". ``limits`` maps "A"/"B"/"C" to the maximum; a level
    without a limit is skipped; with no C limit a value cannot pass."""
    for level in (Level.A, Level.B, Level.C):
        limit = limits.get(level)
        if limit is not None and value <= limit:
            return level
    return Level.FAIL


def worst(levels) -> str | None:
    """The worst of the levels (None when there are none)."""
    levels = list(levels)
    if not levels:
        return None
    return max(levels, key=lambda level: LEVEL_ORDER.index(level))
