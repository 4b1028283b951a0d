from django.urls import path

from . import views
from .views import keys

app_name = "public_reports"

urlpatterns = [
    path("public-reports/<int:pk>/", views.report_detail, name="detail"),
    path("public-reports/open311-keys/", keys.open311_key_list, name="open311_keys"),
    path("public-reports/open311-keys/<int:pk>/revoke/", keys.open311_key_revoke, name="open311_key_revoke"),
]
