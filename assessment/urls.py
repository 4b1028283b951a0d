from django.urls import path  # noqa: F401 (each area adds its pages)

from .views import archive as archive_views
from .views import standard

app_name = "assessment"

urlpatterns = [
    # The standard as data (README "The standard as data").
    path("standard/", standard.standard_page, name="standard"),
    path("standard/<str:code>/use/", standard.edition_use, name="standard_use"),
    path("standard/<str:code>/workbook.xlsx", standard.workbook, name="standard_workbook"),
    path("standard/<str:code>/import/", standard.standard_import, name="standard_import"),
    path("standard/materials/<int:pk>/", standard.material_edit, name="standard_material"),
]
urlpatterns += archive_views.routes  # the materials archive
