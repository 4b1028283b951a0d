"""The public red and black list (创卫红黑榜): pages for everyone, without signing in.

- ``/public/``: the latest published weekly exposure's red and black lists and rule, the latest
  published monthly comparison's ranking, and this month's public-channel counts.
- ``/public/reports/<id>/``: one published exposure or comparison (the feed links to it).
- ``/public/feed.atom``: one entry per published exposure and comparison, for the media.

Only what HQ has published appears (reports/public_board.py keeps names of places and figures,
nothing about a person). The pages are the same for every visitor of a language, so a proxy may
keep them: ``@public_page(cache_seconds=300, index=True)`` (campaign.public_guard) makes an
anonymous visitor's answer ``Cache-Control: public, max-age=300``; an ETag and Last-Modified
from the latest published report give 304 to a conditional request that still matches (Django's
``condition``). They are rendered without the request's context (no CSRF cookie, no menu), so
no response sets a cookie. The language: ``?lang=zh-hans`` or ``?lang=en``, else
the visitor's (Accept-Language, or the language cookie); Chinese first.
"""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404, HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from django.views.decorators.http import condition, require_safe

from campaign.public_guard import public_page

from . import public_board
from .choices import ReportKind

# A shared cache keeps a page as long as the board's counts may be old (public_board).
MAX_AGE = public_board.COUNTS_WINDOW_SECONDS
LANGUAGE_CODES = tuple(code for code, _name in settings.LANGUAGES)


def _language(request) -> str:
    """``?lang=`` when it names a language of the site, else the one the middleware chose."""
    asked = (request.GET.get("lang") or "").lower()
    if asked in LANGUAGE_CODES:
        return asked
    current = translation.get_language() or settings.LANGUAGE_CODE
    return current if current in LANGUAGE_CODES else settings.LANGUAGE_CODE


def _in_language(response: HttpResponse, language: str) -> HttpResponse:
    response["Content-Language"] = language  # LocaleMiddleware keeps it (setdefault)
    return response


# Internet-facing, cacheable by a shared cache when answered to an anonymous visitor, indexable.
public_board_page = public_page(cache_seconds=MAX_AGE, index=True)


# --- The board ------------------------------------------------------------------------------


def _board(request) -> public_board.PublicBoard:
    """Read once per request: the conditional checks and the page share it."""
    if not hasattr(request, "_public_board"):
        request._public_board = public_board.public_board()
    return request._public_board


def _board_etag(request) -> str:
    return _board(request).etag(_language(request))


def _board_last_modified(request):
    return _board(request).last_modified


@public_board_page
@require_safe
@condition(etag_func=_board_etag, last_modified_func=_board_last_modified)
def board(request):
    board = _board(request)
    language = _language(request)
    with translation.override(language):
        html = render_to_string("reports/public/board.html", {
            "board": board,
            "campaign": board.campaign,
            "exposure": public_board.exposure_board(board.exposure),
            "comparison": public_board.comparison_board(board.comparison),
            "counts": board.counts,
            "language": language,
            "languages": settings.LANGUAGES,
            "path": request.path,
        })
    return _in_language(HttpResponse(html), language)


# --- One published report -------------------------------------------------------------------


def _report(request, pk: int):
    if not hasattr(request, "_public_report"):
        request._public_report = public_board.published_report(pk)
    return request._public_report


def _report_etag(request, pk: int) -> str | None:
    report = _report(request, pk)
    if report is None:
        return None
    return f"{report.pk}-{report.published_at.timestamp():.0f}-{_language(request)}"


def _report_last_modified(request, pk: int):
    report = _report(request, pk)
    return report.published_at if report else None


@public_board_page
@require_safe
@condition(etag_func=_report_etag, last_modified_func=_report_last_modified)
def report_page(request, pk: int):
    report = _report(request, pk)
    if report is None:
        raise Http404
    language = _language(request)
    with translation.override(language):
        shown = public_board.report_board(report)
        html = render_to_string("reports/public/report.html", {
            "report": report,
            "exposure": shown if report.kind == ReportKind.WEEKLY_EXPOSURE else None,
            "comparison": shown if report.kind == ReportKind.MONTHLY_COMPARISON else None,
            "campaign": public_board.current_campaign(),
            "language": language,
            "languages": settings.LANGUAGES,
            "path": request.path,
        })
    return _in_language(HttpResponse(html), language)


# --- The Atom feed --------------------------------------------------------------------------


class PublishedReportsFeed(Feed):
    """One entry per published weekly exposure and monthly comparison, newest published first."""

    feed_type = Atom1Feed

    def __call__(self, request, *args, **kwargs):
        language = _language(request)
        with translation.override(language):  # the feed's xml:lang and its text
            response = super().__call__(request, *args, **kwargs)
        return _in_language(response, language)

    def title(self):
        campaign = public_board.current_campaign()
        name = campaign.name if campaign else _("Health City Headquarters")
        return _("%(name)s: the public red and black list") % {"name": name}

    def author_name(self):
        """Atom wants an author: the campaign's headquarters, never a person."""
        campaign = public_board.current_campaign()
        return campaign.name if campaign else _("Health City Headquarters")

    def subtitle(self):
        return _("The weekly exposures and monthly comparisons headquarters has published.")

    def link(self):
        return reverse("public_board:board")

    def items(self):
        return public_board.feed_reports()

    def item_title(self, report):
        return f"{report.get_kind_display()} {report.period.label}"

    def item_description(self, report):
        shown = public_board.report_board(report)
        return render_to_string("reports/public/_feed_entry.html", {
            "report": report,
            "exposure": shown if report.kind == ReportKind.WEEKLY_EXPOSURE else None,
            "comparison": shown if report.kind == ReportKind.MONTHLY_COMPARISON else None,
        })

    def item_link(self, report):
        return reverse("public_board:report", args=[report.pk])

    def item_pubdate(self, report):
        return report.published_at

    def item_updateddate(self, report):
        return report.published_at

    def item_categories(self, report):
        return [report.get_kind_display()]


feed = public_board_page(PublishedReportsFeed())
