from django.db import models  # noqa: F401 (each area adds its choices here)

# --- The materials archive (assessment/models/archive.py) ------------------------------------
from django.utils.translation import gettext_lazy as _  # noqa: E402


class MaterialStatus(models.TextChoices):
    MISSING = "missing", _("Missing")
    SUBMITTED = "submitted", _("Submitted, awaiting review")
    ACCEPTED = "accepted", _("Accepted")
    RETURNED = "returned", _("Returned")


class MaterialAction(models.TextChoices):
    SUBMIT = "submit", _("Uploaded a version")
    ACCEPT = "accept", _("Accepted")
    RETURN = "return", _("Returned with a comment")
