"""HQ edits the standard and the assessment's settings here; nothing that holds a record
(uploads, reviews, survey answers) is deleted."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from campaign.admin import GuardedModelForm, HQAdmin, HQReadOnlyAdmin

from .models import (
    SatisfactionSurvey,
    SurveyChange,
    SurveyQuestion,
    SurveyResponse,
    VectorSurvey,
    VectorThreshold,
    VectorThresholdChange,
)
from .services import satisfaction as satisfaction_services


class SurveyQuestionInline(admin.TabularInline):
    """Shown, not edited here: a question changes through its service (the set-up page), which
    keeps an answered question's kind and options."""

    model = SurveyQuestion
    fields = ("order", "text", "text_en", "kind", "options", "required", "active")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class SatisfactionSurveyAdminForm(GuardedModelForm):
    """The service's checks (target 0–100, title, dates in order) shown on the form, not as an error page."""

    def clean(self):
        cleaned = super().clean()
        satisfaction_services.survey_check(cleaned)
        return cleaned


@admin.register(SatisfactionSurvey)
class SatisfactionSurveyAdmin(HQAdmin):
    """Surveys are created and changed through the services (every change recorded); questions on
    the set-up page (/assessment/satisfaction/<id>/). Nothing is deleted."""

    list_display = ("title", "slug", "target_rate", "opens_on", "closes_on", "active")
    list_filter = ("active",)
    search_fields = ("title", "title_en", "slug")
    fields = ("title", "title_en", "slug", "intro", "intro_en", "target_rate", "opens_on", "closes_on", "active")
    inlines = [SurveyQuestionInline]
    form = SatisfactionSurveyAdminForm

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        values = {name: form.cleaned_data[name] for name in self.fields}
        if change:
            saved = satisfaction_services.survey_update(survey=obj, by=request.user, **values)
        else:
            saved = satisfaction_services.survey_create(by=request.user, **values)
        obj.pk = saved.pk
        obj.refresh_from_db()

    def save_related(self, request, form, formsets, change):
        pass  # the inline is read-only


@admin.register(SurveyResponse)
class SurveyResponseAdmin(HQReadOnlyAdmin):
    """Residents' answers, read-only (nothing personal is kept: no address, name or number)."""

    list_display = ("survey", "day", "district", "place_category", "source")
    list_filter = ("survey", "district", "source")
    date_hierarchy = "day"
    fields = ("survey", "day", "submitted_at", "district", "place_category", "source")
    readonly_fields = fields


@admin.register(SurveyChange)
class SurveyChangeAdmin(SurveyResponseAdmin):
    list_display = ("at", "survey", "action", "by")
    list_filter = ("survey", "action")
    date_hierarchy = "at"
    fields = ("survey", "question", "action", "at", "by", "changes")
    readonly_fields = fields


# --- Vector-control surveys (their thresholds are set here or on the thresholds page) -------------


class VectorThresholdAdminForm(GuardedModelForm):
    reason = forms.CharField(label=_("Why the change"), max_length=500,
                             help_text=_("Why the value or its source changes (recorded)."))

    class Meta:
        model = VectorThreshold
        fields = ["max_value", "source"]

    def clean(self):
        from .services import vectors as vector_services

        data = super().clean()
        if self.errors:
            return data
        try:  # checked here, written in save_model through the service
            vector_services.check_threshold_change(threshold=self.instance, max_value=data.get("max_value"),
                                                   source=data.get("source"), reason=data.get("reason"))
        except vector_services.VectorInvalid as refused:
            raise ValidationError({f if f in self.fields else "__all__": m for f, m in refused.errors.items()}) from refused
        return data


@admin.register(VectorThreshold)
class VectorThresholdAdmin(HQAdmin):
    form = VectorThresholdAdminForm
    list_display = ["species", "indicator", "level", "max_value", "sourced", "source"]
    list_filter = ["species", "level", "sourced"]
    readonly_fields = ["species", "indicator", "level", "sourced", "set_by", "updated_at"]

    def has_add_permission(self, request):
        return False  # the rows come from the data file

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        from .services import vectors as vector_services

        current = VectorThreshold.objects.get(pk=obj.pk)
        vector_services.vector_threshold_set(threshold=current, by=request.user, max_value=obj.max_value,
                                             source=obj.source, reason=form.cleaned_data["reason"])


@admin.register(VectorThresholdChange)
class VectorThresholdChangeAdmin(HQReadOnlyAdmin):
    list_display = ["at", "threshold", "from_value", "to_value", "by", "reason"]


@admin.register(VectorSurvey)
class VectorSurveyAdmin(HQReadOnlyAdmin):
    """Read only: surveys are recorded and corrected on their pages (every change an event)."""

    list_display = ["surveyed_on", "district", "species", "place_type", "level"]
    list_filter = ["species", "level", "district"]


# --- The standard as data (editions, parts, articles, materials) -----------------------------

from .models import (  # noqa: E402
    MaterialRequirement,
    StandardArticle,
    StandardChange,
    StandardEdition,
    StandardPart,
)


