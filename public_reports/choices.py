from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ReportStatus(models.TextChoices):
    """Where the moderation queue left a report. An accepted or merged report then follows
    its ledger problem's status (the tracking page reads it from there)."""

    RECEIVED = "received", _("Received")
    ACCEPTED = "accepted", _("Accepted")
    MERGED = "merged", _("Merged (already known)")
    REJECTED = "rejected", _("Rejected")


class Channel(models.TextChoices):
    WEB = "web", _("Reporting page")
    OPEN311 = "open311", _("Open311")
    IMPORTED = "imported", _("Imported (historical)")


class RejectReason(models.TextChoices):
    NOT_A_PROBLEM = "not_a_problem", _("Not a dirty, messy or bad problem")
    OUTSIDE_CITY = "outside_city", _("Not in the city's area")
    NOT_FOUND = "not_found", _("Not found on site")
    NOT_OUR_REMIT = "not_our_remit", _("Not for the campaign (passed to the competent office)")
    ABUSIVE = "abusive", _("Abusive or false report")
    OTHER = "other", _("Other (see the note)")


class ReportAction(models.TextChoices):
    SUBMIT = "submit", _("Reported")
    ACCEPT = "accept", _("Accepted into the ledger")
    MERGE = "merge", _("Merged")
    REJECT = "reject", _("Rejected")
    EDIT = "edit", _("Edited by a moderator")
    HIDE_PHOTO = "hide_photo", _("Photo hidden")
    RATE = "rate", _("Rated by the reporter")
    REVIEW_REBOUND = "review_rebound", _("Reviewed: rebound recorded")
    REVIEW_DISMISS = "review_dismiss", _("Reviewed: result stands")


class ReviewState(models.TextChoices):
    NONE = "", _("No review")
    PENDING = "pending", _("Waiting for HQ's review")
    REBOUND = "rebound", _("Rebound recorded")
    DISMISSED = "dismissed", _("Result stands")


class RewardStatus(models.TextChoices):
    # A context of their own: "Pending" is a notification's 待发送 elsewhere.
    PENDING = "pending", pgettext_lazy("reward", "Pending")
    APPROVED = "approved", pgettext_lazy("reward", "Approved")
    PAID = "paid", pgettext_lazy("reward", "Paid")
    DECLINED = "declined", pgettext_lazy("reward", "Declined")


class RewardAction(models.TextChoices):
    CREATE = "create", _("Owed")
    APPROVE = "approve", _("Approved")
    DECLINE = "decline", _("Declined")
    PAY = "pay", _("Paid")
    RULE_SET = "rule_set", _("Reward rule set")
    RULE_DELETE = "rule_delete", _("Reward rule removed")
    POLICY = "policy", _("Reward policy changed")


# What a tracking page shows, in the order a report moves.
class TrackingStage(models.TextChoices):
    RECEIVED = "received", _("Received")
    ACCEPTED = "accepted", _("Accepted")
    RECTIFYING = "rectifying", _("Being rectified")
    RECTIFIED = "rectified", _("Rectified, waiting for verification")
    CLOSED = "closed", _("Closed")
    MERGED = "merged", _("Already known")
    REJECTED = "rejected", _("Rejected")
