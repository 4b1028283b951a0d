"""The public red and black list (reports/views_public.py): no sign-in, faces the internet."""

from django.urls import path

from . import views_public

app_name = "public_board"

urlpatterns = [
    path("", views_public.board, name="board"),
    path("reports/<int:pk>/", views_public.report_page, name="report"),
    path("feed.atom", views_public.feed, name="feed"),
]
