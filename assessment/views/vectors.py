"""The vector-control survey pages: list (filters, Excel), record and correct (HQ and the
vector-control team lead), a survey's rates, levels and history (HQ raises its problems), the
monthly trend per district and species, and the thresholds with their sources (HQ sets them).
Surveys load through ``visible_to(user)``: out of scope is a 404. Changes go through
assessment/services/vectors.py."""

from datetime import date

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from campaign.views.structure import campaign_staff_required
from ledger.models import Problem
from ledger.services import LedgerError

from ..filters.vectors import VectorSurveyFilterSet
from ..forms.vectors import ThresholdForm, VectorSurveyForm, bootstrap, species_or_default
from ..models import VectorSurvey, VectorThreshold
from ..models.vectors import may_record_vectors, may_set_thresholds
from ..selectors.vectors import months_back, vector_trend
from ..services import vectors as services
from ..vectors.indicators import PASSING, SPECS, Level, Species
from .vector_chart import trend_chart

PER_PAGE = 50
TREND_MONTHS = 12


def _visible(user):
    return VectorSurvey.objects.visible_to(user)


def _may_see_any(user) -> bool:
    return may_record_vectors(user) or user.role in ("leader", "district_lead")


@campaign_staff_required
@require_GET
def vector_survey_list(request):
    if not _may_see_any(request.user):
        raise Http404
    surveys = _visible(request.user).select_related("district", "place_type").prefetch_related("counts")
    filterset = VectorSurveyFilterSet(request.GET or None, queryset=surveys, request=request)
    bootstrap(filterset.form)
    rows = filterset.qs if filterset.is_bound and filterset.is_valid() else surveys
    page = Paginator(rows.order_by("-surveyed_on", "-id"), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "assessment/vectors/survey_list.html", {
        "filterset": filterset, "page": page, "may_record": may_record_vectors(request.user),
        "species_choices": Species.choices})


def _form_initial(survey: VectorSurvey) -> dict:
    initial = {"district": survey.district_id, "place_type": survey.place_type_id,
               "surveyed_on": survey.surveyed_on, "surveyed_by": survey.surveyed_by, "note": survey.note,
               "sample_points": list(survey.sample_points.values_list("pk", flat=True))}
    for count in survey.counts.all():
        initial[f"{count.indicator}_checked"] = count.checked
        initial[f"{count.indicator}_positive"] = count.positive
    return initial


