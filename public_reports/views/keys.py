"""HQ's page of Open311 keys: issue one (shown once, on the answer to the form), list them
and revoke one. HQ staff only (others: 403); writes go through the services."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from campaign.control_characters import ControlCharactersRefused
from campaign.forms import bootstrap_form
from campaign.middleware import body_control_characters_refused
from campaign.views.structure import campaign_staff_required

from .. import services
from ..models import Open311Key


class Open311KeyForm(ControlCharactersRefused, forms.Form):
    name = forms.CharField(label=gettext_lazy("System"), max_length=200, help_text=gettext_lazy(
        "The system that will post requests with this key, e.g. the 12345 hotline."))


def _hq_only(request) -> None:
    if not request.user.can_manage_structure:
        raise PermissionDenied(_("Only HQ staff manage Open311 keys."))


ISSUED = "public_reports.open311_key_issued"


@campaign_staff_required
@require_http_methods(["GET", "POST"])
@body_control_characters_refused
def open311_key_list(request):
    """Issuing answers with a redirect (a reload must not issue a second key); the new key waits
    in the session for that one page, which takes it out."""
    _hq_only(request)
    form = Open311KeyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            issued, raw = services.open311_key_issue(name=form.cleaned_data["name"], by=request.user)
        except services.PublicReportError as error:
            form.add_error("name", str(error))
        else:
            request.session[ISSUED] = {"id": issued.pk, "key": raw}
            return redirect("public_reports:open311_keys")
    keys = Open311Key.objects.select_related("created_by", "revoked_by").order_by("-created_at", "-id")
    # Taken out by whatever request comes next to this page: only a GET shows it.
    waiting = request.session.pop(ISSUED, None)
    shown = waiting if request.method == "GET" else None
    issued = next((key for key in keys if shown and key.pk == shown["id"]), None)
    response = render(request, "public_reports/open311_keys.html", {
        "form": bootstrap_form(form), "keys": keys, "issued": issued, "raw_key": shown["key"] if issued else None})
    # The key is in this answer only: no cache may keep it.
    add_never_cache_headers(response)
    return response


@campaign_staff_required
@require_POST
def open311_key_revoke(request, pk: int):
    _hq_only(request)
    key = get_object_or_404(Open311Key, pk=pk)
    services.open311_key_revoke(key=key, by=request.user)
    messages.success(request, _("The key of %(system)s is revoked; requests with it are refused from now on.") % {
        "system": key.name})
    return redirect("public_reports:open311_keys")
