"""Every write of the notifications app.

``notify`` is called by the app whose event it is, inside that event's transaction: it writes
the inbox rows and their deliveries (the outbox) and hands the deliveries to the worker when the
transaction commits. It never sends anything itself and never raises for a recipient it cannot
reach (such a recipient is skipped and logged), so it cannot block or break its caller.

The worker's task calls ``delivery_send``: it claims the delivery with one conditional UPDATE
(pending, or "sending" with an expired claim), renders the kind's templates in the recipient's
language, sends outside any transaction and records the outcome. A delivery sent already is
never sent again, however often its task runs.
"""

import datetime as dt
import logging
from collections.abc import Iterable
from functools import partial

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from campaign.cache import cache_delete, cache_get, cache_set
from campaign.choices import Role
from campaign.jobs import BROKER_ERRORS, PUBLISH_RETRY_POLICY, task_by_name

from . import events
from .backends import DeliveryError, Message, RecipientGone, backend_for, personal_channels
from .choices import DeliveryStatus
from .models import Delivery, DigestChoice, GroupRobot, Notification, Preference

logger = logging.getLogger(__name__)


# --- Writing notifications ---------------------------------------------------------------------


def _link(kind: events.EventKind, about) -> str:
    if about is None:
        return ""
    if kind.link is not None:
        return kind.link(about) or ""
    get_url = getattr(about, "get_absolute_url", None)
    return get_url() if get_url else ""


def _attachment_url(attachment) -> str:
    if attachment is None:
        return ""
    if isinstance(attachment, str):
        return attachment
    get_url = getattr(attachment, "get_absolute_url", None)
    return get_url() if get_url else ""


def _resolve_users(users: Iterable) -> list:
    """Active people among ``users`` (instances or ids); the others are logged and skipped."""
    User = get_user_model()
    ids = {getattr(user, "pk", user) for user in users}
    ids.discard(None)
    found = {user.pk: user for user in User.objects.filter(pk__in=ids)}
    for missing in sorted(ids - set(found), key=str):
        logger.warning("notify: unknown recipient %s skipped", missing)
    active = []
    for user in found.values():
        if not user.is_active or user.role == Role.PUBLIC:
            logger.warning("notify: inactive recipient %s (%s) skipped", user.pk, user.username)
            continue
        active.append(user)
    return active


def recipients_of(*, users=(), units=(), districts=()) -> tuple[list, list[GroupRobot]]:
    """People and group robots to tell: the users named, each unit's handlers and robot, each
    district's leads and robot. Inactive or unknown people are logged and skipped."""
    User = get_user_model()
    unit_ids = [getattr(unit, "pk", unit) for unit in units if unit is not None]
    district_ids = [getattr(district, "pk", district) for district in districts if district is not None]
    chosen = list(users)
    if unit_ids:
        chosen += list(User.objects.filter(role=Role.UNIT_HANDLER, unit_id__in=unit_ids, is_active=True))
    if district_ids:
        chosen += list(User.objects.filter(role=Role.DISTRICT_LEAD, district_id__in=district_ids, is_active=True))
    people = _resolve_users(chosen)
    robots = list(GroupRobot.objects.filter(Q(unit_id__in=unit_ids) | Q(district_id__in=district_ids), active=True))
    if (unit_ids or district_ids) and not people and not robots:
        logger.warning("notify: nobody to tell for units %s districts %s", unit_ids, district_ids)
    return sorted(people, key=lambda user: user.pk), robots


def _chosen_channels(user_ids: list[int], event: str) -> dict[int, set[str]]:
    """Each person's channels for ``event``: their choices over the kind's defaults."""
    kind = events.get(event)
    available = personal_channels()
    chosen = {pk: {channel for channel in available if channel in kind.default_channels} for pk in user_ids}
    for pk, channel, enabled in Preference.objects.filter(user_id__in=user_ids, event=event).values_list(
            "user_id", "channel", "enabled"):
        if channel not in available:
            continue
        (chosen[pk].add if enabled else chosen[pk].discard)(channel)
    return chosen


def _create_once(**fields) -> Notification | None:
    """Insert one notification; None if its dedupe key was used for that recipient already.
    A savepoint keeps the caller's transaction usable after the refused insert."""
    if fields.get("dedupe_key"):
        who = {"recipient": fields.get("recipient"), "robot": fields.get("robot")}
        if Notification.objects.filter(dedupe_key=fields["dedupe_key"], **who).exists():
            return None
    try:
        with transaction.atomic():
            return Notification.objects.create(**fields)
    except IntegrityError:
        return None


