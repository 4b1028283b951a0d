from django.db import models  # noqa: F401 (each area adds its choices here)
from django.utils.translation import gettext_lazy as _


class RoundPlanKind(models.TextChoices):
    """What a recurring round plan makes (the supervision cycle, README "The supervision cycle")."""

    ROUTINE = "routine", _("Routine supervision")
    APPRAISAL = "appraisal", _("Appraisal")
    CROSS = "cross", _("Cross-inspection")


class Recurrence(models.TextChoices):
    WEEKS = "weeks", _("Every N weeks")
    QUARTERLY = "quarterly", _("Every quarter")


class RoundPlanAction(models.TextChoices):
    CREATED = "created", _("Created")
    CHANGED = "changed", _("Changed")
    PAUSED = "paused", _("Paused")
    RESUMED = "resumed", _("Resumed")
    FAILED = "failed", _("Could not make its round")
