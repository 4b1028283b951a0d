"""HQ's reward pages: the reward ledger (by month and status, with totals), approving,
declining and paying, "check now" for the rewards owed, the rules and the monthly cap, and the
month's payment list in Excel for the finance office.

HQ staff act; leaders read (with numbers masked); every other role gets 403. A reward outside
what the reader may see is a 404. Every write is one call to public_reports/services.py."""

import io

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from campaign import spreadsheets
from campaign.choices import AuditAction, Role
from campaign.exporting import CONTENT_TYPES, HEADER_FILL, cell, display_width
from campaign.middleware import body_control_characters_refused
from campaign.public_guard import mobile_shown
from campaign.services.audit import audit_record
from campaign.views.structure import campaign_staff_required

from .. import services
from ..models import PublicCategory, RewardEvent, RewardPolicy, RewardRule
from ..reward_forms import (
    DeclineForm,
    PayForm,
    RewardFilterForm,
    RewardPolicyForm,
    RewardRuleForm,
    parse_month,
)
from ..selectors import payment_list, reward_list, reward_months, reward_totals, rewards_visible_to

PER_PAGE = 50


def _reader(user) -> bool:
    return user.is_superuser or user.role in (Role.HQ_STAFF, Role.LEADER)


def _readers_only(request) -> None:
    if not _reader(request.user):
        raise PermissionDenied


def _hq_only(request) -> None:
    if not services.reward_hq(request.user):
        raise PermissionDenied


def _back(request):
    """Back to the list the form was posted from (its filters kept), else the ledger."""
    target = request.POST.get("next", "")
    if target.startswith(reverse("public_reports:rewards")) and "//" not in target:
        return redirect(target)
    return redirect("public_reports:rewards")


@campaign_staff_required
@require_GET
def reward_ledger(request):
    _readers_only(request)
    form = RewardFilterForm(request.GET or None)
    month, status = None, ""
    if form.is_bound and form.is_valid():
        month, status = form.cleaned_data["month"], form.cleaned_data["status"]
    rows = reward_list(request.user, month=month, status=status)
    if form.is_bound and not form.is_valid():
        rows = rows.none()
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    full = services.reward_hq(request.user)
    for reward in page.object_list:
        reward.mobile_shown = mobile_shown(reward.report.reporter_mobile, full=full)
    return render(request, "public_reports/rewards/ledger.html", {
        "form": form, "page": page, "totals": reward_totals(rows), "month": month,
        "months": reward_months(request.user)[:24], "may_act": full,
        "next": request.get_full_path(), "decline_form": DeclineForm(), "pay_form": PayForm(),
    })


def _act(request, pk: int, action) -> None:
    _hq_only(request)
    reward = get_object_or_404(rewards_visible_to(request.user), pk=pk)
    try:
        done = action(reward)
        messages.success(request, done)
    except services.PublicReportError as error:
        messages.error(request, str(error))


@campaign_staff_required
@require_POST
def reward_approve(request, pk: int):
    _act(request, pk, lambda reward: _("Reward for %(code)s approved.") % {
        "code": services.reward_approve(reward=reward, by=request.user).report.code})
    return _back(request)


@campaign_staff_required
@require_POST
@body_control_characters_refused
def reward_decline(request, pk: int):
    form = DeclineForm(request.POST)
    if not form.is_valid():
        _hq_only(request)
        messages.error(request, _("Write why the reward is declined."))
        return _back(request)
    _act(request, pk, lambda reward: _("Reward for %(code)s declined.") % {
        "code": services.reward_decline(reward=reward, by=request.user, note=form.cleaned_data["note"]).report.code})
    return _back(request)


@campaign_staff_required
@require_POST
@body_control_characters_refused
def reward_pay(request, pk: int):
    form = PayForm(request.POST)
    if not form.is_valid():
        _hq_only(request)
        messages.error(request, _("Give the payment reference."))
        return _back(request)
    _act(request, pk, lambda reward: _("Payment of the reward for %(code)s recorded.") % {
        "code": services.reward_pay(reward=reward, by=request.user,
                                    payment_reference=form.cleaned_data["payment_reference"]).report.code})
    return _back(request)


@campaign_staff_required
@require_POST
def rewards_check(request):
    """Run the sweep now (beat runs it every ten minutes)."""
    _hq_only(request)
    created = services.rewards_check_now(by=request.user)
    messages.success(request, _("Checked: %(count)s new rewards owed.") % {"count": created})
    return _back(request)


# --- Rules and the monthly cap -------------------------------------------------------------------


