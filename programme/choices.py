from django.db import models  # noqa: F401 (each area adds its choices here)
from django.utils.translation import gettext_lazy as _

# --- Pairing (programme/models/pairing.py) ---------------------------------------------------------


class PairTaskKind(models.TextChoices):
    ACTIVITY = "activity", _("Activity")
    HEALTH_PROJECT = "health_project", _("Help with a key public-health project")


class PairTaskStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class PairingAction(models.TextChoices):
    PAIR_CREATED = "pair_created", _("Pair created")
    PAIR_ENDED = "pair_ended", _("Pair ended")
    TASK_ADDED = "task_added", _("Task added")
    TASK_DONE = "task_done", _("Task done")
    TASK_REOPENED = "task_reopened", _("Task reopened")
    TASK_CANCELLED = "task_cancelled", _("Task cancelled")
    VISIT_RECORDED = "visit_recorded", _("Visit recorded")
