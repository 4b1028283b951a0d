from django.urls import path

from . import views
from .views import rewards

app_name = "public_reports"

urlpatterns = [
    path("public-reports/<int:pk>/", views.report_detail, name="detail"),
    # HQ's rewards (views/rewards.py).
    path("rewards/", rewards.reward_ledger, name="rewards"),
    path("rewards/check/", rewards.rewards_check, name="rewards_check"),
    path("rewards/payments.xlsx", rewards.payment_list_export, name="reward_payments"),
    path("rewards/rules/", rewards.reward_rules, name="reward_rules"),
    path("rewards/rules/<int:pk>/delete/", rewards.reward_rule_delete, name="reward_rule_delete"),
    path("rewards/<int:pk>/approve/", rewards.reward_approve, name="reward_approve"),
    path("rewards/<int:pk>/decline/", rewards.reward_decline, name="reward_decline"),
    path("rewards/<int:pk>/pay/", rewards.reward_pay, name="reward_pay"),
]
