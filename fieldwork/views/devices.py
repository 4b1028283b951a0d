"""HQ's list of field phones (/field/devices/) and cutting a lost one off (README "Cutting off a
lost phone"). HQ staff only (others: 404, as the audit trail); the cut goes through
fieldwork/services/devices.py, which records it in the audit trail."""

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from campaign.control_characters import ControlCharactersRefused
from campaign.views.people import structure_manager_required

from .. import selectors
from ..models import FieldDevice
from ..services import devices as services

DEVICES_PER_PAGE = 50


class DeviceFilterForm(ControlCharactersRefused, forms.Form):
    q = forms.CharField(label=gettext_lazy("Person, label or phone id"), required=False, max_length=100)
    state = forms.ChoiceField(label=gettext_lazy("State"), required=False, choices=[
        ("", gettext_lazy("All")), ("active", gettext_lazy("In use")), ("revoked", gettext_lazy("Cut off")),
    ])


class DeviceRevokeForm(ControlCharactersRefused, forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=gettext_lazy("Why the phone is cut off (lost, stolen, left the job…)."))
    lock_password = forms.BooleanField(
        label=gettext_lazy("Make their password unusable"), required=False, initial=True,
        help_text=gettext_lazy("Nobody, not even someone with a password saved on the phone, can sign in as this "
                               "person until HQ sets a new password on the person's page."),
    )


@structure_manager_required
@require_GET
def device_list(request):
    form = DeviceFilterForm(request.GET or None)
    search, state = "", ""
    if form.is_bound and form.is_valid():
        search, state = form.cleaned_data["q"], form.cleaned_data["state"]
    devices = selectors.devices_for_hq(user=request.user, search=search, state=state)
    page = Paginator(devices, DEVICES_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "fieldwork/devices.html", {"form": form, "page": page})


@structure_manager_required
@require_http_methods(["GET", "POST"])
def device_revoke(request, pk: int):
    device = get_object_or_404(FieldDevice.objects.visible_to(request.user).select_related("user", "revoked_by"), pk=pk)
    # Unbound on GET: the "unusable password" box starts ticked (its initial value).
    form = DeviceRevokeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and not device.is_revoked and form.is_valid():
        try:
            services.device_revoke(device=device, by=request.user, reason=form.cleaned_data["reason"],
                                   lock_password=form.cleaned_data["lock_password"], request=request)
        except services.DeviceError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The phone of %(person)s is cut off: its requests are refused, all their "
                                        "sessions ended and API tokens deleted. A new phone of theirs is refused "
                                        "until you allow new phones.") % {"person": device.user.get_full_name()})
            if form.cleaned_data["lock_password"]:
                messages.warning(request, _("Their password is unusable: set a new one on the person's page."))
            return redirect("fieldwork:device_list")
    return render(request, "fieldwork/devices_revoke.html", {"device": device, "form": form},
                  status=400 if request.method == "POST" else 200)


@structure_manager_required
@require_POST
def device_allow_new(request, user_pk: int):
    """HQ lifts the block on new phones for a person who had one cut off (audited)."""
    person = get_object_or_404(get_user_model(), pk=user_pk)
    if not FieldDevice.objects.visible_to(request.user).filter(user=person).exists():
        return redirect("fieldwork:device_list")
    try:
        lifted = services.device_allow_new(person=person, by=request.user, request=request)
    except services.DeviceError as error:
        messages.error(request, str(error))
    else:
        if lifted:
            messages.success(request, _("%(person)s may register new phones again; the phones cut off stay cut "
                                        "off.") % {"person": person.get_full_name() or person.get_username()})
    return redirect("fieldwork:device_list")


routes = [
    path("devices/", device_list, name="device_list"),
    path("devices/<int:pk>/revoke/", device_revoke, name="device_revoke"),
    path("devices/people/<int:user_pk>/allow-new/", device_allow_new, name="device_allow_new"),
]
