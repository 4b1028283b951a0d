import django_filters
from django.utils.translation import gettext_lazy as _

from campaign.filters import ScopedFilterSet

from . import events
from .choices import Channel, DeliveryStatus
from .models import Delivery, Notification


def _event_choices():
    return [(kind.code, kind.label) for kind in events.all_kinds()] + [(events.DIGEST, _("Daily digest"))]


class _EventChoices:
    """Event kinds are registered by the apps above this one (in their ready()): read them late."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        event = self.filters["event"]
        event.extra = {**event.extra, "choices": _event_choices()}


class NotificationFilterSet(_EventChoices, ScopedFilterSet):
    """A person's inbox (page and API): only unread ones, or one event kind."""

    unread = django_filters.BooleanFilter(field_name="read_at", lookup_expr="isnull", label=_("Unread"))
    event = django_filters.ChoiceFilter(choices=(), label=_("Event"), empty_label=_("All events"))

    class Meta:
        model = Notification
        fields = ["unread", "event"]


class DeliveryFilterSet(_EventChoices, ScopedFilterSet):
    """HQ's delivery log."""

    status = django_filters.ChoiceFilter(choices=DeliveryStatus.choices, label=_("Status"),
                                         empty_label=_("All statuses"))
    channel = django_filters.ChoiceFilter(choices=Channel.choices, label=_("Channel"), empty_label=_("All channels"))
    event = django_filters.ChoiceFilter(field_name="notification__event", choices=(), label=_("Event"),
                                        empty_label=_("All events"))
    created_from = django_filters.DateFilter(field_name="created_at", lookup_expr="date__gte", label=_("From"))
    created_to = django_filters.DateFilter(field_name="created_at", lookup_expr="date__lte", label=_("To"))

    class Meta:
        model = Delivery
        fields = ["status", "channel", "event", "created_from", "created_to"]
