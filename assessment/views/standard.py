"""The standard's pages: its parts (team, core indicators against targets), articles and the
materials each requires (unit, due date), for every member of staff; HQ switches the edition,
sets a material's unit and due date, and edits the whole standard in Excel (download, upload,
preview, confirm). Writes go through assessment/services/standard.py."""

import base64
import binascii
import hashlib
import io

from django import forms
from django.contrib import messages
from django.core import signing
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from campaign.choices import AuditAction
from campaign.control_characters import ControlCharactersRefused
from campaign.importing.reading import upload_too_large
from campaign.models import Unit
from campaign.services.audit import audit_record
from campaign.views.structure import campaign_staff_required
from campaign.widgets import SearchSelect

from ..filters.standard import MaterialRequirementFilterSet
from ..models import MaterialRequirement, StandardEdition
from ..selectors.standard import edition_in_use, standard_overview
from ..services import standard as standard_service

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PREVIEW_SALT = "assessment.standard.import"
PREVIEW_MAX_AGE = 60 * 60  # seconds a preview may be confirmed
SHOWN_PROBLEMS = 500
# The FilterSet's fields the page shows (the API also filters by edition and article id).
PAGE_FILTERS = ("q", "part", "team", "responsible_unit", "due_before", "due_after", "unassigned")


def _chosen_edition(request) -> StandardEdition | None:
    code = request.GET.get("edition")
    if code:
        return get_object_or_404(StandardEdition.objects.visible_to(request.user), code=code)
    return edition_in_use() or StandardEdition.objects.visible_to(request.user).first()


def _hq(request) -> None:
    if not request.user.can_manage_structure:
        raise Http404


@campaign_staff_required
@require_GET
def standard_page(request):
    edition = _chosen_edition(request)
    context = {"edition": edition, "editions": StandardEdition.objects.visible_to(request.user),
               "can_edit": request.user.can_manage_structure, "today": timezone.localdate()}
    if edition is not None:
        materials = MaterialRequirement.objects.visible_to(request.user).filter(article__part__edition=edition,
                                                                                active=True)
        # The page chooses the edition by its code; the FilterSet's edition (an id) is the API's.
        data = request.GET.copy()
        data.pop("edition", None)
        data.pop("article", None)
        filtered = {key for key, value in data.items() if value}
        filterset = MaterialRequirementFilterSet(data or None, queryset=materials, request=request)
        materials = filterset.qs if filterset.is_bound and filterset.is_valid() else materials
        part_number = filterset.form.cleaned_data.get("part") if filterset.is_bound and filterset.is_valid() else None
        parts = standard_overview(edition=edition, as_of=context["today"], materials=materials,
                                  part_number=part_number)
        if filtered:  # a filter shows only the articles that still have materials
            for view in parts:
                view.articles = [a for a in view.articles if a.required]
        shown = [filterset.form[name] for name in PAGE_FILTERS]
        context.update(filterset=filterset, filter_fields=shown, parts=parts, filtered=bool(filtered))
    return render(request, "assessment/standard/standard.html", context)


@campaign_staff_required
@require_POST
def edition_use(request, code: str):
    _hq(request)
    edition = get_object_or_404(StandardEdition.objects.visible_to(request.user), code=code)
    standard_service.standard_edition_use(edition=edition, actor=request.user)
    messages.success(request, _("The campaign now works to %(edition)s.") % {"edition": edition.label})
    return redirect("assessment:standard")


