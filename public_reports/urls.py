from django.urls import path

from . import views
from .views import keys, public, rewards

app_name = "public_reports"

urlpatterns = [
    path("public-reports/<int:pk>/", views.report_detail, name="detail"),
    # Internet-facing, without an account (campaign.public_guard.public_page).
    path("report/", public.report_form, name="report"),
    path("report/rules/", public.rules, name="rules"),
    path("report/track/", public.track_lookup, name="track_lookup"),
    path("report/track/<str:code>/", public.track, name="track"),
    path("report/track/<str:code>/rate/", public.track_rate, name="track_rate"),
    path("report/track/<str:code>/report-photo/<int:pk>/", public.track_photo, {"kind": "report"},
         name="track_report_photo"),
    path("report/track/<str:code>/report-photo/<int:pk>/thumb/", public.track_photo,
         {"kind": "report", "size": "thumb"}, name="track_report_thumb"),
    path("report/track/<str:code>/after-photo/<int:pk>/", public.track_photo, {"kind": "after"},
         name="track_after_photo"),
    path("report/track/<str:code>/after-photo/<int:pk>/thumb/", public.track_photo,
         {"kind": "after", "size": "thumb"}, name="track_after_thumb"),
    path("public-reports/open311-keys/", keys.open311_key_list, name="open311_keys"),
    path("public-reports/open311-keys/<int:pk>/revoke/", keys.open311_key_revoke, name="open311_key_revoke"),
    path("public-reports/", views.queue, name="queue"),
    path("public-reports/review/", views.review_list, name="review_queue"),
    path("public-reports/<int:pk>/accept/", views.report_accept, name="accept"),
    path("public-reports/<int:pk>/merge/", views.report_merge, name="merge"),
    path("public-reports/<int:pk>/reject/", views.report_reject, name="reject"),
    path("public-reports/<int:pk>/edit/", views.report_edit, name="edit"),
    path("public-reports/<int:pk>/review/", views.report_review, name="review"),
    path("public-reports/photos/<int:pk>/", views.photo, name="photo"),
    path("public-reports/photos/<int:pk>/thumb/", views.photo, {"thumbnail": True}, name="photo_thumbnail"),
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