def notify(event: str, *, about=None, users=(), units=(), districts=(), context: dict | None = None,
           dedupe_key: str = "", attachment=None) -> list[Notification]:
    """Tell people (and the group robots of units and districts) that ``event`` happened.

    Call it inside the transaction of the change it reports: the rows commit or roll back with
    it, and the deliveries go to the worker after the commit. ``about``: the thing it is about
    (its link is kept); ``context``: JSON data for the kind's templates; ``dedupe_key``: the
    same key never reaches the same recipient twice (e.g. "problem.due_tomorrow:123:2026-12-07").
    Returns the notifications written (people's and robots')."""
    kind = events.get(event)
    people, robots = recipients_of(users=users, units=units, districts=districts)
    common = {
        "event": event,
        "about_type": ContentType.objects.get_for_model(about) if about is not None else None,
        "about_id": about.pk if about is not None else None,
        "url": _link(kind, about),
        "attachment_url": _attachment_url(attachment),
        "context": dict(context or {}),
        "dedupe_key": dedupe_key,
    }
    channels = _chosen_channels([user.pk for user in people], event)
    digest_takers = set(DigestChoice.objects.filter(user__in=people, daily_digest=True).values_list("user_id", flat=True))
    written, deliveries = [], []
    for user in people:
        held = user.pk in digest_takers
        notification = _create_once(recipient=user, held_for_digest=held, **common)
        if notification is None:
            continue
        written.append(notification)
        if not held:
            deliveries += [Delivery(notification=notification, channel=channel) for channel in sorted(channels[user.pk])]
    for robot in robots:
        if backend_for(robot.platform) is None:
            logger.warning("notify: robot %s skipped: its platform %s is not in NOTIFICATION_BACKENDS",
                           robot.pk, robot.platform)
            continue
        notification = _create_once(robot=robot, **common)
        if notification is not None:
            written.append(notification)
            deliveries.append(Delivery(notification=notification, channel=robot.platform))
    _queue(deliveries)
    user_ids = [n.recipient_id for n in written if n.recipient_id]
    if user_ids:
        transaction.on_commit(partial(unread_forget, user_ids=user_ids), robust=True)
    return written


def _queue(deliveries: list[Delivery]) -> None:
    if not deliveries:
        return
    Delivery.objects.bulk_create(deliveries)
    ids = list(Delivery.objects.filter(notification__in=[d.notification for d in deliveries])
               .filter(status=DeliveryStatus.PENDING).values_list("pk", flat=True))
    transaction.on_commit(partial(deliveries_enqueue, delivery_ids=ids), robust=True)


# --- Sending -----------------------------------------------------------------------------------


def deliveries_enqueue(*, delivery_ids: list[int], countdown: int = 0) -> int:
    """Hand deliveries to the broker. A broker that cannot be reached is logged: the sweep
    (``deliveries_relay``) sends them later. Returns how many were handed over."""
    task = task_by_name("notifications.delivery_send")  # by name: tasks import services
    sent = []
    for pk in delivery_ids:
        try:
            task.apply_async(args=(pk,), countdown=countdown, queue=settings.NOTIFICATIONS_QUEUE,
                             retry=True, retry_policy=PUBLISH_RETRY_POLICY)
        except BROKER_ERRORS as exc:
            logger.warning("Delivery %s: broker unreachable (%s); the sweep sends it later", pk, exc)
            break
        sent.append(pk)
    if sent:
        Delivery.objects.filter(pk__in=sent).update(enqueued_at=timezone.now())
    return len(sent)


def _claim(delivery_id: int) -> bool:
    now = timezone.now()
    lease = now + dt.timedelta(seconds=settings.NOTIFICATION_HTTP_TIMEOUT * 3 + 30)
    return bool(Delivery.objects.filter(
        Q(status=DeliveryStatus.PENDING) | Q(status=DeliveryStatus.SENDING, claim_until__lt=now), pk=delivery_id,
    ).update(status=DeliveryStatus.SENDING, claim_until=lease, attempts=F("attempts") + 1))


def absolute(url: str) -> str:
    if not url or "://" in url:
        return url
    return settings.NOTIFICATION_SITE_URL.rstrip("/") + url


def recipient_language(notification: Notification) -> str:
    return getattr(notification.recipient, "language", "") or settings.LANGUAGE_CODE


