"""The reports' notifications: a published report tells the units and districts it names."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from notifications.events import register
from notifications.services import notify

PUBLISHED = "report.published"


def register_kinds() -> None:
    register(PUBLISHED, _("A report naming my unit or district was published"),
             link=lambda report: reverse("reports:report_detail", args=[report.pk]))


def named_in(report) -> tuple[set[int], set[int]]:
    """(unit ids, district ids) a report names: those on its red and black lists, or the
    district it was made for."""
    units, districts = set(), set()
    for listed in ("red_list", "black_list"):
        lists = (report.data or {}).get(listed) or {}
        units |= {row["id"] for row in lists.get("units", []) if row.get("id")}
        districts |= {row["id"] for row in lists.get("districts", []) if row.get("id")}
    if report.district_id:
        districts.add(report.district_id)
    return units, districts


def report_published(report) -> None:
    units, districts = named_in(report)
    notify(PUBLISHED, about=report, units=sorted(units), districts=sorted(districts),
           context={"kind_code": report.kind, "period": report.period.label},
           dedupe_key=f"{PUBLISHED}:{report.pk}")
