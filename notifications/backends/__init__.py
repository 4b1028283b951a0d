"""Channels as backends behind one interface, chosen by ``settings.NOTIFICATION_BACKENDS``
(dotted paths). To add a channel (an SMS gateway, say): subclass ``NotificationBackend``, set
``channel`` (a ``choices.Channel`` value) and ``personal`` (sent to a person, not to a group
robot), implement ``send(delivery, message)`` raising ``DeliveryError`` on any failure, and add
its dotted path to the setting. ``notifications.backends.sms.LoggingSmsBackend`` is the example.
"""

from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string


class DeliveryError(Exception):
    """The channel did not take the message (HTTP error, timeout, refusal): try again later."""


class RecipientGone(Exception):
    """Nobody to send to (a revoked account, no email address): the delivery is skipped."""


@dataclass(frozen=True)
class Message:
    subject: str
    body: str
    url: str  # absolute when NOTIFICATION_SITE_URL is set
    attachment_url: str = ""


class NotificationBackend:
    channel: str = ""
    personal: bool = True  # False: a group robot's channel

    def send(self, delivery, message: Message) -> None:
        raise NotImplementedError


@cache
def _backends() -> dict[str, NotificationBackend]:
    found = {}
    for path in settings.NOTIFICATION_BACKENDS:
        backend = import_string(path)()
        found[backend.channel] = backend
    return found


def backend_for(channel: str) -> NotificationBackend | None:
    return _backends().get(channel)


def personal_channels() -> list[str]:
    return [channel for channel, backend in _backends().items() if backend.personal]


def reset() -> None:
    """Forget the loaded backends (tests that change the setting)."""
    _backends.cache_clear()
