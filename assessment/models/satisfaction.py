"""The public-satisfaction survey (群众满意度): HQ sets up a survey and its questions; residents
answer on a phone without an account (/survey/<slug>/), one answer per device and day.

Which answers count as satisfied (``SATISFIED_RULE``): a rating of 4 or 5 on the 5-point scale
(satisfied, very satisfied) and "yes" to a yes/no question. One-choice questions describe the
respondent's view (what bothers them most…) and do not count in the rate. The satisfaction rate
is satisfied answers / answers to rating and yes/no questions × 100.

Nothing personal is stored: no name, number or client address; a response keeps a keyed digest
of a random cookie token (the device), the day, the district and optionally the kind of place.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from campaign.models import Category, District


def _english() -> bool:
    return (get_language() or "").startswith("en")


class QuestionKind(models.TextChoices):
    RATING = "rating", _("Rating, 5 points (very satisfied … very dissatisfied)")
    YES_NO = "yes_no", _("Yes or no")
    CHOICE = "choice", _("One choice from options")


class Rating(models.IntegerChoices):
    VERY_SATISFIED = 5, _("Very satisfied")
    SATISFIED = 4, _("Satisfied")
    NEUTRAL = 3, _("Neither satisfied nor dissatisfied")
    DISSATISFIED = 2, _("Dissatisfied")
    VERY_DISSATISFIED = 1, _("Very dissatisfied")


class YesNo(models.IntegerChoices):
    YES = 1, _("Yes")
    NO = 0, _("No")


SATISFIED_RULE = _("A rating of 4 or 5 of 5 (satisfied, very satisfied) and “yes” count as satisfied; "
                   "one-choice questions do not count in the rate.")


def answer_satisfied(kind: str, value: int) -> bool | None:
    """The documented rule: rating 4–5 and yes are satisfied; None for a question that does not count."""
    if kind == QuestionKind.RATING:
        return value >= Rating.SATISFIED
    if kind == QuestionKind.YES_NO:
        return value == YesNo.YES
    return None


class SatisfactionSurvey(models.Model):
    slug = models.SlugField(_("link name"), max_length=60, unique=True,
                            help_text=_("The public link is /survey/<link name>/ (letters, digits, hyphens)."))
    title = models.CharField(_("title"), max_length=200)
    title_en = models.CharField(_("English title"), max_length=200, blank=True)
    intro = models.TextField(_("introduction"), blank=True)
    intro_en = models.TextField(_("English introduction"), blank=True)
    target_rate = models.DecimalField(
        _("target satisfaction rate (%)"), max_digits=5, decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)])
    opens_on = models.DateField(_("open from"))
    closes_on = models.DateField(_("open until"), null=True, blank=True, help_text=_("Blank: no end."))
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("created by"))

    class Meta:
        verbose_name = _("satisfaction survey")
        verbose_name_plural = _("satisfaction surveys")
        ordering = ["-opens_on", "-pk"]
        constraints = [models.CheckConstraint(condition=Q(closes_on__isnull=True) | Q(closes_on__gte=models.F("opens_on")),
                                              name="survey_closes_after_it_opens")]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return self.title_en if (_english() and self.title_en) else self.title

    @property
    def intro_label(self) -> str:
        return self.intro_en if (_english() and self.intro_en) else self.intro

    def is_open_on(self, day) -> bool:
        return self.active and self.opens_on <= day and (self.closes_on is None or day <= self.closes_on)


class SurveyQuestion(models.Model):
    survey = models.ForeignKey(SatisfactionSurvey, on_delete=models.PROTECT, related_name="questions",
                               verbose_name=_("survey"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    text = models.CharField(_("question"), max_length=300)
    text_en = models.CharField(_("English question"), max_length=300, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=QuestionKind.choices, default=QuestionKind.RATING)
    # For a one-choice question: [{"zh": "…", "en": "…"}, …]; an answer keeps the option's index,
    # so options can be renamed or added once answered, never removed or reordered.
    options = models.JSONField(_("options"), default=list, blank=True)
    required = models.BooleanField(_("required"), default=True)
    active = models.BooleanField(_("asked"), default=True,
                                 help_text=_("Untick to stop asking it; its answers stay in the results."))

    class Meta:
        verbose_name = _("survey question")
        verbose_name_plural = _("survey questions")
        ordering = ["survey", "order", "pk"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return self.text_en if (_english() and self.text_en) else self.text

    @property
    def counts_for_rate(self) -> bool:
        return self.kind in (QuestionKind.RATING, QuestionKind.YES_NO)

    def choices(self) -> list[tuple[int, str]]:
        """(value, label) of each possible answer, in the order shown."""
        if self.kind == QuestionKind.RATING:
            return [(int(value), str(label)) for value, label in Rating.choices]
        if self.kind == QuestionKind.YES_NO:
            return [(int(value), str(label)) for value, label in YesNo.choices]
        english = _english()
        return [(index, (option.get("en") if english and option.get("en") else option.get("zh", "")))
                for index, option in enumerate(self.options)]


class SurveyResponse(models.Model):
    """One respondent's answers, on one day, from one device (a random cookie token, kept only as
    a keyed digest): the database refuses a second one for the same survey, device and day."""

    survey = models.ForeignKey(SatisfactionSurvey, on_delete=models.PROTECT, related_name="responses",
                               verbose_name=_("survey"))
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="+", verbose_name=_("district"))
    place_category = models.ForeignKey(Category, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                       verbose_name=_("kind of place"))
    day = models.DateField(_("day"), db_index=True)
    submitted_at = models.DateTimeField(_("submitted at"))
    device_digest = models.CharField(_("device digest"), max_length=64)
    idempotency_key = models.CharField(_("idempotency key"), max_length=32, unique=True, null=True, blank=True)
    # Demo and imported answers carry no device; "demo" marks the seeded ones.
    source = models.CharField(_("source"), max_length=10, default="web")

    class Meta:
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        ordering = ["-submitted_at"]
        constraints = [models.UniqueConstraint(fields=["survey", "device_digest", "day"],
                                               name="survey_one_response_per_device_and_day")]
        indexes = [models.Index(fields=["survey", "day"]), models.Index(fields=["survey", "district", "day"])]

    def __str__(self) -> str:
        return f"{self.survey} {self.day} {self.district}"


class SurveyAnswer(models.Model):
    response = models.ForeignKey(SurveyResponse, on_delete=models.PROTECT, related_name="answers",
                                 verbose_name=_("response"))
    question = models.ForeignKey(SurveyQuestion, on_delete=models.PROTECT, related_name="answers",
                                 verbose_name=_("question"))
    value = models.SmallIntegerField(_("value"))
    # The rule (answer_satisfied) applied when the answer was written; None: does not count.
    satisfied = models.BooleanField(_("satisfied"), null=True)

    class Meta:
        verbose_name = _("survey answer")
        verbose_name_plural = _("survey answers")
        constraints = [models.UniqueConstraint(fields=["response", "question"], name="survey_answer_once")]

    def __str__(self) -> str:
        return f"{self.question_id}: {self.value}"


CHANGE_ACTIONS = {"create": _("Survey created"), "update": _("Survey changed"),
                  "question_add": _("Question added"), "question_update": _("Question changed")}


class SurveyChange(models.Model):
    """Who changed a survey or a question, when, and each field from what to what."""

    survey = models.ForeignKey(SatisfactionSurvey, on_delete=models.PROTECT, related_name="changes",
                               verbose_name=_("survey"))
    question = models.ForeignKey(SurveyQuestion, on_delete=models.PROTECT, null=True, blank=True, related_name="changes",
                                 verbose_name=_("question"))
    action = models.CharField(_("action"), max_length=20)
    at = models.DateTimeField(_("time"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by"))
    changes = models.JSONField(_("changes"), default=dict, blank=True)

    class Meta:
        verbose_name = _("survey change")
        verbose_name_plural = _("survey changes")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"

    @property
    def action_label(self) -> str:
        return str(CHANGE_ACTIONS.get(self.action, self.action))
