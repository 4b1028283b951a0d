"""Where a problem came from, as a link: a problem's ``source_ref`` is "<kind>:<id>" (for
example "inspection:37"), and the app that owns the kind registers how to name and reach it.

The ledger stands below the apps that feed it (inspections, …) and may not import them; they
register here instead, from their AppConfig.ready(): a URL name to reverse() with the id, and a
function that names the visible ones for a user (the others are shown as text, not linked, so
no link leads to a 404). A reference of no registered kind is shown as it is.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse


@dataclass(frozen=True)
class SourceKind:
    url_name: str
    # (user, ids) -> {id: human name} for the ids the user may see
    describe: Callable[[object, list[int]], dict[int, str]]


_KINDS: dict[str, SourceKind] = {}


def register_source_kind(prefix: str, *, url_name: str, describe) -> None:
    _KINDS[prefix] = SourceKind(url_name=url_name, describe=describe)


@dataclass(frozen=True)
class SourceLink:
    text: str
    url: str | None


def parse_source_ref(ref: str) -> tuple[str, int] | None:
    prefix, _sep, rest = (ref or "").partition(":")
    if prefix in _KINDS and rest.isdigit():
        return prefix, int(rest)
    return None


def source_link(ref: str, user) -> SourceLink | None:
    """The link (or plain text) to show for ``ref``; None for an empty reference."""
    if not ref:
        return None
    parsed = parse_source_ref(ref)
    if parsed is None:
        return SourceLink(text=ref, url=None)
    prefix, pk = parsed
    kind = _KINDS[prefix]
    name = kind.describe(user, [pk]).get(pk)
    if name is None:  # not visible to this user: no link to a 404
        return SourceLink(text=ref, url=None)
    return SourceLink(text=name, url=reverse(kind.url_name, args=[pk]))