def message_for(notification: Notification) -> Message:
    """The notification's text in its recipient's language, rendered now."""
    kind = events.get(notification.event)
    context = {**notification.context, "url": absolute(notification.url),
               "recipient": notification.recipient, "robot": notification.robot}
    if notification.event == events.DIGEST:
        context["notifications"] = digest_items(notification)
    subject, body = kind.render(context, language=recipient_language(notification))
    return Message(subject=subject, body=body, url=absolute(notification.url),
                   attachment_url=absolute(notification.attachment_url))


class SendFailed(Exception):
    """This attempt failed; the delivery is pending again. ``attempts``: tries made so far."""

    def __init__(self, message: str, *, attempts: int):
        super().__init__(message)
        self.attempts = attempts


def delivery_send(*, delivery_id: int) -> str:
    """Send one delivery once. Returns "sent", "skipped" or "not_mine" (sent, failed or being
    sent by another worker); raises ``SendFailed`` when the channel refused it (retry later)."""
    if not _claim(delivery_id):
        return "not_mine"
    delivery = Delivery.objects.select_related("notification__recipient", "notification__robot").get(pk=delivery_id)
    notification = delivery.notification
    mine = Delivery.objects.filter(pk=delivery_id, status=DeliveryStatus.SENDING)
    backend = backend_for(delivery.channel)
    try:
        if backend is None:
            raise RecipientGone(f"channel {delivery.channel} is not configured")
        if notification.recipient_id and not notification.recipient.is_active:
            raise RecipientGone(f"recipient {notification.recipient.username} is inactive")
        if notification.robot_id and not notification.robot.active:
            raise RecipientGone(f"group robot {notification.robot} is switched off")
        backend.send(delivery, message_for(notification))
    except RecipientGone as exc:
        logger.warning("Delivery %s skipped: %s", delivery_id, exc)
        mine.update(status=DeliveryStatus.SKIPPED, last_error=str(exc)[:2000], claim_until=None)
        return "skipped"
    except DeliveryError as exc:
        logger.warning("Delivery %s attempt %s failed: %s", delivery_id, delivery.attempts, exc)
        mine.update(status=DeliveryStatus.PENDING, last_error=str(exc)[:2000], claim_until=None)
        raise SendFailed(str(exc), attempts=delivery.attempts) from exc
    mine.update(status=DeliveryStatus.SENT, sent_at=timezone.now(), claim_until=None, last_error="")
    return "sent"


def delivery_retry_at(*, delivery_id: int, countdown: float) -> None:
    """The delivery's next try is expected in ``countdown`` seconds (the sweep waits for it)."""
    Delivery.objects.filter(pk=delivery_id, status=DeliveryStatus.PENDING).update(
        due_at=timezone.now() + dt.timedelta(seconds=countdown), enqueued_at=timezone.now())


def delivery_fail(*, delivery_id: int) -> None:
    """Give up after NOTIFICATION_MAX_ATTEMPTS: the delivery stays in the log as failed."""
    Delivery.objects.filter(pk=delivery_id, status=DeliveryStatus.PENDING).update(
        status=DeliveryStatus.FAILED, claim_until=None)
    logger.error("Delivery %s failed for good", delivery_id)


def deliveries_relay(*, now: dt.datetime | None = None) -> int:
    """The sweep: send again what is pending long past its time (its message to the broker was
    lost, or its worker died mid-send), and fail what has used up its attempts."""
    now = now or timezone.now()
    stale = now - dt.timedelta(minutes=settings.NOTIFICATION_RESEND_AFTER_MINUTES)
    waiting = Delivery.objects.filter(
        Q(status=DeliveryStatus.PENDING, due_at__lt=stale) | Q(status=DeliveryStatus.SENDING, claim_until__lt=now))
    spent = waiting.filter(attempts__gte=settings.NOTIFICATION_MAX_ATTEMPTS)
    for pk in spent.filter(status=DeliveryStatus.PENDING).values_list("pk", flat=True):
        delivery_fail(delivery_id=pk)
    ids = list(waiting.filter(attempts__lt=settings.NOTIFICATION_MAX_ATTEMPTS).values_list("pk", flat=True)[:1000])
    if ids:
        Delivery.objects.filter(pk__in=ids).update(due_at=now)
    return deliveries_enqueue(delivery_ids=ids)


# --- Digest ------------------------------------------------------------------------------------


