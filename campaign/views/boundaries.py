"""HQ's page for uploading district and grid boundaries (GeoJSON). Everyone else: 404."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from .. import geo
from ..forms import BoundaryUploadForm, bootstrap_form
from ..models import DistrictBoundary, GridBoundary
from ..services.boundaries import boundaries_upload
from .imports import hq_required


@hq_required
@require_http_methods(["GET", "POST"])
def boundary_upload(request):
    form = bootstrap_form(BoundaryUploadForm(request.POST or None, request.FILES or None))
    refusals = []
    if form.is_bound and form.is_valid():
        upload = form.cleaned_data["file"]
        limit = settings.GEOJSON_MAX_MB * 1024 * 1024
        # Read one byte past the limit: enough to refuse a larger file without holding all of it.
        data = upload.read(limit + 1)
        try:
            count = boundaries_upload(kind=form.cleaned_data["kind"], data=data,
                                      match_by=form.cleaned_data["match_by"], by=request.user)
        except geo.GeoJSONError as refused:
            refusals = refused.messages
        else:
            messages.success(request, _("%(count)s boundaries stored.") % {"count": count})
            return redirect("campaign:boundary_upload")
    context = {
        "form": form,
        "refusals": refusals,
        "district_count": DistrictBoundary.objects.count(),
        "grid_count": GridBoundary.objects.count(),
        "bounds": geo.city_bounds(),
        "upload_crs": settings.GEOJSON_UPLOAD_CRS,
        "max_mb": settings.GEOJSON_MAX_MB,
    }
    return render(request, "campaign/boundary_upload.html", context, status=400 if refusals else 200)
