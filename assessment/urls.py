from django.urls import path

from .views import readiness, satisfaction

app_name = "assessment"

urlpatterns = [
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
urlpatterns += readiness.routes  # readiness for the assessment (迎检准备)
