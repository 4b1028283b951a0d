"""Readiness for the assessment: the pass line HQ sets, the assessors' draw size per category of
place (最小量) and the mock-assessment rounds (an inspections ``Round`` of kind "mock", drawn by
inspections' own draw).

The pass line and the draw sizes are append-only: every change is a new row naming who, when,
the value and why; the latest row is the one in force, the earlier ones are the history.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaign.models import Category
from inspections.models import Round


class PassRule(models.TextChoices):
    SHARE = "share", _("Share of places without a veto or serious failure")
    AVERAGE = "average", _("Average score of the places drawn")


class PassLine(models.Model):
    """What a category must reach in the assessors' draw to pass: the share of drawn places with
    no veto and no serious (or urgent) failure at least ``min_share`` percent, or the average
    score of the drawn places at least ``min_average``. ``window_days`` and ``half_life_days``
    say how far back inspections count and how fast an old one fades."""

    rule = models.CharField(_("pass rule"), max_length=10, choices=PassRule.choices, default=PassRule.SHARE)
    min_share = models.DecimalField(
        _("minimum share of places passing (%)"), max_digits=5, decimal_places=1, default=Decimal("80"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    min_average = models.DecimalField(
        _("minimum average score"), max_digits=5, decimal_places=1, default=Decimal("85"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    window_days = models.PositiveSmallIntegerField(
        _("inspections counted (days back)"), default=180,
        validators=[MinValueValidator(7), MaxValueValidator(730)],
    )
    half_life_days = models.PositiveSmallIntegerField(
        _("half-life of an inspection's weight (days)"), default=42,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )
    reason = models.CharField(_("why"), max_length=300, blank=True)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="+", verbose_name=_("set by"))
    set_at = models.DateTimeField(_("set at"), default=timezone.now)

    class Meta:
        verbose_name = _("readiness pass line")
        verbose_name_plural = _("readiness pass lines")
        ordering = ["-set_at", "-id"]

    def __str__(self) -> str:
        if self.rule == PassRule.AVERAGE:
            return str(_("average score ≥ %(score)s") % {"score": self.min_average})
        return str(_("places passing ≥ %(share)s%%") % {"share": self.min_share})


class DrawSize(models.Model):
    """How many places of a category the assessors draw (the minimum count, 最小量). The latest
    row of a category is in force."""

    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="+", verbose_name=_("category"))
    size = models.PositiveIntegerField(_("places drawn"), validators=[MinValueValidator(1)])
    source = models.CharField(_("source"), max_length=300, blank=True,
                              help_text=_("Where the number comes from, e.g. the assessors' list of last year."))
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="+", verbose_name=_("set by"))
    set_at = models.DateTimeField(_("set at"), default=timezone.now)

    class Meta:
        verbose_name = _("assessors' draw size")
        verbose_name_plural = _("assessors' draw sizes")
        ordering = ["category__order", "-set_at", "-id"]

    def __str__(self) -> str:
        return f"{self.category}: {self.size}"


class MockAssessmentQuerySet(models.QuerySet):
    def visible_to(self, user):
        """As the rounds they are (inspections' ``Round.objects.visible_to``)."""
        return self.filter(round__in=Round.objects.visible_to(user))


class MockAssessment(models.Model):
    """A mock assessment: an inspections round of kind "mock", its quotas the assessors' draw
    sizes, drawn by inspections' draw; with the readiness predicted when it was drawn, so what
    its inspections find can be set against the prediction."""

    round = models.OneToOneField(Round, on_delete=models.PROTECT, related_name="mock_assessment",
                                 verbose_name=_("inspection round"))
    pass_line = models.ForeignKey(PassLine, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                  verbose_name=_("pass line"))
    predicted = models.JSONField(_("readiness predicted at the draw"), default=list, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = MockAssessmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("mock assessment")
        verbose_name_plural = _("mock assessments")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return str(self.round)
