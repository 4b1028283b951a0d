from django.urls import path  # noqa: F401 (each area adds its pages)

from .views import vectors as vector_views

app_name = "assessment"

urlpatterns = []

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
