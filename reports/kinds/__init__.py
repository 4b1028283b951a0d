"""One module per report kind. Each module provides:

- ``compute(*, period: Period, district: District | None, progress: Callable[[int], None]) -> dict``
  the report's figures, JSON-serialisable (dates as ISO strings, decimals as floats rounded
  for display only where the rule says so); ``progress(percent)`` may be called as it goes.
- ``write_workbook(*, workbook: openpyxl.Workbook, report: Report) -> None``
  adds the kind's sheets (one per section) from ``report.data``.
- ``TEMPLATE``: the template that renders ``report.data`` as a page that prints on A4
  (it receives ``report``, ``data`` and ``viewer_scope`` to narrow lists for team and district leads).

A kind that HQ publishes (declared below in ``_PUBLISHED_BY_HQ``) also provides
``named_in(data) -> (unit ids, district ids)``: the places the report names, told when it is
published (reports/notifications.py).
"""

from importlib import import_module

from ..choices import ReportKind

_MODULES = {
    ReportKind.WEEKLY_ASSIGNMENT: "reports.kinds.weekly_assignment",
    ReportKind.WEEKLY_EXPOSURE: "reports.kinds.weekly_exposure",
    ReportKind.MONTHLY_COMPARISON: "reports.kinds.monthly_comparison",
}


# The kinds HQ reviews as a draft and then publishes (reports.services.report_publish): until
# then only HQ and leaders see them; once published, all staff, and the public board (/public/).
_PUBLISHED_BY_HQ = frozenset({ReportKind.WEEKLY_EXPOSURE, ReportKind.MONTHLY_COMPARISON})


def kind_module(kind: str):
    return import_module(_MODULES[ReportKind(kind)])


def publishes(kind: str) -> bool:
    """Whether HQ publishes reports of ``kind`` (a draft until then)."""
    return kind in _PUBLISHED_BY_HQ


def publishing_kinds() -> tuple[str, ...]:
    return tuple(sorted(_PUBLISHED_BY_HQ))


def named_in(report) -> tuple[set[int], set[int]]:
    """(unit ids, district ids) a published report names, as its kind reads them from its data."""
    read = getattr(kind_module(report.kind), "named_in", None)
    if read is None:
        return set(), set()
    return read(report.data or {})
