"""What Open311 calls services, their attributes and requests, built from the public channel.

- A service is an active ``PublicCategory``: its code, its name in the request's language, the
  hint as the description, the keywords, and its ledger category as the group. Every service
  has the attributes below, so ``metadata`` is true and ``services/{code}`` defines them.
- A request is a report (not an imported message): ``service_request_id`` is its tracking code,
  ``status`` open or closed by where the resident's tracking page stands (``STATUS_OF_STAGE``).
  Nothing about the reporter (name, number, e-mail, device or account) is ever in a request;
  the description (its moderated version when there is one), the typed address, the media URL
  and the point (lat/long) are shown once a moderator has accepted or merged the report
  (``selectors.report_published``, the tracking page's rule too), since an unread report may
  carry what the moderator would remove and its point may be a phone's GPS or a photo's EXIF:
  the reporter's doorstep.
"""

from dataclasses import dataclass
from datetime import datetime, time

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ledger.choices import Severity, Status

from ..choices import ReportStatus, TrackingStage
from ..models import PublicCategory, PublicReport
from ..selectors import report_published, tracking_stage

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
# When this endpoint's behaviour last changed (discovery's changeset).
CHANGESET = "2026-12-06T00:00:00+08:00"

OPEN, CLOSED = "open", "closed"
STATUS_OF_STAGE = {
    TrackingStage.RECEIVED: OPEN,
    TrackingStage.ACCEPTED: OPEN,
    TrackingStage.RECTIFYING: OPEN,
    TrackingStage.RECTIFIED: OPEN,
    TrackingStage.CLOSED: CLOSED,
    TrackingStage.MERGED: CLOSED,  # already known: this request ends here, as the spec's duplicates do
    TrackingStage.REJECTED: CLOSED,
}


@dataclass(frozen=True)
class Attribute:
    code: str
    datatype: str
    required: bool
    description: object  # a lazy translation
    values: tuple[tuple[str, object], ...] = ()
    datatype_description: object = ""


CONSENT_YES = "yes"
ATTRIBUTES = (
    # The reporting page asks every resident to accept the platform's rules; a system posting on
    # a resident's behalf states that they did.
    Attribute("consent", "singlevaluelist", True,
              gettext_lazy("The reporter has accepted the rules of the reporting platform."),
              values=((CONSENT_YES, gettext_lazy("Accepted the rules")),)),
    Attribute("severity", "singlevaluelist", False,
              gettext_lazy("How serious it looks to the reporter (HQ decides the problem's severity)."),
              values=tuple((value, label) for value, label in Severity.choices)),
    Attribute("landmark", "string", False,
              gettext_lazy("A landmark that helps the inspector find the place."),
              datatype_description=gettext_lazy("Up to 200 characters.")),
)
ATTRIBUTE_BY_CODE = {attribute.code: attribute for attribute in ATTRIBUTES}
LANDMARK_MAX = 200


def service(category: PublicCategory) -> dict:
    """A service in the order of the Open311 fixtures' ``services.xml``."""
    keywords = ", ".join(word.strip() for word in category.keywords.splitlines() if word.strip())
    return {
        "service_code": category.code,
        "metadata": bool(ATTRIBUTES),
        "type": "realtime",
        "keywords": keywords,
        "group": category.category.label,
        "service_name": category.label,
        "description": category.hint,
    }


def service_definition(category: PublicCategory) -> dict:
    return {
        "service_code": category.code,
        "attributes": [
            {
                "variable": True,
                "code": attribute.code,
                "datatype": attribute.datatype,
                "required": attribute.required,
                "datatype_description": str(attribute.datatype_description),
                "order": order,
                "description": str(attribute.description),
                **({"values": [{"key": key, "name": str(name)} for key, name in attribute.values]}
                   if attribute.values else {}),
            }
            for order, attribute in enumerate(ATTRIBUTES, start=1)
        ],
    }


def service_notice() -> str:
    return _("HQ's moderators read every report; an accepted one is recorded in the problem ledger and "
             "assigned to the unit responsible.")


def _w3c(moment: datetime | None) -> str | None:
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else None


def _status_notes(report: PublicReport, stage: str) -> str:
    notes = str(TrackingStage(stage).label)
    if report.status == ReportStatus.REJECTED and report.reject_reason:
        notes = f"{notes}: {report.get_reject_reason_display()}"
    # The moderator's note is written to the reporter (their tracking page with its secret), not to
    # the public: it is never in a request.
    return notes


def _updated(report: PublicReport) -> datetime:
    moments = [report.submitted_at, report.decided_at]
    problem = report.problem
    if problem is not None:
        moments += [problem.assigned_at, problem.closing_applied_at, problem.closed_at]
    return max(moment for moment in moments if moment is not None)


def _expected(report: PublicReport) -> str | None:
    problem = report.problem
    if problem is None or problem.deadline is None or problem.status == Status.CLOSED:
        return None
    return _w3c(timezone.make_aware(datetime.combine(problem.deadline, time(23, 59, 59))))


def _coordinate(value) -> float | None:
    return float(value) if value is not None else None


def request(report: PublicReport) -> dict:
    """A request in the order of the Open311 fixtures' ``service_requests.xml``. Reads
    ``public_category``, ``problem`` and ``problem.responsible_unit`` (select them)."""
    stage = tracking_stage(report)
    moderated = report_published(report)
    extras = report.attributes.get("open311", {}) if isinstance(report.attributes, dict) else {}
    unit = report.problem.responsible_unit if report.problem is not None else None
    return {
        "service_request_id": report.code,
        "status": STATUS_OF_STAGE[stage],
        "status_notes": _status_notes(report, stage),
        "service_name": report.public_category.label,
        "service_code": report.public_category.code,
        "description": report.shown_description if moderated else None,
        "agency_responsible": unit.label if unit is not None else None,
        "service_notice": None,
        "requested_datetime": _w3c(report.submitted_at),
        "updated_datetime": _w3c(_updated(report)),
        "expected_datetime": _expected(report),
        "address": (report.address or None) if moderated else None,
        "address_id": extras.get("address_id") or None,
        "zipcode": None,
        "lat": _coordinate(report.latitude) if moderated else None,
        "long": _coordinate(report.longitude) if moderated else None,
        "media_url": (extras.get("media_url") or None) if moderated else None,
    }