def digest_items(notification: Notification) -> list[dict]:
    ids = notification.context.get("notification_ids", [])
    items = []
    for held in Notification.objects.filter(pk__in=ids).order_by("created_at"):
        message = message_for(held)
        items.append({"subject": message.subject, "url": message.url})
    return items


def digests_send(*, now: dt.datetime | None = None) -> int:
    """Daily: one digest to each person who takes one, of the notifications held for it since
    their last digest (none if there were none). Safe to run twice a day: keyed by the day."""
    now = now or timezone.now()
    day = timezone.localdate(now)
    count = 0
    for choice in DigestChoice.objects.filter(daily_digest=True, user__is_active=True).select_related("user"):
        with transaction.atomic():
            held = Notification.objects.filter(recipient=choice.user, held_for_digest=True, in_inbox=True,
                                               created_at__lt=now)
            if choice.last_digest_at:
                held = held.filter(created_at__gte=choice.last_digest_at)
            ids = list(held.order_by("created_at").values_list("pk", flat=True))
            DigestChoice.objects.filter(pk=choice.pk).update(last_digest_at=now)
            if not ids:
                continue
            notification = _create_once(
                recipient=choice.user, event=events.DIGEST, in_inbox=False, dedupe_key=f"{events.DIGEST}:{day}",
                context={"notification_ids": ids, "count": len(ids), "day": day.isoformat()})
            if notification is None:
                continue
            channels = _chosen_channels([choice.user.pk], events.DIGEST)[choice.user.pk]
            _queue([Delivery(notification=notification, channel=channel) for channel in sorted(channels)])
            count += 1
    return count


# --- Choices -----------------------------------------------------------------------------------


def preferences_of(user) -> dict[tuple[str, str], bool]:
    """(event, channel) → on? for every kind the person may get and every personal channel."""
    kinds = events.all_kinds(for_user=user) + [events.get(events.DIGEST)]
    chosen = {}
    for kind in kinds:
        for channel in personal_channels():
            chosen[(kind.code, channel)] = channel in kind.default_channels
    for event, channel, enabled in Preference.objects.filter(user=user).values_list("event", "channel", "enabled"):
        if (event, channel) in chosen:
            chosen[(event, channel)] = enabled
    return chosen


def preferences_save(*, user, chosen: dict[tuple[str, str], bool], daily_digest: bool) -> None:
    """Keep a person's channel choices and whether they take a daily digest."""
    allowed = preferences_of(user)
    with transaction.atomic():
        for (event, channel), enabled in chosen.items():
            if (event, channel) not in allowed:
                continue
            Preference.objects.update_or_create(user=user, event=event, channel=channel,
                                                defaults={"enabled": bool(enabled)})
        DigestChoice.objects.update_or_create(user=user, defaults={"daily_digest": daily_digest})


def takes_digest(user) -> bool:
    return DigestChoice.objects.filter(user=user, daily_digest=True).exists()


# --- Inbox -------------------------------------------------------------------------------------


def _unread_key(user_id: int) -> str:
    return f"notifications:unread:{user_id}"


def unread_key_of(user) -> str:
    return _unread_key(user.pk)


def unread_count(user, kept=None) -> int:
    """How many unread notifications ``user`` has, kept NOTIFICATION_UNREAD_CACHE_SECONDS;
    ``kept``: cached values read already (campaign.cache.page_values, which reads this key:
    apps.py registers it)."""
    key = _unread_key(user.pk)
    count = kept[key] if kept is not None and key in kept else cache_get(key)
    if count is None:
        count = Notification.objects.visible_to(user).unread().count()
        cache_set(key, count, settings.NOTIFICATION_UNREAD_CACHE_SECONDS)
    return count


def unread_forget(*, user_ids: Iterable[int]) -> None:
    for pk in set(user_ids):
        cache_delete(_unread_key(pk))


def notification_read(*, notification: Notification, user) -> Notification:
    """Mark one of ``user``'s notifications read (reading it twice changes nothing)."""
    Notification.objects.visible_to(user).filter(pk=notification.pk, read_at__isnull=True).update(
        read_at=timezone.now())
    transaction.on_commit(partial(unread_forget, user_ids=[user.pk]), robust=True)
    notification.refresh_from_db(fields=["read_at"])
    return notification


def notifications_read_all(*, user) -> int:
    """Mark every unread notification of ``user`` read; returns how many."""
    count = Notification.objects.visible_to(user).unread().update(read_at=timezone.now())
    transaction.on_commit(partial(unread_forget, user_ids=[user.pk]), robust=True)
    return count

