"""Model sites (示范点) and the sample points' build-out (样本点建设).

A model site is a sample point HQ holds up as an example, with a reason and photos. It stays
active only while its recent inspections score at least ``MODEL_SITE_MIN_SCORE``; the daily
sweep suspends it otherwise (and reinstates it when the score is back). HQ may withdraw it.
The build-out is a point's construction state (planned -> building -> ready -> checked) with the
date each state was reached and a planned completion date. Every change is an event; nothing is
deleted. Written only by programme/services/sites.py."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from campaign.choices import Role
from campaign.models import SamplePoint

# Roles that see model sites and the build-out, each within their area (SamplePoint.visible_to):
# HQ and leaders the whole city, a district lead their district, a unit handler its points,
# an inspector their district (they check the build-out).
SITE_ROLES = (Role.HQ_STAFF, Role.LEADER, Role.DISTRICT_LEAD, Role.UNIT_HANDLER, Role.INSPECTOR)


def is_hq(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active
                and (user.is_superuser or user.role == Role.HQ_STAFF))


def may_see_sites(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active
                and (user.is_superuser or user.role in SITE_ROLES))


def _points_of(user):
    if not may_see_sites(user):
        return SamplePoint.objects.none()
    return SamplePoint.objects.visible_to(user)


class ModelSiteStatus(models.TextChoices):
    ACTIVE = "active", _("Model site")
    SUSPENDED = "suspended", _("Suspended (score too low)")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ModelSiteQuerySet(models.QuerySet):
    def visible_to(self, user):
        """HQ and leaders: every model site; a district lead: their district's; a unit handler:
        its points'; an inspector: their district's. Others: none."""
        if not may_see_sites(user):
            return self.none()
        return self.filter(sample_point__in=_points_of(user).values("pk"))

    def in_gallery(self, user):
        """What the gallery shows: models in good standing; HQ also sees suspended ones."""
        shown = [ModelSiteStatus.ACTIVE, ModelSiteStatus.SUSPENDED] if is_hq(user) else [ModelSiteStatus.ACTIVE]
        return self.visible_to(user).filter(status__in=shown)


class ModelSite(models.Model):
    sample_point = models.OneToOneField(SamplePoint, on_delete=models.PROTECT, related_name="model_site",
                                        verbose_name=_("sample point"))
    status = models.CharField(_("status"), max_length=20, choices=ModelSiteStatus.choices,
                              default=ModelSiteStatus.ACTIVE, db_index=True)
    reason = models.TextField(_("why it is a model"))
    marked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("marked by"))
    marked_at = models.DateTimeField(_("marked at"))
    status_changed_at = models.DateTimeField(_("status changed at"))
    status_reason = models.CharField(_("why the status changed"), max_length=500, blank=True)

    objects = ModelSiteQuerySet.as_manager()

    class Meta:
        verbose_name = _("model site")
        verbose_name_plural = _("model sites")
        ordering = ["sample_point__district__code", "sample_point__code"]

    def __str__(self) -> str:
        return str(self.sample_point)


def model_site_photo_path(instance, filename):
    return f"programme/model_sites/{instance.site.sample_point_id}/{filename}"


class ModelSitePhoto(models.Model):
    """A photo of a model site, checked and re-encoded by campaign/photos.py; served only
    through the scoped view."""

    site = models.ForeignKey(ModelSite, on_delete=models.PROTECT, related_name="photos", verbose_name=_("model site"))
    image = models.ImageField(_("photo"), upload_to=model_site_photo_path)
    thumbnail = models.ImageField(_("thumbnail"), upload_to=model_site_photo_path)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"))

    class Meta:
        verbose_name = _("model site photo")
        verbose_name_plural = _("model site photos")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return f"{self.site_id} photo {self.pk}"


class ModelSiteEvent(models.Model):
    """One change of a model site: who, when, from, to, why (``by`` empty: the daily sweep)."""

    class Action(models.TextChoices):
        MARK = "mark", _("Marked as a model")
        PHOTOS = "photos", _("Photos added")
        SUSPEND = "suspend", _("Suspended")
        REINSTATE = "reinstate", _("Reinstated")
        WITHDRAW = "withdraw", _("Withdrawn")

    site = models.ForeignKey(ModelSite, on_delete=models.PROTECT, related_name="events", verbose_name=_("model site"))
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    at = models.DateTimeField(_("time"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                           related_name="+", verbose_name=_("by"))
    from_status = models.CharField(_("from"), max_length=20, choices=ModelSiteStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=20, choices=ModelSiteStatus.choices)
    reason = models.TextField(_("reason"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("model site event")
        verbose_name_plural = _("model site events")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_action_display()}"


class BuildoutState(models.TextChoices):
    PLANNED = "planned", _("Planned")
    BUILDING = "building", _("Being built")
    READY = "ready", _("Ready")
    CHECKED = "checked", _("Checked")


# The date field of each state: when the point reached it.
STATE_DATE_FIELD = {BuildoutState.PLANNED: "planned_on", BuildoutState.BUILDING: "building_on",
                    BuildoutState.READY: "ready_on", BuildoutState.CHECKED: "checked_on"}


class BuildoutQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not may_see_sites(user):
            return self.none()
        return self.filter(sample_point__in=_points_of(user).values("pk"))


class SamplePointBuildout(models.Model):
    sample_point = models.OneToOneField(SamplePoint, on_delete=models.PROTECT, related_name="buildout",
                                        verbose_name=_("sample point"))
    state = models.CharField(_("construction state"), max_length=20, choices=BuildoutState.choices,
                             default=BuildoutState.PLANNED, db_index=True)
    planned_completion = models.DateField(_("planned completion"), null=True, blank=True)
    planned_on = models.DateField(_("planned on"), null=True, blank=True)
    building_on = models.DateField(_("building since"), null=True, blank=True)
    ready_on = models.DateField(_("ready on"), null=True, blank=True)
    checked_on = models.DateField(_("checked on"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = BuildoutQuerySet.as_manager()

    class Meta:
        verbose_name = _("sample point build-out")
        verbose_name_plural = _("sample point build-outs")
        ordering = ["sample_point__code"]

    def __str__(self) -> str:
        return f"{self.sample_point}: {self.get_state_display()}"

    def is_overdue(self, today) -> bool:
        """Not ready (nor checked) after its planned completion date."""
        return bool(self.planned_completion and self.planned_completion < today
                    and self.state in (BuildoutState.PLANNED, BuildoutState.BUILDING))


class BuildoutEvent(models.Model):
    """One change of a point's build-out: a state reached or the plan changed."""

    buildout = models.ForeignKey(SamplePointBuildout, on_delete=models.PROTECT, related_name="events",
                                 verbose_name=_("build-out"))
    at = models.DateTimeField(_("time"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by"))
    from_state = models.CharField(_("from"), max_length=20, choices=BuildoutState.choices, blank=True)
    to_state = models.CharField(_("to"), max_length=20, choices=BuildoutState.choices)
    on = models.DateField(_("date reached"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)

    class Meta:
        verbose_name = _("build-out event")
        verbose_name_plural = _("build-out events")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.from_state} -> {self.to_state}"
