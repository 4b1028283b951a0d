"""Pages: my inbox (open, mark read, mark all read), my channel choices, HQ's delivery log."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import F
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from campaign.views.people import structure_manager_required

from . import events, services
from .backends import personal_channels
from .choices import Channel
from .filters import DeliveryFilterSet, NotificationFilterSet
from .forms import PreferencesForm
from .models import Delivery, Notification

PER_PAGE = 25


@login_required
@require_GET
def inbox(request):
    """My notifications, unread first, newest first; each rendered in my language now."""
    mine = Notification.objects.visible_to(request.user).select_related("recipient")
    filterset = NotificationFilterSet(request.GET or None, queryset=mine, request=request)
    listed = filterset.qs if filterset.is_bound else mine
    listed = listed.order_by(F("read_at").desc(nulls_first=True), "-created_at", "-id")
    page = Paginator(listed, PER_PAGE).get_page(request.GET.get("page"))
    rows = [(notification, services.message_for(notification)) for notification in page.object_list]
    return render(request, "notifications/inbox.html", {
        "filterset": filterset, "page": page, "rows": rows, "unread": services.unread_count(request.user)})


@login_required
@require_POST
def notification_open(request, pk: int):
    """Mark it read and go to what it is about."""
    notification = get_object_or_404(Notification.objects.visible_to(request.user), pk=pk)
    services.notification_read(notification=notification, user=request.user)
    if notification.url and url_has_allowed_host_and_scheme(notification.url, allowed_hosts={request.get_host()}):
        return redirect(notification.url)
    return redirect("notifications:inbox")


@login_required
@require_POST
def notification_mark_read(request, pk: int):
    notification = get_object_or_404(Notification.objects.visible_to(request.user), pk=pk)
    services.notification_read(notification=notification, user=request.user)
    return redirect("notifications:inbox")


@login_required
@require_POST
def notifications_read_all(request):
    count = services.notifications_read_all(user=request.user)
    messages.success(request, _("%(count)s notifications marked read.") % {"count": count})
    return redirect("notifications:inbox")


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request):
    """Which channels I get each event by, and whether I take a daily digest."""
    chosen = services.preferences_of(request.user)
    form = PreferencesForm(request.POST or None, chosen=chosen, digest=services.takes_digest(request.user))
    if request.method == "POST" and form.is_valid():
        services.preferences_save(user=request.user, chosen=form.chosen(),
                                  daily_digest=form.cleaned_data["daily_digest"])
        messages.success(request, _("Your notification settings were saved."))
        return redirect("notifications:preferences")
    channels = personal_channels()
    kinds = events.all_kinds(for_user=request.user) + [events.get(events.DIGEST)]
    table = [(kind, [form[form.field_name(kind.code, channel)] for channel in channels]) for kind in kinds]
    return render(request, "notifications/preferences.html", {
        "form": form, "table": table, "channels": [Channel(channel).label for channel in channels]})


@structure_manager_required
@require_GET
def delivery_log(request):
    """HQ's log of every delivery: status, attempts, last error, when sent."""
    deliveries = Delivery.objects.select_related("notification__recipient", "notification__robot")
    filterset = DeliveryFilterSet(request.GET or None, queryset=deliveries, request=request)
    listed = filterset.qs if filterset.is_bound else deliveries
    page = Paginator(listed.order_by("-created_at", "-id"), 50).get_page(request.GET.get("page"))
    return render(request, "notifications/delivery_log.html", {"filterset": filterset, "page": page})


routes = [
    path("", inbox, name="inbox"),
    path("<int:pk>/open/", notification_open, name="open"),
    path("<int:pk>/read/", notification_mark_read, name="read"),
    path("read-all/", notifications_read_all, name="read_all"),
    path("settings/", preferences, name="preferences"),
    path("deliveries/", delivery_log, name="delivery_log"),
]
