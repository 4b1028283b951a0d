"""Helpers shared by the ledger API tests (test_api_*.py)."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

ROLES = ["hq", "leader", "team_lead", "district_lead", "other_district_lead", "unit_handler", "inspector",
         "grid_chief", "road_chief", "public"]


def client_for(user) -> APIClient:
    """An API client signed in (session) as ``user``; None is anonymous. It asks for English,
    so tests can read the messages whatever the default language."""
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_login(user)
    return client


def user_of(city, role: str | None):
    return None if role is None else getattr(city, role)


def problems_url() -> str:
    return reverse("problem-list")


def problem_url(problem_or_id) -> str:
    return reverse("problem-detail", args=[getattr(problem_or_id, "pk", problem_or_id)])


def action_url(problem, name: str) -> str:
    return reverse(f"problem-{name}", args=[problem.pk])


def not_a_picture(name="after.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"this is text pretending to be a photo", content_type="image/jpeg")


def stored_files(root) -> list[str]:
    """Every file under MEDIA_ROOT (the test's tmp_path)."""
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def jpeg_bytes() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (80, 60), (200, 40, 40)).save(buffer, format="JPEG")
    return buffer.getvalue()
