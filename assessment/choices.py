from django.db import models
from django.utils.translation import gettext_lazy as _


class StandardChangeAction(models.TextChoices):
    """What a change to the standard as data was (assessment/services/standard.py)."""

    LOADED = "loaded", _("Loaded from a data file")
    IMPORTED = "imported", _("Imported from Excel")
    SWITCHED = "switched", _("Edition put in use")
    MATERIAL_CHANGED = "material_changed", _("Material's unit or due date changed")
    EDITED = "edited", _("Edited in the admin")
