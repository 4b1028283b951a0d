from django.urls import path

from .views import archive as archive_views
from .views import satisfaction, standard
from .views import vectors as vector_views

app_name = "assessment"

urlpatterns = [
    # The standard as data (README "The standard as data").
    path("standard/", standard.standard_page, name="standard"),
    path("standard/<str:code>/use/", standard.edition_use, name="standard_use"),
    path("standard/<str:code>/workbook.xlsx", standard.workbook, name="standard_workbook"),
    path("standard/<str:code>/import/", standard.standard_import, name="standard_import"),
    path("standard/materials/<int:pk>/", standard.material_edit, name="standard_material"),
    # The public-satisfaction survey: HQ's set-up and the scoped results (views/satisfaction.py).
    path("satisfaction/", satisfaction.survey_list, name="survey_list"),
    path("satisfaction/new/", satisfaction.survey_create, name="survey_create"),
    path("satisfaction/<int:pk>/", satisfaction.survey_detail, name="survey_detail"),
    path("satisfaction/<int:pk>/questions/<int:question_pk>/", satisfaction.question_edit, name="question_edit"),
    path("satisfaction/<int:pk>/qr.svg", satisfaction.survey_qr, name="survey_qr"),
    path("satisfaction/<int:pk>/poster/", satisfaction.survey_poster, name="survey_poster"),
    path("satisfaction/<int:pk>/results/", satisfaction.survey_results_page, name="survey_results"),
    path("satisfaction/<int:pk>/results.xlsx", satisfaction.survey_results_export, name="survey_results_export"),
]
urlpatterns += archive_views.routes  # the materials archive

urlpatterns += [  # vector-control surveys
    path("vectors/", vector_views.vector_survey_list, name="vector_survey_list"),
    path("vectors/new/", vector_views.vector_survey_record, name="vector_survey_record"),
    path("vectors/<int:pk>/", vector_views.vector_survey_detail, name="vector_survey_detail"),
    path("vectors/<int:pk>/edit/", vector_views.vector_survey_record, name="vector_survey_edit"),
    path("vectors/<int:pk>/raise/", vector_views.vector_survey_raise, name="vector_survey_raise"),
    path("vectors/trends/", vector_views.vector_trends, name="vector_trends"),
    path("vectors/thresholds/", vector_views.vector_thresholds, name="vector_thresholds"),
    path("vectors/thresholds/<int:pk>/", vector_views.vector_thresholds, name="vector_threshold_edit"),
]

from .views import readiness  # noqa: E402

urlpatterns += readiness.routes  # readiness for the assessment (迎检准备)
