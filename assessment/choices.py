from django.db import models
from django.utils.translation import gettext_lazy as _


class StandardChangeAction(models.TextChoices):
    """What a change to the standard as data was (assessment/services/standard.py)."""

    LOADED = "loaded", _("Loaded from a data file")
    IMPORTED = "imported", _("Imported from Excel")
    SWITCHED = "switched", _("Edition put in use")
    MATERIAL_CHANGED = "material_changed", _("Material's unit or due date changed")
    EDITED = "edited", _("Edited in the admin")


# --- The materials archive (assessment/models/archive.py) ------------------------------------


class MaterialStatus(models.TextChoices):
    MISSING = "missing", _("Missing")
    SUBMITTED = "submitted", _("Submitted, awaiting review")
    ACCEPTED = "accepted", _("Accepted")
    RETURNED = "returned", _("Returned")


class MaterialAction(models.TextChoices):
    SUBMIT = "submit", _("Uploaded a version")
    ACCEPT = "accept", _("Accepted")
    RETURN = "return", _("Returned with a comment")
