"""HQ edits the standard and the assessment's settings here; nothing that holds a record
(uploads, reviews, survey answers) is deleted."""


# --- Vector-control surveys (their thresholds are set here or on the thresholds page) -------------

from django import forms  # noqa: E402
from django.contrib import admin  # noqa: E402
from django.core.exceptions import ValidationError  # noqa: E402
from django.utils.translation import gettext_lazy as _  # noqa: E402

from .models import VectorSurvey, VectorThreshold, VectorThresholdChange  # noqa: E402


class VectorThresholdAdminForm(forms.ModelForm):
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
class VectorThresholdAdmin(admin.ModelAdmin):
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
class VectorThresholdChangeAdmin(admin.ModelAdmin):
    list_display = ["at", "threshold", "from_value", "to_value", "by", "reason"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(VectorSurvey)
class VectorSurveyAdmin(admin.ModelAdmin):
    """Read only: surveys are recorded and corrected on their pages (every change an event)."""

    list_display = ["surveyed_on", "district", "species", "place_type", "level"]
    list_filter = ["species", "level", "district"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
