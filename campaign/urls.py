from django.urls import path

from .views import audit, boundaries, exports, home, imports, people, structure

app_name = "campaign"

urlpatterns = [
    path("", home.home, name="home"),
    path("overview/", structure.overview, name="overview"),
    path("sample-points/", structure.sample_point_list, name="sample_point_list"),
    path("sample-points/<int:pk>/", structure.sample_point_detail, name="sample_point_detail"),
    path("sample-points/import/", imports.import_upload, name="sample_point_import"),
    path("sample-points/import/template.xlsx", imports.import_template, name="sample_point_import_template"),
    path("sample-points/import/<int:pk>/", imports.import_detail, name="sample_point_import_detail"),
    path("sample-points/import/<int:pk>/progress/", imports.import_progress, name="sample_point_import_progress"),
    path("boundaries/", boundaries.boundary_upload, name="boundary_upload"),
    path("people/", people.person_list, name="person_list"),
    path("people/new/", people.person_create, name="person_create"),
    path("people/<int:pk>/", people.person_update, name="person_update"),
    path("audit/", audit.audit_list, name="audit_list"),
    *exports.routes,
]
