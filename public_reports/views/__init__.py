"""Staff pages of the public channel (the moderation queue and its decisions live in
moderation.py as they grow). Everything loads through ``PublicReport.objects.visible_to``:
out of scope is a 404."""

from django.shortcuts import get_object_or_404, render

from campaign.views.structure import campaign_staff_required

from ..models import PublicReport


@campaign_staff_required
def report_detail(request, pk: int):
    report = get_object_or_404(
        PublicReport.objects.visible_to(request.user).select_related("public_category", "district", "problem",
                                                                     "decided_by", "merged_into"),
        pk=pk)
    return render(request, "public_reports/report_detail.html", {
        "report": report,
        "photos": report.photos.all(),
        "events": report.events.select_related("actor"),
    })
