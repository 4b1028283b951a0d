from django.urls import path

from . import views

app_name = "accountability"

urlpatterns = [
    path("", views.record_list, name="record_list"),
    path("records/new/", views.record_create, name="record_create"),
    path("records/<int:pk>/", views.record_detail, name="record_detail"),
    path("records/<int:pk>/revoke/", views.record_revoke, name="record_revoke"),
    path("notices/", views.notice_list, name="notice_list"),
    path("notices/<int:pk>/", views.notice_detail, name="notice_detail"),
    path("escalations/", views.escalation_list, name="escalation_list"),
    path("escalations/<int:pk>/dismiss/", views.escalation_dismiss, name="escalation_dismiss"),
    path("units/<int:pk>/", views.unit_detail, name="unit_detail"),
]
