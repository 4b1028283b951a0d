"""Reads of the public red and black list (/public/, reports/views_public.py).

Only what HQ has published, city-wide: the latest published weekly exposure's red and black
lists (units and districts, their figures and the rule that made them) and the latest published
monthly comparison's ranking, and this month's public-channel counts. A board row carries the
name of a place and its figures, nothing else: never a problem's description, address or photo,
a grid or road chief, nor anything about a person or a reporter (the report data holds those for
staff; they are left out here by naming what is kept, not by removing what is not).
"""

import datetime as dt
import hashlib
import logging
from dataclasses import dataclass

from django.utils import timezone

from campaign.models import Campaign
from public_reports.selectors import public_month_counts

from .choices import ReportKind, ReportStatus
from .kinds import public_board_kinds
from .kinds.monthly_comparison import formula_text
from .kinds.weekly_exposure import rule_text
from .models import Report

logger = logging.getLogger(__name__)

COUNT_KEYS = ("received", "accepted", "fixed", "rewarded")
# The counts move without anyone publishing: a board's Last-Modified is never earlier than the
# start of the current window of this many seconds, so a cache revalidating by date alone holds
# counts at most this old (as long as Cache-Control lets it keep them anyway). The ETag is exact.
COUNTS_WINDOW_SECONDS = 300
# The published reports the feed lists, newest first.
FEED_ENTRIES = 20


def published_reports():
    """City-wide reports HQ has published, newest period first, newest version first."""
    return Report.objects.filter(
        status=ReportStatus.DONE, district__isnull=True, published_at__isnull=False,
    ).order_by("-period_start", "-version")


def latest_published(kind: str) -> Report | None:
    return published_reports().filter(kind=kind).first()


def published_report(pk: int) -> Report | None:
    """One report the public may read: published by HQ, city-wide."""
    return published_reports().filter(pk=pk, kind__in=public_board_kinds()).first()


def report_board(report: Report) -> dict | None:
    """The public part of one published report, by its kind."""
    if report.kind == ReportKind.WEEKLY_EXPOSURE:
        return exposure_board(report)
    if report.kind == ReportKind.MONTHLY_COMPARISON:
        return comparison_board(report)
    return None


def _rate(rate) -> dict:
    """A rate as the board shows it: its value only."""
    return {"value": rate.get("value") if isinstance(rate, dict) else None}


def _exposure_row(row: dict) -> dict:
    return {
        "position": row.get("position"), "name": row.get("name", ""), "name_en": row.get("name_en", ""),
        "due": row.get("due"), "closed_on_time": row.get("closed_on_time"),
        "on_time_rate": _rate(row.get("on_time_rate")), "overdue": row.get("overdue"),
    }


def exposure_board(report: Report | None) -> dict | None:
    """The red and black lists of a published exposure and its rule, in the reader's language."""
    if report is None:
        return None
    data = report.data or {}
    lists = {
        colour: {group: [_exposure_row(row) for row in (data.get(f"{colour}_list") or {}).get(group) or []]
                 for group in ("districts", "units")}
        for colour in ("red", "black")
    }
    rule = data.get("rule") or {}
    try:
        text = rule_text(rule)
    except (KeyError, TypeError, ValueError):  # a rule kept before its figures were
        text = rule.get("text", "")
    return {"id": report.pk, "period": report.period, "published_at": report.published_at,
            "red": lists["red"], "black": lists["black"], "colours": [("red", lists["red"]), ("black", lists["black"])],
            "rule": text}


def _ranked_row(row: dict) -> dict:
    return {
        "rank": row.get("rank"), "name": row.get("name", ""), "name_en": row.get("name_en", ""),
        "score": row.get("score"), "previous_rank": row.get("previous_rank"), "change": row.get("change"),
    }


def comparison_board(report: Report | None) -> dict | None:
    """The ranked districts and units of a published monthly comparison and its formula."""
    if report is None:
        return None
    data = report.data or {}
    ranking = {group: [_ranked_row(row) for row in (data.get(group) or {}).get("ranked") or []]
               for group in ("districts", "units")}
    published = data.get("formula") or {}
    try:
        text = formula_text(published)
    except (KeyError, TypeError, ValueError):
        text = published.get("text", "")
    return {"id": report.pk, "period": report.period, "published_at": report.published_at,
            "ranking": [("districts", ranking["districts"]), ("units", ranking["units"])], "formula": text,
            "previous_period": (data.get("previous_period") or {}).get("label", "")}


def month_counts(today: dt.date) -> dict:
    """This month's public-channel counts (public_reports.selectors): totals, nothing else."""
    counts = public_month_counts(year=today.year, month=today.month)
    return {key: int(counts.get(key) or 0) for key in COUNT_KEYS}


@dataclass
class PublicBoard:
    exposure: Report | None
    comparison: Report | None
    counts: dict
    today: dt.date
    now: dt.datetime
    campaign: Campaign | None = None

    @property
    def last_modified(self) -> dt.datetime:
        """The latest publication, or the start of the counts' current window if later."""
        window = dt.datetime.fromtimestamp(
            self.now.timestamp() // COUNTS_WINDOW_SECONDS * COUNTS_WINDOW_SECONDS, tz=dt.UTC)
        return max([window, *(report.published_at for report in (self.exposure, self.comparison) if report)])

    def etag(self, language: str) -> str:
        """Changes when HQ publishes, when the counts move, with the month and the language."""
        parts = [language, self.today.strftime("%Y-%m"), repr(sorted((self.counts or {}).items()))]
        parts += [f"{report.pk}@{report.published_at.isoformat()}" if report else "-"
                  for report in (self.exposure, self.comparison)]
        return hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]


def public_board(*, now: dt.datetime | None = None) -> PublicBoard:
    """What /public/ shows: one query for the campaign's name, one for each latest report, and
    the counts (public_reports: two)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    return PublicBoard(
        exposure=latest_published(ReportKind.WEEKLY_EXPOSURE),
        comparison=latest_published(ReportKind.MONTHLY_COMPARISON),
        counts=month_counts(today),
        today=today,
        now=now,
        campaign=current_campaign(),
    )


def current_campaign() -> Campaign | None:
    """The campaign's name and city for the board's heading (no person in it)."""
    return Campaign.objects.filter(is_current=True).only("name", "city").first()


def feed_reports(limit: int = FEED_ENTRIES) -> list[Report]:
    """The published exposures and comparisons for the Atom feed, newest published first."""
    return list(
        published_reports().filter(kind__in=public_board_kinds())
        .order_by("-published_at", "-pk")[:limit]
    )