@campaign_staff_required
@require_http_methods(["GET", "POST"])
def vector_survey_record(request, pk: int | None = None):
    user = request.user
    if not may_record_vectors(user):
        raise Http404
    survey = get_object_or_404(_visible(user), pk=pk) if pk else None
    species = survey.species if survey else species_or_default(request.GET.get("species") or
                                                             request.POST.get("species"))
    form = VectorSurveyForm(request.POST or None, user=user, species=species, editing=survey is not None,
                            initial=_form_initial(survey) if survey else {"surveyed_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fields = dict(species=species, district=data["district"], place_type=data["place_type"],
                      surveyed_on=data["surveyed_on"], counts=form.counts(), sample_points=data["sample_points"],
                      surveyed_by=data["surveyed_by"], note=data["note"])
        try:
            if survey is None:
                survey = services.vector_survey_record(by=user, **fields)
                messages.success(request, _("Survey recorded: control level %(level)s.")
                                 % {"level": survey.get_level_display()})
            else:
                survey = services.vector_survey_edit(survey=survey, by=user, reason=data["reason"], **fields)
                messages.success(request, _("Survey corrected."))
            return redirect("assessment:vector_survey_detail", survey.pk)
        except services.VectorInvalid as refused:
            form.add_service_errors(refused.errors)
        except services.VectorForbidden as refused:
            form.add_error(None, str(refused))
    return render(request, "assessment/vectors/survey_form.html", {
        "form": form, "survey": survey, "species": species, "species_label": Species(species).label,
        "species_choices": Species.choices})


@campaign_staff_required
@require_GET
def vector_survey_detail(request, pk: int):
    survey = get_object_or_404(_visible(request.user).select_related("district", "place_type", "recorded_by"), pk=pk)
    limits = services.limits_by_indicator()
    counts = [{"count": c, "spec": SPECS[c.indicator], "limits": limits.get(c.indicator, {})}
              for c in survey.counts.all()]
    problems = Problem.objects.visible_to(request.user).filter(source_ref=survey.source_ref).order_by("code")
    return render(request, "assessment/vectors/survey_detail.html", {
        "survey": survey, "counts": counts, "events": survey.events.select_related("by"),
        "problems": problems, "may_edit": may_record_vectors(request.user),
        "may_raise": may_set_thresholds(request.user) and not survey.passed,
        "points": survey.sample_points.order_by("code")})


@campaign_staff_required
@require_POST
def vector_survey_raise(request, pk: int):
    survey = get_object_or_404(_visible(request.user), pk=pk)
    if not may_set_thresholds(request.user):
        raise Http404
    try:
        new = services.vector_survey_raise_problems(survey=survey, by=request.user)
    except (services.VectorInvalid, services.VectorForbidden, LedgerError) as refused:
        messages.error(request, str(refused))
    else:
        if new:
            messages.success(request, _("%(n)s problem(s) raised or found again: %(codes)s.")
                             % {"n": len(new), "codes": ", ".join(p.code for p in new)})
        else:
            messages.info(request, _("The problems of this survey were raised already; none added."))
    return redirect("assessment:vector_survey_detail", survey.pk)


@campaign_staff_required
@require_GET
def vector_trends(request):
    if not _may_see_any(request.user):
        raise Http404
    species = species_or_default(request.GET.get("species"))
    end, end_error = _trend_end(request.GET.get("end"))
    months = months_back(end, TREND_MONTHS)
    trend = vector_trend(user=request.user, species=species, months=months)
    limits = services.limits_by_indicator()
    specs = {spec.code: spec for spec in trend["specs"]}
    main = specs.get(request.GET.get("indicator")) or trend["specs"][0]
    for row in trend["rows"]:
        for cell in row["cells"]:
            cell["main_value"] = cell["values"].get(main.code)
    return render(request, "assessment/vectors/trends.html", {
        "trend": trend, "species": species, "species_choices": Species.choices, "end": end,
        "main": main, "chart": trend_chart(trend, main.code, limits.get(main.code, {})),
        "levels": [Level.A, Level.B, Level.C, Level.FAIL], "passing": PASSING,
        "end_error": end_error}, status=400 if end_error else 200)


TREND_EARLIEST = date(2000, 1, 1)


def _trend_end(text: str | None) -> tuple[date, str | None]:
    """The trend's last month from ``end`` (today when not given); a date not in the ISO form, or
    before 2000 or more than a year ahead, is refused (today's trend, and a message naming ``end``)."""
    today = timezone.localdate()
    if not text:
        return today, None
    latest = today.replace(year=today.year + 1, day=min(today.day, 28))
    try:
        end = date.fromisoformat(text)
    except ValueError:
        return today, _("end: give the date as YYYY-MM-DD.")
    if not TREND_EARLIEST <= end <= latest:
        return today, _("end: give a date from %(earliest)s to %(latest)s.") % {
            "earliest": TREND_EARLIEST.isoformat(), "latest": latest.isoformat()}
    return end, None


@campaign_staff_required
@require_http_methods(["GET", "POST"])
def vector_thresholds(request, pk: int | None = None):
    if not _may_see_any(request.user):
        raise Http404
    thresholds = VectorThreshold.objects.order_by("species", "indicator", "level")
    editing = get_object_or_404(VectorThreshold, pk=pk) if pk else None
    if editing is not None and not may_set_thresholds(request.user):
        raise Http404
    form = None
    if editing is not None:
        form = ThresholdForm(request.POST or None, initial={"max_value": editing.max_value, "source": editing.source})
        if request.method == "POST" and form.is_valid():
            try:
                services.vector_threshold_set(threshold=editing, by=request.user, **form.cleaned_data)
            except services.VectorInvalid as refused:
                for field, message in refused.errors.items():
                    form.add_error(field if field in form.fields else None, message)
            except services.VectorForbidden as refused:
                form.add_error(None, str(refused))
            else:
                messages.success(request, _("Threshold set; every survey's level was recomputed."))
                return redirect("assessment:vector_thresholds")
    rows = [{"threshold": t, "spec": SPECS[t.indicator]} for t in thresholds]
    return render(request, "assessment/vectors/thresholds.html", {
        "rows": rows, "editing": editing, "form": form, "may_set": may_set_thresholds(request.user),
        "unsourced": services.UNSOURCED})
