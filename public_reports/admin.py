from django.contrib import admin

from campaign.admin import HQAdmin

from .models import PublicCategory, RewardPolicy, RewardRule


@admin.register(PublicCategory)
class PublicCategoryAdmin(HQAdmin):
    list_display = ("code", "name", "name_en", "category", "order", "active")
    list_editable = ("order", "active")
    autocomplete_fields = ("category",)


@admin.register(RewardRule)
class RewardRuleAdmin(HQAdmin):
    list_display = ("public_category", "severity", "amount")


@admin.register(RewardPolicy)
class RewardPolicyAdmin(HQAdmin):
    list_display = ("monthly_cap", "active")
