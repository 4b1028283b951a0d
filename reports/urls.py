from django.urls import path

from . import views, views_dashboard

app_name = "reports"

urlpatterns = [
    path("", views.report_list, name="report_list"),
    path("dashboard/", views_dashboard.dashboard_view, name="dashboard"),
    path("request/", views.report_request, name="report_request"),
    path("<int:pk>/", views.report_detail, name="report_detail"),
    path("<int:pk>/progress/", views.report_progress, name="report_progress"),
    path("<int:pk>/download/", views.report_download, name="report_download"),
    path("<int:pk>/regenerate/", views.report_regenerate, name="report_regenerate"),
    path("<int:pk>/publish/", views.report_publish, name="report_publish"),
    path("tasks/", views.weekly_task_list, name="weekly_task_list"),
    path("tasks/<int:pk>/", views.weekly_task_edit, name="weekly_task_edit"),
    path("tasks/<int:pk>/delete/", views.weekly_task_delete, name="weekly_task_delete"),
]