@campaign_staff_required
@require_http_methods(["GET", "POST"])
@body_control_characters_refused
def reward_rules(request):
    """The rules (HQ staff change them, leaders read) and the policy, one form each."""
    _readers_only(request)
    policy = RewardPolicy.current()
    rule_form = RewardRuleForm()
    policy_form = RewardPolicyForm(initial={"monthly_cap": policy.monthly_cap, "active": policy.active})
    if request.method == "POST":
        _hq_only(request)
        try:
            if request.POST.get("form") == "policy":
                policy_form = RewardPolicyForm(request.POST)
                if policy_form.is_valid():
                    services.reward_policy_update(by=request.user, **policy_form.cleaned_data)
                    messages.success(request, _("Reward policy saved."))
                    return redirect("public_reports:reward_rules")
            else:
                rule_form = RewardRuleForm(request.POST)
                if rule_form.is_valid():
                    services.reward_rule_set(by=request.user, **rule_form.cleaned_data)
                    messages.success(request, _("Reward rule saved."))
                    return redirect("public_reports:reward_rules")
        except services.PublicReportError as error:
            messages.error(request, str(error))
    rules = RewardRule.objects.select_related("public_category").order_by("public_category__order", "severity")
    return render(request, "public_reports/rewards/rules.html", {
        "rules": rules, "policy": policy, "rule_form": rule_form, "policy_form": policy_form,
        "may_act": services.reward_hq(request.user),
        "categories": PublicCategory.objects.select_related("category").order_by("order", "code"),
        "history": RewardEvent.objects.filter(reward__isnull=True).select_related("actor").order_by("-at", "-pk")[:20],
    })


@campaign_staff_required
@require_POST
def reward_rule_delete(request, pk: int):
    _hq_only(request)
    rule = get_object_or_404(RewardRule, pk=pk)
    services.reward_rule_delete(by=request.user, rule=rule)
    messages.success(request, _("Reward rule removed."))
    return redirect("public_reports:reward_rules")


# --- The payment list for the finance office -----------------------------------------------------


def payment_columns():
    return (
        (_("Tracking code"), lambda r: r.report.code, 18),
        (_("Reporter"), lambda r: r.report.reporter_name, 12),
        (_("Mobile"), lambda r: r.report.reporter_mobile, 14),
        (_("Category"), lambda r: r.report.public_category.label if r.report.public_category_id else "", 22),
        (_("Problem"), lambda r: r.report.problem.code if r.report.problem_id else "", 14),
        (_("Closed at"), lambda r: r.report.problem.closed_at if r.report.problem_id else None, 19),
        (_("Amount (yuan)"), lambda r: r.amount, 12),
        (_("Status"), lambda r: r.get_status_display(), 10),
        (_("Payment reference"), lambda r: r.payment_reference, 22),
    )


def write_payment_list(rewards, out, *, month) -> int:
    """The month's approved and paid rewards through the safe writer, with a totals row."""
    columns = payment_columns()
    sheet = spreadsheets.XlsxStream(_("Rewards %(month)s") % {"month": month.strftime("%Y-%m")})
    headers = [str(title) for title, _value, _width in columns]
    for index, (title, _value, width) in enumerate(columns):
        sheet.set_width(index, max(width, display_width(title) + 2))
    sheet.freeze_rows(1)
    sheet.header(headers, bold=True, fill=HEADER_FILL)
    total, count = 0, 0
    for reward in rewards:
        sheet.append([cell(value(reward)) for _title, value, _width in columns])
        total += reward.amount
        count += 1
    sheet.append([_("Total"), _("%(count)s rewards") % {"count": count}, "", "", "", None, total, "", ""])
    sheet.save(out)
    return count


@campaign_staff_required
@require_GET
def payment_list_export(request):
    """The finance office's file: HQ staff only (it holds full numbers), audited as every export."""
    _hq_only(request)
    month = parse_month(request.GET.get("month", "")) or timezone.localdate().replace(day=1)
    rewards = payment_list(request.user, month=month)
    buffer = io.BytesIO()
    count = write_payment_list(rewards, buffer, month=month)
    buffer.seek(0)
    audit_record(action=AuditAction.EXPORT, request=request, target="reward-payments",
                 details={"filters": {"month": month.strftime("%Y-%m")}, "delivery": "direct", "format": "xlsx",
                          "rows": count})
    return FileResponse(buffer, as_attachment=True, filename=f"reward-payments-{month:%Y-%m}.xlsx",
                        content_type=CONTENT_TYPES["xlsx"])
