from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportKind(models.TextChoices):
    WEEKLY_ASSIGNMENT = "weekly_assignment", _("Weekly assignment")
    WEEKLY_EXPOSURE = "weekly_exposure", _("Weekly exposure")
    MONTHLY_COMPARISON = "monthly_comparison", _("Monthly comparison")


WEEKLY_KINDS = (ReportKind.WEEKLY_ASSIGNMENT, ReportKind.WEEKLY_EXPOSURE)


class ReportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
