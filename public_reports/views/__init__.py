"""Staff pages of the public channel: the moderation queue, a report's page with its decisions,
HQ's review of unsatisfied ratings (moderation.py). Everything loads through
``PublicReport.objects.visible_to``: out of scope is a 404."""

from .moderation import (
    photo,
    queue,
    report_accept,
    report_detail,
    report_edit,
    report_merge,
    report_reject,
    report_review,
    review_list,
)

__all__ = ["photo", "queue", "report_accept", "report_detail", "report_edit", "report_merge", "report_reject",
           "report_review", "review_list"]
