"""Notifications: the inbox rows people read, their deliveries by channel (the outbox the
worker sends), people's channel choices and the group robots of units and districts.

A notification is written in the transaction of the event that causes it (``services.notify``)
and its deliveries are sent by the worker after the commit. Unique constraints make each
delivery once per channel and a ``dedupe_key`` once per recipient.
"""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaign.models import District, Unit

from .choices import Channel, DeliveryStatus, RobotPlatform


class GroupRobot(models.Model):
    """A WeCom or DingTalk group robot (群机器人) of a unit or a district, set by HQ staff: the
    group hears what its unit's or district's people are told."""

    name = models.CharField(_("name"), max_length=100)
    platform = models.CharField(_("platform"), max_length=10, choices=RobotPlatform.choices)
    webhook_url = models.URLField(_("webhook URL"), max_length=500)
    secret = models.CharField(
        _("signing secret"), max_length=200, blank=True,
        help_text=_("DingTalk's 加签 secret (SEC…); empty for WeCom or an unsigned robot."),
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="group_robots",
                             verbose_name=_("unit"))
    district = models.ForeignKey(District, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="group_robots", verbose_name=_("district"))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("group robot")
        verbose_name_plural = _("group robots")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(unit__isnull=False, district__isnull=True) | Q(unit__isnull=True, district__isnull=False)),
                name="group_robot_unit_or_district",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class NotificationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A person sees their own notifications only (HQ reads deliveries in the log)."""
        if not (user and user.is_authenticated):
            return self.none()
        return self.filter(recipient=user, in_inbox=True)

    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """One event told to one person (their inbox row) or to one group robot."""

    event = models.CharField(_("event"), max_length=60, db_index=True)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True,
                                  related_name="notifications", verbose_name=_("recipient"))
    robot = models.ForeignKey(GroupRobot, on_delete=models.CASCADE, null=True, blank=True,
                              related_name="notifications", verbose_name=_("group robot"))
    # What it is about: kept as a content type and id (the thing may be of any app) and its link.
    about_type = models.ForeignKey(ContentType, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    about_id = models.PositiveBigIntegerField(null=True, blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    attachment_url = models.CharField(_("attachment"), max_length=500, blank=True)
    # The event's data, rendered by its kind's templates when sent, in the recipient's language.
    context = models.JSONField(default=dict, blank=True)
    dedupe_key = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    # Digests are sent, not listed in the inbox (their notifications are).
    in_inbox = models.BooleanField(default=True)
    # The recipient takes a daily digest: this one waits for it instead of being sent now.
    held_for_digest = models.BooleanField(default=False)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at", "-created_at"], name="notification_inbox")]
        constraints = [
            models.CheckConstraint(
                condition=(Q(recipient__isnull=False, robot__isnull=True) | Q(recipient__isnull=True, robot__isnull=False)),
                name="notification_person_or_robot",
            ),
            models.UniqueConstraint(fields=["recipient", "dedupe_key"], condition=~Q(dedupe_key=""),
                                    name="notification_once_per_person"),
            models.UniqueConstraint(fields=["robot", "dedupe_key"], condition=~Q(dedupe_key=""),
                                    name="notification_once_per_robot"),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.recipient or self.robot}"


class Delivery(models.Model):
    """One notification sent by one channel: the outbox row the worker claims, and the log HQ reads."""

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="deliveries",
                                     verbose_name=_("notification"))
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    status = models.CharField(_("status"), max_length=10, choices=DeliveryStatus.choices,
                              default=DeliveryStatus.PENDING, db_index=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    # When the next attempt is expected (the sweep sends again what is pending long past it).
    due_at = models.DateTimeField(_("due at"), default=timezone.now)
    enqueued_at = models.DateTimeField(_("handed to the worker at"), null=True, blank=True)
    claim_until = models.DateTimeField(null=True, blank=True, editable=False)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["notification", "channel"], name="delivery_once_per_channel"),
        ]
        indexes = [models.Index(fields=["status", "due_at"], name="delivery_outbox")]

    def __str__(self) -> str:
        return f"{self.notification} [{self.channel}]"


class Preference(models.Model):
    """A person's choice of one channel for one event kind (missing: the channel's default)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    event = models.CharField(max_length=60)
    channel = models.CharField(max_length=20, choices=Channel.choices)
    enabled = models.BooleanField(default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "event", "channel"], name="preference_once")]

    def __str__(self) -> str:
        return f"{self.user} {self.event} {self.channel}: {self.enabled}"


class DigestChoice(models.Model):
    """A person who takes one daily digest instead of immediate messages."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    daily_digest = models.BooleanField(_("daily digest"), default=True)
    last_digest_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.user}: {self.daily_digest}"
