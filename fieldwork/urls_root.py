"""Paths that must sit at the site's root: the service worker's scope is the folder it is
served from, and the manifest is linked from every page."""

from django.urls import path  # noqa: F401

from .views import shell

urlpatterns = [*shell.root_routes]
