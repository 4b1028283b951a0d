from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportKind:
    """Names of the built-in kinds, for code that refers to one of them. The kinds themselves
    (their labels, periods, publishing) are the modules of reports/kinds/ (its registry)."""

    WEEKLY_ASSIGNMENT = "weekly_assignment"
    WEEKLY_EXPOSURE = "weekly_exposure"
    MONTHLY_COMPARISON = "monthly_comparison"


class ReportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
