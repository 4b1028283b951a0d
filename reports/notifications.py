"""The reports' notifications: a published report tells the units and districts it names."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from notifications.events import register
from notifications.services import notify

from . import kinds

PUBLISHED = "report.published"


def register_kinds() -> None:
    register(PUBLISHED, _("A report naming my unit or district was published"),
             link=lambda report: reverse("reports:report_detail", args=[report.pk]))


def named_in(report) -> tuple[set[int], set[int]]:
    """(unit ids, district ids) a report names: as its kind reads them (an exposure's red and
    black lists, a comparison's ranking), and the district it was made for."""
    units, districts = kinds.named_in(report)
    if report.district_id:
        districts.add(report.district_id)
    return units, districts


def report_published(report) -> None:
    units, districts = named_in(report)
    notify(PUBLISHED, about=report, units=sorted(units), districts=sorted(districts),
           context={"kind_code": report.kind, "period": report.period.label},
           dedupe_key=f"{PUBLISHED}:{report.pk}")