class StandardAdmin(HQAdmin):
    """HQ edits the standard here too; nothing is deleted (uploads and reviews point to it), and
    every change is recorded as a StandardChange with its fields' from and to."""

    def has_delete_permission(self, request, obj=None):
        return False

    def _edition(self, obj) -> StandardEdition:
        raise NotImplementedError

    def save_model(self, request, obj, form, change):
        """Through the standard's services (recorded there); a material's unit and due date
        through material_requirement_assign, as on the standard's page."""
        from .services import standard as standard_services

        names = list(form.changed_data) if change else [name for name in form.cleaned_data if name in form.fields]
        values = {name: form.cleaned_data[name] for name in names}
        if change and isinstance(obj, MaterialRequirement) and {"responsible_unit", "due_date"} & set(values):
            current = MaterialRequirement.objects.get(pk=obj.pk)
            standard_services.material_requirement_assign(
                material=current, actor=request.user,
                responsible_unit=values.pop("responsible_unit", current.responsible_unit),
                due_date=values.pop("due_date", current.due_date))
        if values or not change:
            saved = standard_services.standard_item_save(
                item=type(obj).objects.get(pk=obj.pk) if change else type(obj)(), actor=request.user,
                values=values, created=not change)
            obj.pk = saved.pk
        obj.refresh_from_db()

    def save_related(self, request, form, formsets, change):
        pass  # the many-to-many fields went through the service in save_model


@admin.register(StandardEdition)
class StandardEditionAdmin(StandardAdmin):
    list_display = ["code", "name", "in_use", "loaded_at"]
    search_fields = ["code", "name", "name_en"]
    # One edition in use at a time: switched on the standard's page (recorded), not here.
    readonly_fields = ["in_use", "loaded_at"]

    def _edition(self, obj):
        return obj


@admin.register(StandardPart)
class StandardPartAdmin(StandardAdmin):
    list_display = ["edition", "number", "title", "title_en", "category", "team"]
    list_filter = ["edition"]
    search_fields = ["title", "title_en"]
    list_select_related = ["edition", "category", "team"]

    def _edition(self, obj):
        return obj.edition


@admin.register(StandardArticle)
class StandardArticleAdmin(StandardAdmin):
    list_display = ["part", "number", "title", "title_en", "team", "active"]
    list_filter = ["part__edition", "part__number", "active"]
    search_fields = ["number", "title", "title_en"]
    filter_horizontal = ["indicators"]
    list_select_related = ["part__edition", "team"]

    def _edition(self, obj):
        return obj.part.edition


@admin.register(MaterialRequirement)
class MaterialRequirementAdmin(StandardAdmin):
    list_display = ["code", "title", "article", "responsible_unit", "due_date", "active"]
    list_filter = ["article__part__edition", "article__part__number", "active"]
    search_fields = ["code", "title", "title_en"]
    autocomplete_fields = ["responsible_unit"]
    list_select_related = ["article__part__edition", "responsible_unit"]

    def _edition(self, obj):
        return obj.article.part.edition


@admin.register(StandardChange)
class StandardChangeAdmin(HQAdmin):
    """The record of changes to the standard: read only."""

    list_display = ["at", "edition", "action", "target", "actor"]
    list_filter = ["action", "edition"]
    search_fields = ["target"]

# --- The materials archive: read only (uploads and reviews go through the pages and the API) ---
from .models import ArchiveExport, MaterialEvent, MaterialFile, MaterialState  # noqa: E402


class ReadOnlyArchiveAdmin(HQReadOnlyAdmin):
    """Nothing here is added, changed or deleted: the archive's records are append-only."""


@admin.register(MaterialFile)
class MaterialFileAdmin(ReadOnlyArchiveAdmin):
    list_display = ["requirement", "version", "original_name", "kind", "size", "uploaded_by", "uploaded_at"]
    list_filter = ["kind"]
    search_fields = ["requirement__code", "original_name", "sha256"]
    list_select_related = ["requirement", "uploaded_by"]


@admin.register(MaterialEvent)
class MaterialEventAdmin(ReadOnlyArchiveAdmin):
    list_display = ["requirement", "action", "from_status", "to_status", "actor", "at"]
    list_filter = ["action", "to_status"]
    search_fields = ["requirement__code", "comment"]
    list_select_related = ["requirement", "actor"]


@admin.register(MaterialState)
class MaterialStateAdmin(ReadOnlyArchiveAdmin):
    list_display = ["requirement", "status", "latest_file", "accepted_file", "changed_at"]
    list_filter = ["status"]
    list_select_related = ["requirement", "latest_file", "accepted_file"]


@admin.register(ArchiveExport)
class ArchiveExportAdmin(ReadOnlyArchiveAdmin):
    list_display = ["pk", "requested_by", "created_at", "status", "processed_rows", "total_rows", "attempts"]
    list_filter = ["status"]


# --- Readiness: the pass lines, draw sizes and mock assessments, read only ----------------------
from .models import DrawSize, MockAssessment, PassLine  # noqa: E402


class ReadOnlyHistory(HQReadOnlyAdmin):
    """Readiness settings are changed on the readiness settings page (or the API) through the
    services, each change a new row; here they are read, never edited or deleted."""


@admin.register(PassLine)
class PassLineAdmin(ReadOnlyHistory):
    list_display = ["set_at", "rule", "min_share", "min_average", "window_days", "half_life_days", "set_by", "reason"]


@admin.register(DrawSize)
class DrawSizeAdmin(ReadOnlyHistory):
    list_display = ["category", "size", "source", "set_by", "set_at"]
    list_filter = ["category"]


@admin.register(MockAssessment)
class MockAssessmentAdmin(ReadOnlyHistory):
    list_display = ["round", "created_by", "created_at"]
    readonly_fields = ["round", "pass_line", "predicted", "created_by", "created_at"]
