"""The assessment's internet-facing pages (campaign.public_guard.public_page): the satisfaction survey."""

from django.urls import path

from .views import satisfaction_public

urlpatterns = [
    path("<slug:slug>/", satisfaction_public.survey_answer, name="survey_answer"),
]
