"""One module per report kind. Each module provides:

- ``compute(*, period: Period, district: District | None, progress: Callable[[int], None]) -> dict``
  the report's figures, JSON-serialisable (dates as ISO strings, decimals as floats rounded
  for display only where the rule says so); ``progress(percent)`` may be called as it goes.
- ``write_workbook(*, workbook: openpyxl.Workbook, report: Report) -> None``
  adds the kind's sheets (one per section) from ``report.data``.
- ``TEMPLATE``: the template that renders ``report.data`` as a page that prints on A4
  (it receives ``report``, ``data`` and ``viewer_scope`` to narrow lists for team and district leads).
"""

from importlib import import_module

from ..choices import ReportKind

_MODULES = {
    ReportKind.WEEKLY_ASSIGNMENT: "reports.kinds.weekly_assignment",
    ReportKind.WEEKLY_EXPOSURE: "reports.kinds.weekly_exposure",
    ReportKind.MONTHLY_COMPARISON: "reports.kinds.monthly_comparison",
}


def kind_module(kind: str):
    return import_module(_MODULES[ReportKind(kind)])
