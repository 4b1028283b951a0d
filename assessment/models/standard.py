"""The national standard as data: an edition (2021 today), its parts (the 8 of the 2021 edition,
each the standard category STD1–8 that indicators already point to), their articles and the
materials each article requires. Loaded from a data file by ``load_standard``; HQ edits it
(Excel out and in). A later edition is loaded beside the old one and the campaign switched to
it (``in_use``); the old edition's parts, articles and records stay."""

from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from campaign.choices import CategoryKind
from campaign.models import Category, CityWideQuerySet, Indicator, Team, Unit, User

from ..choices import StandardChangeAction


def _english() -> bool:
    return (get_language() or "").startswith("en")


class TitledZhEn(models.Model):
    """A Chinese title and an optional English one, shown by language. A title may be blank:
    an article whose wording we could not cite ships with its number only, for HQ to fill in."""

    title = models.CharField(_("title"), max_length=300, blank=True)
    title_en = models.CharField(_("English title"), max_length=300, blank=True)

    class Meta:
        abstract = True

    @property
    def label(self) -> str:
        return (self.title_en if (_english() and self.title_en) else self.title) or ""


class StandardEdition(models.Model):
    code = models.CharField(_("code"), max_length=20, unique=True, help_text=_("For example 2021."))
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    source = models.CharField(_("source"), max_length=500, blank=True,
                              help_text=_("Where the edition was published (document number, address)."))
    in_use = models.BooleanField(_("in use"), default=False,
                                 help_text=_("The edition the campaign works to; only one at a time."))
    loaded_at = models.DateTimeField(_("loaded at"), auto_now_add=True)

    # Reference data every member of staff reads (campaign's roles); HQ writes it.
    objects = CityWideQuerySet.as_manager()

    class Meta:
        verbose_name = _("edition of the standard")
        verbose_name_plural = _("editions of the standard")
        ordering = ["-code"]
        constraints = [models.UniqueConstraint(fields=["in_use"], condition=Q(in_use=True),
                                               name="one_standard_edition_in_use")]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return self.name_en if (_english() and self.name_en) else self.name


class StandardPart(TitledZhEn):
    """One of an edition's parts (the 2021 edition has 8), answered for by a special team."""

    edition = models.ForeignKey(StandardEdition, on_delete=models.PROTECT, related_name="parts",
                                verbose_name=_("edition"))
    number = models.PositiveSmallIntegerField(_("number"))
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, null=True, blank=True, related_name="standard_parts",
        limit_choices_to={"kind": CategoryKind.STANDARD}, verbose_name=_("standard category"),
        help_text=_("The category the core indicators and problems of this part point to."),
    )
    team = models.ForeignKey(Team, on_delete=models.PROTECT, null=True, blank=True, related_name="standard_parts",
                             verbose_name=_("special team"))

    # Reference data every member of staff reads (campaign's roles); HQ writes it.
    objects = CityWideQuerySet.as_manager()

    class Meta:
        verbose_name = _("part of the standard")
        verbose_name_plural = _("parts of the standard")
        ordering = ["edition", "number"]
        constraints = [
            models.UniqueConstraint(fields=["edition", "number"], name="standard_part_number_once"),
            models.UniqueConstraint(fields=["edition", "category"], name="standard_part_category_once"),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.label}"


class StandardArticle(TitledZhEn):
    """An article of the standard, numbered as in the standard, with a short title in our own
    words (never the standard's text)."""

    part = models.ForeignKey(StandardPart, on_delete=models.PROTECT, related_name="articles", verbose_name=_("part"))
    number = models.CharField(_("number"), max_length=20, help_text=_("As numbered in the standard."))
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, null=True, blank=True, related_name="standard_articles",
        verbose_name=_("special team"), help_text=_("Blank: the part's team answers for it."),
    )
    indicators = models.ManyToManyField(Indicator, blank=True, related_name="standard_articles",
                                        verbose_name=_("core indicators"))
    active = models.BooleanField(_("active"), default=True,
                                 help_text=_("Cleared when a newer data file drops the article; its records stay."))

    # Reference data every member of staff reads (campaign's roles); HQ writes it.
    objects = CityWideQuerySet.as_manager()

    class Meta:
        verbose_name = _("article of the standard")
        verbose_name_plural = _("articles of the standard")
        ordering = ["part__edition", "part__number", "order", "number"]
        constraints = [models.UniqueConstraint(fields=["part", "number"], name="standard_article_number_once")]

    def __str__(self) -> str:
        return f"{self.number} {self.label}".strip()

    @property
    def answering_team(self):
        return self.team if self.team_id else self.part.team


class MaterialRequirement(TitledZhEn):
    """A material (资料) an article requires, for example the year's plan or the minutes of the
    committee's meetings: which unit provides it and by when."""

    article = models.ForeignKey(StandardArticle, on_delete=models.PROTECT, related_name="materials",
                                verbose_name=_("article"))
    code = models.CharField(_("code"), max_length=30)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    responsible_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="material_requirements",
        verbose_name=_("responsible unit"),
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    active = models.BooleanField(_("required"), default=True,
                                 help_text=_("Untick to stop requiring it; what was uploaded stays."))

    # Reference data every member of staff reads (campaign's roles); HQ writes it.
    objects = CityWideQuerySet.as_manager()

    class Meta:
        verbose_name = _("required material")
        verbose_name_plural = _("required materials")
        ordering = ["article__part__edition", "article__part__number", "article__order", "order", "code"]
        constraints = [models.UniqueConstraint(fields=["article", "code"], name="material_requirement_code_once")]

    def __str__(self) -> str:
        return f"{self.code} {self.label}".strip()


class StandardChange(models.Model):
    """One change to the standard as data: who, when, what, from and to (append-only; written
    only by assessment/services/standard.py)."""

    edition = models.ForeignKey(StandardEdition, on_delete=models.PROTECT, related_name="changes",
                                verbose_name=_("edition"))
    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                              verbose_name=_("person"))
    action = models.CharField(_("action"), max_length=20, choices=StandardChangeAction.choices)
    target = models.CharField(_("what"), max_length=255, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("change to the standard")
        verbose_name_plural = _("changes to the standard")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.target}".strip()
