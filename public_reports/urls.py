from django.urls import path

from . import views

app_name = "public_reports"

urlpatterns = [
    path("public-reports/<int:pk>/", views.report_detail, name="detail"),
    path("public-reports/", views.queue, name="queue"),
    path("public-reports/review/", views.review_list, name="review_queue"),
    path("public-reports/<int:pk>/accept/", views.report_accept, name="accept"),
    path("public-reports/<int:pk>/merge/", views.report_merge, name="merge"),
    path("public-reports/<int:pk>/reject/", views.report_reject, name="reject"),
    path("public-reports/<int:pk>/edit/", views.report_edit, name="edit"),
    path("public-reports/<int:pk>/review/", views.report_review, name="review"),
    path("public-reports/photos/<int:pk>/", views.photo, name="photo"),
    path("public-reports/photos/<int:pk>/thumb/", views.photo, {"thumbnail": True}, name="photo_thumbnail"),
]
