"""Everyone's work in one place: the task groups each app registers, and where each role lands.

The ground floor holds only the registry; the apps above fill it from their
``AppConfig.ready()`` (the ledger its problem groups, the inspections an inspector's round
points, the reports the exposures waiting to be published), so the home page and the menu
read every app's work without the ledger importing the apps above it.

A group is a label, the roles that see it, its rows (a queryset: the registry counts every
group in one query) and a URL. The URL is the list that
shows exactly the counted rows (for the ledger, the ledger list with its filters), so the
count a person sees is the number of rows they find when they follow it. A problem is in
every group it belongs to: an overdue closing application is both "verify" and "overdue".

The counts stand in every page's menu, kept per person for ``TASK_COUNTS_CACHE_SECONDS``
(through the forgiving cache: without a cache they are computed). Any write a person makes
forgets their counts (campaign.middleware.ForgetTaskCountsMiddleware), the task home always
counts afresh, and other people's counts are at most that many seconds old (the menu says so).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from django.conf import settings
from django.db.models import CharField, Count, Value
from django.http import QueryDict
from django.urls import reverse

from .cache import cache_delete, cache_get, cache_set, register_page_key
from .choices import Role
from .templatetags.cached_url import kept_reverse


@dataclass(frozen=True)
class TaskGroup:
    key: str
    label: str
    roles: frozenset[str]
    rows: Callable  # (user) -> the QuerySet of the rows the URL lists (the registry counts it)
    url: Callable  # (user) -> str: the list that shows exactly those rows
    order: int = 100
    # (user, limit) -> the first rows, shown on the home page with ``preview_template``.
    preview: Callable | None = None
    preview_template: str = ""
    # The roles whose menu total counts this group. A role's groups in the total never share a
    # row (the ledger's are by status); overlapping ones (overdue, rejected) stay out of it.
    total_roles: frozenset[str] = field(default_factory=frozenset)


_groups: dict[str, TaskGroup] = {}
_by_role: dict[tuple, list[TaskGroup]] = {}  # groups_for's answer per role and registry
_homes: dict[str, str] = {}
DEFAULT_HOME = "campaign:overview"
CACHE_KEY = "tasks-home:counts:{pk}"


def filter_data(params: dict) -> QueryDict:
    """A list's filters as its FilterSet reads them and as its URL carries them."""
    data = QueryDict(mutable=True)
    data.update(params)
    return data


def list_url(url_name: str, params=None, fragment: str = "") -> str:
    """The address of the list ``url_name`` showing ``params``' filters (a dict, or a function
    that gives it: filters on today's date), and ``#fragment``: a group's URL. The view's
    address is reversed once (``kept_reverse``) and each set of filters encoded once: every page's
    menu names each of its groups' lists."""
    data = params() if callable(params) else params
    key = (kept_reverse(url_name), _frozen(data or {}), fragment)
    url = _urls.get(key)
    if url is None:
        url = key[0] + (f"?{filter_data(data).urlencode()}" if data else "") + (f"#{fragment}" if fragment else "")
        if len(_urls) >= _KEEP_URLS:
            _urls.clear()
        _urls[key] = url
    return url


def _frozen(params: dict) -> tuple:
    return tuple(sorted((name, tuple(value) if isinstance(value, list) else value)
                        for name, value in params.items()))


_urls: dict[tuple, str] = {}
_KEEP_URLS = 1024


def register(group: TaskGroup) -> None:
    """Add a group (from an ``AppConfig.ready()``). Registering a key again replaces it."""
    _groups[group.key] = group


def register_home(url_name: str, *, roles=None) -> None:
    """Where ``roles`` land after signing in and on "/" (a URL name; ``roles=None``: every role
    without its own)."""
    for role in roles if roles is not None else ("*",):
        _homes[role] = url_name


def role_of(user) -> str:
    return Role.HQ_STAFF if user.is_superuser else user.role


def home_url(user) -> str:
    role = role_of(user)
    return reverse(_homes.get(role) or _homes.get("*") or DEFAULT_HOME)


def groups_for(user) -> list[TaskGroup]:
    """The groups ``user``'s role sees, in their order."""
    if not (user and user.is_authenticated and user.is_active):
        return []
    role = role_of(user)
    # Kept per role and per the registry's groups as they are (a test may swap or change them).
    key = (role, id(_groups), *map(id, _groups.values()))
    groups = _by_role.get(key)
    if groups is None:
        if len(_by_role) >= 64:
            _by_role.clear()
        groups = _by_role[key] = sorted((g for g in _groups.values() if role in g.roles),
                                        key=lambda g: (g.order, g.key))
    return list(groups)


def counts(user, *, fresh: bool = False, kept=None) -> dict[str, int]:
    """Each of the user's groups' count, from the cache unless ``fresh`` (then kept again);
    ``kept``: cached values read already (``page_values``), which hold the key if it was cached."""
    groups = groups_for(user)
    if not groups:
        return {}
    key = _counts_key(user)
    if not fresh:
        cached = kept[key] if kept is not None and key in kept else cache_get(key)
        if isinstance(cached, dict) and set(cached) == {g.key for g in groups}:
            return cached
    result = _count(user, groups)
    seconds = settings.TASK_COUNTS_CACHE_SECONDS
    if seconds:
        cache_set(key, result, seconds)
    return result


def _count(user, groups) -> dict[str, int]:
    """Every group's rows counted in one query (a UNION ALL of one count per group), so the menu
    costs one query when its counts are not kept."""
    parts = []
    for group in groups:
        rows = group.rows(user).order_by()
        if rows.query.distinct:  # a DISTINCT would apply after the count: count the ids instead
            rows = rows.model._default_manager.filter(pk__in=rows.values("pk"))
        parts.append(
            rows.annotate(task_group=Value(group.key, output_field=CharField()))
            .values("task_group").annotate(n=Count("pk"))
        )
    first, *rest = parts
    found = {row["task_group"]: row["n"] for row in first.union(*rest, all=True)} if parts else {}
    return {group.key: found.get(group.key, 0) for group in groups}


def _counts_key(user) -> str:
    return CACHE_KEY.format(pk=user.pk)


register_page_key(_counts_key)


def forget(user) -> None:
    """Drop the user's kept counts: the next page counts again."""
    cache_delete(_counts_key(user))


class TaskMenu:
    """The menu's view of the registry, computed only when a page shows the menu."""

    def __init__(self, user, kept=None):
        self.user = user
        self.kept = kept  # the page's cached values, read already (``page_values``)

    @cached_property
    def entries(self) -> list[dict]:
        numbers = counts(self.user, kept=self.kept)
        return [
            {"key": g.key, "label": g.label, "count": numbers.get(g.key, 0), "url": g.url(self.user)}
            for g in groups_for(self.user)
        ]

    @cached_property
    def total(self) -> int:
        role = role_of(self.user)
        wanted = {g.key for g in groups_for(self.user) if role in g.total_roles}
        return sum(entry["count"] for entry in self.entries if entry["key"] in wanted)

    @property
    def stale_seconds(self) -> int:
        return settings.TASK_COUNTS_CACHE_SECONDS

    @property
    def memo_key(self) -> tuple:
        """All the menu shows (campaign/_task_menu.html), as a ``{% memo %}`` key: it is rendered
        once per these labels, counts and addresses."""
        return (tuple((e["key"], str(e["label"]), e["count"], e["url"]) for e in self.entries),
                self.total, self.stale_seconds)