class MaterialAssignForm(ControlCharactersRefused, forms.Form):
    responsible_unit = forms.ModelChoiceField(
        queryset=Unit.objects.none(), required=False, label=gettext_lazy("Responsible unit"),
        widget=SearchSelect("unit-list"),
    )
    due_date = forms.DateField(required=False, label=gettext_lazy("Due date"),
                               widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible_unit"].queryset = Unit.objects.visible_to(user)


@campaign_staff_required
@require_http_methods(["GET", "POST"])
def material_edit(request, pk: int):
    _hq(request)
    material = get_object_or_404(MaterialRequirement.objects.visible_to(request.user)
                                 .select_related("article__part__edition", "responsible_unit"), pk=pk)
    initial = {"responsible_unit": material.responsible_unit, "due_date": material.due_date}
    form = MaterialAssignForm(request.POST or None, initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid():
        standard_service.material_requirement_assign(
            material=material, actor=request.user, responsible_unit=form.cleaned_data["responsible_unit"],
            due_date=form.cleaned_data["due_date"])
        messages.success(request, _("Material %(code)s saved.") % {"code": material.code})
        return redirect(f"{_standard_url(material.article.part.edition)}#article-{material.article_id}")
    return render(request, "assessment/standard/material_form.html", {"material": material, "form": form})


def _standard_url(edition: StandardEdition) -> str:
    from django.urls import reverse

    return f"{reverse('assessment:standard')}?edition={edition.code}"


@campaign_staff_required
@require_GET
def workbook(request, code: str):
    edition = get_object_or_404(StandardEdition.objects.visible_to(request.user), code=code)
    data = standard_service.standard_workbook(edition=edition)
    audit_record(action=AuditAction.EXPORT, request=request, target=f"standard {edition.code}",
                 details={"delivery": "direct", "format": "xlsx"})
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return FileResponse(io.BytesIO(data), as_attachment=True, filename=f"standard-{edition.code}-{stamp}.xlsx",
                        content_type=XLSX)


class StandardImportForm(ControlCharactersRefused, forms.Form):
    file = forms.FileField(label=gettext_lazy("Excel workbook"), allow_empty_file=True,
                           help_text=gettext_lazy("The workbook downloaded from this page, edited."),
                           widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        too_large = upload_too_large(upload.size)
        if too_large:
            raise forms.ValidationError(too_large)
        return upload


def _preview_token(request, edition: StandardEdition, data: bytes) -> str:
    digest = hashlib.sha256(data).hexdigest()
    return signing.dumps({"user": request.user.pk, "edition": edition.pk, "sha256": digest}, salt=PREVIEW_SALT)


@campaign_staff_required
@require_http_methods(["GET", "POST"])
def standard_import(request, code: str):
    """Upload (nothing written: the preview shows every bad row and column, or what would
    change), then confirm: the same file is checked again and written all or nothing."""
    _hq(request)
    edition = get_object_or_404(StandardEdition.objects.visible_to(request.user), code=code)
    context = {"edition": edition}
    if request.method == "POST" and "confirm" in request.POST:
        try:
            data = base64.b64decode(request.POST.get("data", ""), validate=True)
            token = signing.loads(request.POST.get("token", ""), salt=PREVIEW_SALT, max_age=PREVIEW_MAX_AGE)
        except (binascii.Error, ValueError, signing.BadSignature):
            messages.error(request, _("This preview has expired or was altered: upload the workbook again."))
            return redirect("assessment:standard_import", code=edition.code)
        if token != {"user": request.user.pk, "edition": edition.pk, "sha256": hashlib.sha256(data).hexdigest()}:
            messages.error(request, _("This preview has expired or was altered: upload the workbook again."))
            return redirect("assessment:standard_import", code=edition.code)
        try:
            report = standard_service.standard_import(edition=edition, data=data, actor=request.user,
                                                      file_name=request.POST.get("name", "")[:200] or "workbook.xlsx")
        except standard_service.StandardDataError:
            messages.error(request, _("The standard changed since the preview and the workbook no longer fits: "
                                      "nothing was written. Upload it again to see why."))
            return redirect("assessment:standard_import", code=edition.code)
        messages.success(request, _("Workbook imported: %(created)s added, %(updated)s changed, %(deactivated)s "
                                    "no longer required.") % {"created": report.created, "updated": report.updated,
                                                               "deactivated": report.deactivated})
        return redirect(_standard_url(edition))
    form = StandardImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read()
        check = standard_service.standard_import_check(edition=edition, data=data)
        context.update(check=check, problems=check.errors[:SHOWN_PROBLEMS], total=len(check.errors),
                       name=upload.name)
        if not check.errors:
            context.update(data=base64.b64encode(data).decode("ascii"),
                           token=_preview_token(request, edition, data))
    context["form"] = form
    return render(request, "assessment/standard/import.html", context)
