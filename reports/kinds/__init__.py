"""The report kinds: one module per kind in this package, and nothing else to edit.

A module is a kind when it declares ``KIND``; the registry finds it by itself (``discover``
scans this package's ``__path__``), and everything else reads the registry: the Report
model's choices (a callable, so a new kind needs no migration), the forms, the list filter,
the API and its OpenAPI enum, the period of a request, the Monday and monthly runs, the
worker's catch-up, the demo, publishing. A module without ``KIND`` (standings.py,
public_channel.py) is a helper the kinds share.

A kind module declares:

- ``KIND``: the value stored in ``Report.kind`` (at most 30 characters, never changed once
  reports exist).
- ``LABEL``: its name, ``gettext_lazy``.
- ``PERIOD``: ``"week"`` (an ISO week, produced every Monday for the week just ended) or
  ``"month"`` (a calendar month, produced on the 1st for the month just ended) or ``"quarter"``
  (a calendar quarter, produced on the 1st of January, April, July and October for the quarter
  just ended).
- ``ORDER`` (optional, 100): its place in lists and in the scheduled runs.
- ``PUBLISHED_BY_HQ`` (optional, False): a draft that HQ reviews and publishes
  (reports.services.report_publish); until then only HQ and leaders see it, once published
  all staff. Such a kind may provide ``named_in(data) -> (unit ids, district ids)``: the
  places the report names, told when it is published (reports/notifications.py).
- ``PUBLIC_BOARD`` (optional, False): once published, also on the public board (/public/),
  which then needs the kind's public part in reports/public_board.py.
- ``compute(*, period: Period, district: District | None, progress: Callable[[int], None]) -> dict``
  the report's figures, JSON-serialisable (dates as ISO strings, decimals as floats rounded
  for display only where the rule says so); ``progress(percent)`` may be called as it goes.
- ``write_workbook(*, workbook: openpyxl.Workbook, report: Report) -> None``
  adds the kind's sheets (one per section) from ``report.data``.
- ``TEMPLATE``: the template that renders ``report.data`` as a page that prints on A4
  (it receives ``report``, ``data`` and ``viewer_scope`` to narrow lists for team and district leads).
- ``DASHBOARD_TEMPLATE`` (optional): a card on the leaders' dashboard, rendered with ``report``
  (the latest finished city-wide report of the kind the viewer may open, or None) and ``kind``.
- ``narrow(data, scope) -> dict`` (optional): the data a viewer with ``scope`` (not None;
  reports.selectors.viewer_scope) may read through the API and the workbook, its lists cut
  with reports.selectors.row_in_scope; without it every reader gets the whole data.
"""

import pkgutil
from dataclasses import dataclass
from importlib import import_module
from types import ModuleType

from django.core.exceptions import ImproperlyConfigured

PERIODS = ("week", "month", "quarter")
KIND_MAX_LENGTH = 30  # Report.kind's max_length
_REQUIRED = ("LABEL", "PERIOD", "TEMPLATE", "compute", "write_workbook")


@dataclass(frozen=True)
class Kind:
    """One report kind as its module declares it (``module`` is the module's dotted name)."""

    key: str
    label: str
    period: str
    order: int
    published_by_hq: bool
    public_board: bool
    module: str
    dashboard_template: str | None = None


_KINDS: dict[str, Kind] | None = None


def _declared(module: ModuleType) -> Kind:
    name = module.__name__
    missing = [attribute for attribute in _REQUIRED if not hasattr(module, attribute)]
    if missing:
        raise ImproperlyConfigured(f"Report kind module {name} declares KIND but not {', '.join(missing)}.")
    key = module.KIND
    if not isinstance(key, str) or not key or len(key) > KIND_MAX_LENGTH:
        raise ImproperlyConfigured(f"{name}.KIND must be a non-empty string of at most {KIND_MAX_LENGTH} characters.")
    if module.PERIOD not in PERIODS:
        raise ImproperlyConfigured(f"{name}.PERIOD must be one of {PERIODS}, not {module.PERIOD!r}.")
    return Kind(key=key, label=module.LABEL, period=module.PERIOD, order=getattr(module, "ORDER", 100),
                published_by_hq=bool(getattr(module, "PUBLISHED_BY_HQ", False)),
                public_board=bool(getattr(module, "PUBLIC_BOARD", False)), module=name,
                dashboard_template=getattr(module, "DASHBOARD_TEMPLATE", None))


def discover() -> dict[str, Kind]:
    """Scan the package (every directory of its ``__path__``) and register each module that
    declares ``KIND``, in ``ORDER`` then key. Called once, lazily; call it again to rescan."""
    global _KINDS
    found: dict[str, Kind] = {}
    for info in pkgutil.iter_modules(__path__):
        if info.ispkg or info.name.startswith("_"):
            continue
        module = import_module(f"{__name__}.{info.name}")
        if not hasattr(module, "KIND"):
            continue  # a helper the kinds share
        kind = _declared(module)
        if kind.key in found:
            raise ImproperlyConfigured(f"Report kind {kind.key!r} is declared by both {found[kind.key].module} "
                                       f"and {kind.module}.")
        found[kind.key] = kind
    _KINDS = dict(sorted(found.items(), key=lambda item: (item[1].order, item[0])))
    return _KINDS


def registry() -> dict[str, Kind]:
    """{key: Kind}, in order."""
    return _KINDS if _KINDS is not None else discover()


def kind_keys() -> tuple[str, ...]:
    return tuple(registry())


def kind_choices() -> list[tuple[str, str]]:
    """(key, label) of every kind: the choices of Report.kind, the forms, the filter and the API."""
    return [(kind.key, kind.label) for kind in registry().values()]


def get_kind(kind: str) -> Kind:
    """The kind registered as ``kind``; KeyError when there is none."""
    return registry()[str(kind)]


def is_kind(kind) -> bool:
    return isinstance(kind, str) and kind in registry()


def kinds_of_period(period: str) -> tuple[str, ...]:
    """The kinds produced every Monday (``"week"``), on the 1st of the month (``"month"``) or of
    the quarter (``"quarter"``)."""
    return tuple(kind.key for kind in registry().values() if kind.period == period)


def dashboard_kinds() -> tuple[Kind, ...]:
    """The kinds with a card on the leaders' dashboard, in order."""
    return tuple(kind for kind in registry().values() if kind.dashboard_template)


def kind_module(kind: str):
    return import_module(get_kind(kind).module)


def publishes(kind: str) -> bool:
    """Whether HQ publishes reports of ``kind`` (a draft until then)."""
    return is_kind(kind) and get_kind(kind).published_by_hq


def publishing_kinds() -> tuple[str, ...]:
    return tuple(sorted(kind.key for kind in registry().values() if kind.published_by_hq))


def public_board_kinds() -> tuple[str, ...]:
    """The kinds the public board shows once HQ published them."""
    return tuple(sorted(kind.key for kind in registry().values() if kind.published_by_hq and kind.public_board))


def named_in(report) -> tuple[set[int], set[int]]:
    """(unit ids, district ids) a published report names, as its kind reads them from its data."""
    read = getattr(kind_module(report.kind), "named_in", None)
    if read is None:
        return set(), set()
    return read(report.data or {})
