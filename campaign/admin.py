"""The Django admin for the campaign's structure and people.

HQ staff set the city up here: access follows the role (``user.can_manage_structure``), not
Django's per-model permissions, so a new HQ member can work at once. Deleting is left to
superusers: the ledger and inspections refer to the structure (deactivate a point instead).
"""

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.utils.translation import gettext_lazy as _

from .control_characters import ControlCharactersRefused
from .models import (
    AuditEntry,
    Campaign,
    Category,
    District,
    Grid,
    Indicator,
    IndicatorValue,
    Road,
    SamplePoint,
    SamplePointImport,
    Team,
    Unit,
    User,
)
from .services.audit import audit_person_change, person_audit_state


class GuardedModelForm(ControlCharactersRefused, forms.ModelForm):
    """The admin's forms refuse control characters like every other form."""


class HQAdmin(admin.ModelAdmin):
    form = GuardedModelForm

    def has_module_permission(self, request):
        return request.user.is_active and request.user.can_manage_structure

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser



class HQReadOnlyAdmin(HQAdmin):
    """HQ reads these rows in the admin; they are written only by their services (each change
    an event), so nothing is added, changed or deleted here."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

@admin.register(Campaign)
class CampaignAdmin(HQAdmin):
    list_display = ["name", "city", "kind", "assessment_date", "started_on", "is_current"]
    list_filter = ["kind", "is_current"]
    search_fields = ["name", "city"]


@admin.register(District)
class DistrictAdmin(HQAdmin):
    list_display = ["code", "name", "name_en", "kind", "chief_name", "chief_phone"]
    list_filter = ["kind"]
    search_fields = ["code", "name", "name_en", "chief_name"]


@admin.register(Grid)
class GridAdmin(HQAdmin):
    list_display = ["code", "name", "district", "chief_name", "chief_phone"]
    list_filter = ["district"]
    list_select_related = ["district"]
    search_fields = ["code", "name", "chief_name"]


@admin.register(Road)
class RoadAdmin(HQAdmin):
    list_display = ["name", "section", "district", "chief_name", "chief_phone"]
    list_filter = ["district"]
    list_select_related = ["district"]
    search_fields = ["name", "section", "chief_name"]


@admin.register(Unit)
class UnitAdmin(HQAdmin):
    list_display = ["name", "name_en", "kind", "district", "contact_name", "contact_phone"]
    list_filter = ["kind", "district"]
    list_select_related = ["district"]
    search_fields = ["name", "name_en", "contact_name"]


@admin.register(Category)
class CategoryAdmin(HQAdmin):
    list_display = ["code", "name_zh", "name_en", "kind", "order"]
    list_filter = ["kind"]
    list_editable = ["order"]
    search_fields = ["code", "name_zh", "name_en"]


@admin.register(Team)
class TeamAdmin(HQAdmin):
    list_display = ["code", "name", "leader_name", "leader_title", "lead_unit"]
    list_select_related = ["lead_unit"]
    search_fields = ["code", "name", "name_en", "leader_name"]
    autocomplete_fields = ["lead_unit", "member_units"]
    filter_horizontal = ["categories"]


@admin.register(SamplePoint)
class SamplePointAdmin(HQAdmin):
    list_display = ["code", "name", "category", "district", "grid", "road", "responsible_unit", "team", "active"]
    list_filter = ["active", "district", "category", "team"]
    list_select_related = ["category", "district", "grid", "road", "responsible_unit", "team"]
    search_fields = ["code", "name", "address"]
    autocomplete_fields = ["grid", "road", "responsible_unit"]
    readonly_fields = ["created_at", "updated_at"]
    list_per_page = 50


class IndicatorValueInline(admin.TabularInline):
    form = GuardedModelForm
    model = IndicatorValue
    extra = 1
    ordering = ["-month"]


@admin.register(Indicator)
class IndicatorAdmin(HQAdmin):
    list_display = ["code", "name", "category", "direction", "target", "unit_of_measure"]
    list_filter = ["direction", "category"]
    list_select_related = ["category"]
    search_fields = ["code", "name", "name_en"]
    inlines = [IndicatorValueInline]


@admin.register(IndicatorValue)
class IndicatorValueAdmin(HQAdmin):
    list_display = ["indicator", "month", "value", "note"]
    list_filter = ["indicator"]
    list_select_related = ["indicator"]
    date_hierarchy = "month"


@admin.register(SamplePointImport)
class SamplePointImportAdmin(HQAdmin):
    list_display = ["original_name", "status", "created_by", "created_at", "total_rows", "created_count"]
    list_filter = ["status"]
    list_select_related = ["created_by"]
    search_fields = ["original_name"]
    readonly_fields = [f.name for f in SamplePointImport._meta.fields]

    def has_add_permission(self, request):
        return False  # imports are uploaded through the import page, which checks the file


class PersonCreationForm(ControlCharactersRefused, AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ["username", "full_name", "role", "team", "district", "unit", "grid", "road"]


class PersonChangeForm(ControlCharactersRefused, UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User


@admin.register(User)
class UserAdmin(HQAdmin, DjangoUserAdmin):
    form = PersonChangeForm
    add_form = PersonCreationForm
    list_display = ["username", "full_name", "role", "team", "district", "unit", "is_active", "is_staff", "last_login"]
    list_filter = ["role", "is_active", "is_staff", "is_superuser", "district", "team"]
    list_select_related = ["team", "district", "unit", "grid", "road"]
    search_fields = ["username", "full_name", "phone", "email"]
    ordering = ["username"]
    autocomplete_fields = ["unit"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Person"), {"fields": ("full_name", "phone", "post", "email")}),
        (_("Role and scope"), {"fields": ("role", "team", "district", "unit", "grid", "road")}),
        (_("Admin access"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "full_name", "usable_password", "password1", "password2")}),
        (_("Role and scope"), {"classes": ("wide",), "fields": ("role", "team", "district", "unit", "grid", "road")}),
    )

    def has_change_permission(self, request, obj=None):
        # HQ manages the campaign's people, not the accounts that administer the system.
        if obj is not None and (obj.is_superuser or obj.is_staff) and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            readonly += ["is_staff", "is_superuser", "groups", "user_permissions"]
        return readonly

    def save_model(self, request, obj, form, change):
        # A role, scope or access change made here goes to the audit trail as on the People page.
        before = person_audit_state(User.objects.get(pk=obj.pk)) if change else None
        super().save_model(request, obj, form, change)
        audit_person_change(before=before, person=obj, by=request.user, request=request)


@admin.register(AuditEntry)
class AuditEntryAdmin(HQAdmin):
    """Read-only: the trail is written by the application and nobody edits or deletes it."""

    list_display = ["at", "actor_name", "action", "target", "scope", "address"]
    list_filter = ["action"]
    search_fields = ["actor_name", "target", "scope", "address"]
    date_hierarchy = "at"

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in AuditEntry._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
