from functools import cache

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    FOUND = "found", _("Found")
    ASSIGNED = "assigned", _("Assigned")
    RECTIFYING = "rectifying", _("In rectification")
    CLOSING_APPLIED = "closing_applied", _("Closing applied")
    CLOSED = "closed", _("Closed")
    INVALID = "invalid", _("Invalid")


OPEN_STATUSES = (Status.FOUND, Status.ASSIGNED, Status.RECTIFYING, Status.CLOSING_APPLIED)


class Source(models.TextChoices):
    ROUTINE_SUPERVISION = "routine", _("Routine supervision")
    UNANNOUNCED_VISIT = "unannounced", _("Unannounced visit")
    EXPERT_GROUP = "expert", _("Expert group")
    MEDIA = "media", _("Media")
    LEADER_VISIT = "leader", _("Leader's visit")
    PUBLIC_REPORT = "public", _("Public report")
    SELF_FOUND = "self", _("Self-found")
    MOCK_ASSESSMENT = "mock", _("Mock assessment")
    ASSESSMENT = "assessment", _("Provincial or national assessment")
    WOODPECKER = "woodpecker", _("Woodpecker patrol")


class Severity(models.TextChoices):
    GENERAL = "general", _("General")
    SERIOUS = "serious", _("Serious")
    URGENT = "urgent", _("Urgent")


class Action(models.TextChoices):
    RECORD = "record", _("Recorded")
    ASSIGN = "assign", _("Assigned")
    REASSIGN = "reassign", _("Reassigned")
    ACKNOWLEDGE = "acknowledge", _("Acknowledged")
    APPLY_CLOSE = "apply_close", _("Applied to close")
    APPROVE = "approve", _("Verified and closed")
    REJECT = "reject", _("Closing rejected")
    INVALIDATE = "invalidate", _("Marked invalid")
    REBOUND = "rebound", _("Found again (rebound)")
    FOUND_AGAIN = "found_again", _("Found again while open")
    CLASSIFY = "classify", _("Put in a problem class")
    ISSUE_SHEET = "issue_sheet", _("Listed on an assignment sheet")
    EDIT = "edit", _("Details corrected")
    LOCATE = "locate", _("Grid and road set")


class PhotoKind(models.TextChoices):
    BEFORE = "before", _("Before")
    AFTER = "after", _("After")


@cache
def _labels(choices: type[models.Choices], language: str | None) -> dict[str, str]:
    return {value: str(label) for value, label in choices.choices}


def choice_label(choices: type[models.Choices], value) -> str:
    """The label of a choice in the active language, from a dict made once per language (a
    model's ``get_FOO_display`` builds its dict of choices again on every call: per row of a
    list, that was a sixth of the ledger API's time)."""
    return _labels(choices, get_language()).get(value, value)


class ClassStatus(models.TextChoices):
    """Where a problem class's rectification stands (ledger/class_rules.py moves it)."""

    OPEN = "open", _("Open: no measure yet")
    MEASURE_SET = "measure_set", _("Measure set: removing the cause")
    CLOSING_APPLIED = "closing_applied", _("Closing applied")
    CLOSED = "closed", _("Closed: measure verified")


class ClassAction(models.TextChoices):
    OPEN = "open", _("Class opened")
    MEASURE_SET = "measure_set", _("Cause and measure set")
    APPLY_CLOSE = "apply_close", _("Applied to close the class")
    VERIFY = "verify", _("Measure verified, class closed")
    REJECT = "reject", _("Class closing rejected")
