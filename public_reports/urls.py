from django.urls import path

from . import views

app_name = "public_reports"

urlpatterns = [
    path("public-reports/<int:pk>/", views.report_detail, name="detail"),
]
