"""Vector-density surveys (病媒生物密度监测): one survey is one species surveyed in one district
and type of place on one day, with the counts of each indicator it measured (``VectorCount``).
Its level under GB/T 27770–27773 is the worst level of its indicators against the thresholds
(``VectorThreshold``, data with a source per value). Every change is an event; nothing is
deleted. Written only by assessment/services/vectors.py."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from campaign.choices import CategoryKind, Role
from campaign.models import Category, District, SamplePoint

from ..vectors.indicators import SPECS, THRESHOLD_LEVELS, Indicator, Level, Species


def vector_team_lead(user) -> bool:
    """A team lead of the special team answering for vector control (the team covering the
    standard's part 8, category STD8)."""
    return bool(user.role == Role.TEAM_LEAD and user.team_id
                and Category.objects.filter(teams=user.team_id, code="STD8").exists())


def may_record_vectors(user) -> bool:
    """HQ staff and the vector-control team lead record and edit surveys."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    return user.is_superuser or user.role == Role.HQ_STAFF or vector_team_lead(user)


def may_set_thresholds(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active
                and (user.is_superuser or user.role == Role.HQ_STAFF))


class VectorSurveyQuerySet(models.QuerySet):
    def visible_to(self, user):
        """HQ, leaders and the vector-control team lead: the whole city; a district lead: their
        district; everyone else: nothing."""
        if not (user and user.is_authenticated and user.is_active):
            return self.none()
        if user.is_superuser or user.role in (Role.HQ_STAFF, Role.LEADER) or vector_team_lead(user):
            return self
        if user.role == Role.DISTRICT_LEAD:
            return self.filter(district_id=user.district_id or -1)
        return self.none()


class VectorSurvey(models.Model):
    species = models.CharField(_("species"), max_length=20, choices=Species.choices)
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="vector_surveys",
                                 verbose_name=_("district"))
    place_type = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="vector_surveys",
                                   verbose_name=_("type of place"),
                                   limit_choices_to={"kind": CategoryKind.KEY_PLACE})
    surveyed_on = models.DateField(_("date"), db_index=True)
    sample_points = models.ManyToManyField(SamplePoint, blank=True, related_name="vector_surveys",
                                           verbose_name=_("sample points surveyed"))
    surveyed_by = models.CharField(_("surveyed by"), max_length=200, blank=True,
                                   help_text=_("The team or institution that did the survey (e.g. the CDC)."))
    note = models.TextField(_("note"), blank=True)
    level = models.CharField(_("control level"), max_length=10, choices=Level.choices, db_index=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("recorded by"))
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    problems_raised_at = models.DateTimeField(_("problems raised at"), null=True, blank=True)

    objects = VectorSurveyQuerySet.as_manager()

    class Meta:
        verbose_name = _("vector survey")
        verbose_name_plural = _("vector surveys")
        ordering = ["-surveyed_on", "-id"]
        indexes = [models.Index(fields=["district", "species", "surveyed_on"])]

    def __str__(self) -> str:
        return f"{self.surveyed_on} {self.district} {self.get_species_display()}"

    @property
    def passed(self) -> bool:
        return self.level in (Level.A, Level.B, Level.C)

    @property
    def source_ref(self) -> str:
        return f"vector_survey:{self.pk}"


class VectorCount(models.Model):
    """One indicator's counts in a survey, its value and its level (computed by the service)."""

    survey = models.ForeignKey(VectorSurvey, on_delete=models.CASCADE, related_name="counts",
                               verbose_name=_("survey"))
    indicator = models.CharField(_("indicator"), max_length=30, choices=Indicator.choices)
    checked = models.PositiveIntegerField(_("checked"))
    positive = models.PositiveIntegerField(_("positive"))
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2)
    level = models.CharField(_("control level"), max_length=10, choices=Level.choices)

    class Meta:
        verbose_name = _("vector count")
        verbose_name_plural = _("vector counts")
        ordering = ["survey", "indicator"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "indicator"], name="one_count_per_indicator"),
            models.CheckConstraint(condition=Q(checked__gt=0), name="vector_count_checked_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.get_indicator_display()}: {self.positive}/{self.checked}"

    @property
    def spec(self):
        return SPECS[self.indicator]


class VectorSurveyEvent(models.Model):
    """One change to a survey: recorded, edited (the fields' from and to), problems raised."""

    class Action(models.TextChoices):
        RECORD = "record", _("Recorded")
        EDIT = "edit", _("Edited")
        RELEVEL = "relevel", _("Level recomputed after a threshold change")
        RAISE = "raise", _("Problems raised")

    survey = models.ForeignKey(VectorSurvey, on_delete=models.PROTECT, related_name="events",
                               verbose_name=_("survey"))
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    at = models.DateTimeField(_("time"), auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                           verbose_name=_("by"))
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)

    class Meta:
        verbose_name = _("vector survey event")
        verbose_name_plural = _("vector survey events")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_action_display()}"


class VectorThreshold(models.Model):
    """The maximum value of one indicator at one control level, and where that value comes from."""

    indicator = models.CharField(_("indicator"), max_length=30, choices=Indicator.choices)
    species = models.CharField(_("species"), max_length=20, choices=Species.choices)
    level = models.CharField(_("control level"), max_length=10,
                             choices=THRESHOLD_LEVELS)
    max_value = models.DecimalField(_("maximum value"), max_digits=10, decimal_places=2)
    source = models.TextField(_("source"), help_text=_("Where the value comes from; \"no public source "
                                                       "found: HQ to confirm\" when none was found."))
    sourced = models.BooleanField(_("has a public source"), default=True)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="+", verbose_name=_("set by"),
                               help_text=_("Empty: as loaded from the data file."))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("vector control threshold")
        verbose_name_plural = _("vector control thresholds")
        ordering = ["species", "indicator", "level"]
        constraints = [models.UniqueConstraint(fields=["indicator", "level"], name="one_threshold_per_level")]

    def __str__(self) -> str:
        return f"{self.get_indicator_display()} {self.level} <= {self.max_value}"


class VectorThresholdChange(models.Model):
    """One change of a threshold by HQ: from, to, who, when, why."""

    threshold = models.ForeignKey(VectorThreshold, on_delete=models.PROTECT, related_name="changes",
                                  verbose_name=_("threshold"))
    at = models.DateTimeField(_("time"), auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                           verbose_name=_("by"))
    from_value = models.DecimalField(_("from"), max_digits=10, decimal_places=2)
    to_value = models.DecimalField(_("to"), max_digits=10, decimal_places=2)
    from_source = models.TextField(_("source before"), blank=True)
    to_source = models.TextField(_("source after"), blank=True)
    reason = models.CharField(_("reason"), max_length=500)

    class Meta:
        verbose_name = _("vector threshold change")
        verbose_name_plural = _("vector threshold changes")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.from_value} -> {self.to_value}"
