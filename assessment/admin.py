"""HQ edits the standard and the assessment's settings here; nothing that holds a record
(uploads, reviews, survey answers) is deleted."""

from django.contrib import admin

from campaign.admin import GuardedModelForm, HQAdmin

from .models import SatisfactionSurvey, SurveyChange, SurveyQuestion, SurveyResponse
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
class SurveyResponseAdmin(HQAdmin):
    """Residents' answers, read-only (nothing personal is kept: no address, name or number)."""

    list_display = ("survey", "day", "district", "place_category", "source")
    list_filter = ("survey", "district", "source")
    date_hierarchy = "day"
    fields = ("survey", "day", "submitted_at", "district", "place_category", "source")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SurveyChange)
class SurveyChangeAdmin(SurveyResponseAdmin):
    list_display = ("at", "survey", "action", "by")
    list_filter = ("survey", "action")
    date_hierarchy = "at"
    fields = ("survey", "question", "action", "at", "by", "changes")
    readonly_fields = fields


from . import admin_readiness  # noqa: E402,F401 (readiness: pass lines, draw sizes, mock assessments)
