"""The phones people use for field work, and the sessions each used, so HQ can cut a lost one off
(README "Cutting off a lost phone")."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaign.choices import Role


class FieldDeviceQuerySet(models.QuerySet):
    def visible_to(self, user):
        """HQ staff see every phone; anyone else only their own."""
        if not (user and user.is_authenticated and user.is_active):
            return self.none()
        if user.is_superuser or user.role == Role.HQ_STAFF:
            return self
        return self.filter(user=user)

    def revoked(self):
        return self.filter(revoked_at__isnull=False)


class FieldDevice(models.Model):
    """One phone (an id the field app makes once and keeps) used by one person. The same phone
    used by two people is two rows; HQ cutting it off refuses every request carrying its id.

    Written only by fieldwork/services/devices.py."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="field_devices",
                             verbose_name=_("person"))
    device = models.UUIDField(_("phone id"), db_index=True)
    label = models.CharField(_("label"), max_length=200, blank=True)
    registered_at = models.DateTimeField(_("registered at"), default=timezone.now)
    last_seen_at = models.DateTimeField(_("last sync"), default=timezone.now)
    revoked_at = models.DateTimeField(_("cut off at"), null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("cut off by"))
    revoke_reason = models.TextField(_("reason"), blank=True)
    # Set when HQ allows the person new phones again after this one was cut off: until then a new
    # phone of theirs is refused (fieldwork/services/devices.py device_register).
    new_phones_allowed_at = models.DateTimeField(_("new phones allowed at"), null=True, blank=True)
    new_phones_allowed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                              blank=True, related_name="+", verbose_name=_("new phones allowed by"))

    objects = FieldDeviceQuerySet.as_manager()

    class Meta:
        verbose_name = _("field phone")
        verbose_name_plural = _("field phones")
        ordering = ["-last_seen_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "device"], name="field_device_once_per_person"),
            models.CheckConstraint(condition=Q(revoked_at__isnull=True) | ~Q(revoke_reason=""),
                                   name="field_device_revoked_with_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.label or self.device}"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class FieldDeviceSession(models.Model):
    """A sign-in session a phone used: cutting the phone off ends these sessions."""

    device = models.ForeignKey(FieldDevice, on_delete=models.CASCADE, related_name="sessions")
    session_key = models.CharField(_("session"), max_length=40)
    first_seen_at = models.DateTimeField(_("first seen"), default=timezone.now)

    class Meta:
        verbose_name = _("field phone session")
        verbose_name_plural = _("field phone sessions")
        constraints = [models.UniqueConstraint(fields=["device", "session_key"], name="field_device_session_once")]

    def __str__(self) -> str:
        return f"{self.device_id} {self.session_key[:6]}…"
