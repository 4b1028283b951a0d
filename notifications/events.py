"""The registry of event kinds. Apps above this one register theirs in ``AppConfig.ready``::

    from notifications.events import register
    register("problem.assigned", _("A problem was assigned to my unit"))

A kind's text is two Django templates, rendered when a delivery is sent, in the recipient's
language, with the context saved on the notification:
``notifications/events/<code>/subject.txt`` (one line) and ``…/body.txt`` (plain text, also
sent as Markdown to group robots). The registering app ships them in its own ``templates/``.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext_lazy as _

DIGEST = "notifications.digest"


@dataclass(frozen=True)
class EventKind:
    code: str
    label: str
    # The channels a person gets unless they chose otherwise (the inbox is always on).
    default_channels: frozenset = field(default_factory=lambda: frozenset({"email"}))
    # Who may be told (shown on the preferences page only to these roles; None: everyone).
    roles: frozenset | None = None
    # The link of a notification, from the thing it is about (default: its get_absolute_url()).
    link: Callable | None = None
    template_dir: str = ""

    @property
    def templates(self) -> str:
        return self.template_dir or f"notifications/events/{self.code}"

    def render(self, context: dict, *, language: str) -> tuple[str, str]:
        """(subject, body) in ``language``."""
        with translation.override(language):
            subject = render_to_string(f"{self.templates}/subject.txt", context).strip()
            body = render_to_string(f"{self.templates}/body.txt", context).strip()
        return " ".join(subject.split()), body


_KINDS: dict[str, EventKind] = {}


def register(code: str, label, *, default_channels=("email",), roles=None, link=None,
             template_dir: str = "") -> EventKind:
    """Register (or re-register, e.g. on autoreload) an event kind."""
    kind = EventKind(code=code, label=label, default_channels=frozenset(default_channels),
                     roles=frozenset(roles) if roles is not None else None, link=link, template_dir=template_dir)
    _KINDS[code] = kind
    return kind


def get(code: str) -> EventKind:
    try:
        return _KINDS[code]
    except KeyError:
        raise LookupError(f"Unknown notification event {code!r}: register it in its app's ready().") from None


def all_kinds(*, for_user=None) -> list[EventKind]:
    kinds = [kind for code, kind in sorted(_KINDS.items()) if code != DIGEST]
    if for_user is None or for_user.is_superuser:
        return kinds
    return [kind for kind in kinds if kind.roles is None or for_user.role in kind.roles]


def register_own() -> None:
    register(DIGEST, _("Daily digest"), default_channels=("email",))
