"""HQ's reward pages: the ledger with its filters and totals, approving, declining, paying,
"check now", the rules and cap, the finance office's Excel file, and the task home's groups."""

import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from campaign import tasks_home
from campaign.choices import AuditAction
from campaign.models import AuditEntry
from ledger.choices import Severity
from public_reports import services
from public_reports.choices import RewardStatus
from public_reports.models import Reward, RewardPolicy, RewardRule

from .factories import public_category
from .reward_factories import reward

pytestmark = pytest.mark.django_db

LEDGER = reverse("public_reports:rewards")
RULES = reverse("public_reports:reward_rules")
PAYMENTS = reverse("public_reports:reward_payments")
EN = {"accept-language": "en"}


def _month(made: Reward) -> str:
    return made.month.strftime("%Y-%m")


# --- Who may open what ---------------------------------------------------------------------------


@pytest.mark.parametrize("url", [LEDGER, RULES, PAYMENTS])
def test_anonymous_people_are_sent_to_sign_in(login, url):
    response = login(None).get(url)
    assert response.status_code == 302 and "login" in response["Location"]


@pytest.mark.parametrize("role", ["district_lead", "other_district_lead", "unit_handler", "inspector", "public"])
@pytest.mark.parametrize("url", [LEDGER, RULES, PAYMENTS])
def test_other_roles_are_refused(city, login, role, url):
    assert login(getattr(city, role)).get(url).status_code == 403


def test_a_leader_reads_the_ledger_with_numbers_masked_and_no_buttons(city, login):
    reward(city, mobile="13912345678")
    page = login(city.leader).get(LEDGER).content.decode()
    assert "139****5678" in page and "13912345678" not in page
    assert "reward_approve" not in page and reverse("public_reports:rewards_check") not in page
    assert login(city.leader).get(PAYMENTS).status_code == 403


@pytest.mark.parametrize("action", ["reward_approve", "reward_decline", "reward_pay"])
def test_a_leader_cannot_move_a_reward(city, login, action):
    made = reward(city)
    response = login(city.leader).post(reverse(f"public_reports:{action}", args=[made.pk]),
                                       {"note": "x", "payment_reference": "x"})
    assert response.status_code == 403
    made.refresh_from_db()
    assert made.status == RewardStatus.PENDING


# --- The ledger ----------------------------------------------------------------------------------


def test_hq_sees_full_numbers_totals_and_filters_by_status(city, login, django_assert_max_num_queries):
    reward(city, mobile="13912345678", severity=Severity.URGENT)
    for n in range(4):
        reward(city, status=RewardStatus.PAID, mobile=f"1370000000{n}")
    client = login(city.hq)
    with django_assert_max_num_queries(14):
        response = client.get(LEDGER)
    page = response.content.decode()
    assert "13912345678" in page
    totals = response.context["totals"]
    assert (totals["count"], totals["amount"], totals["paid_amount"]) == (5, Decimal(180), Decimal(80))
    pending = client.get(LEDGER, {"status": "pending"}).context["page"].object_list
    assert [r.report.reporter_mobile for r in pending] == ["13912345678"]


def test_the_month_filter_keeps_other_months_out_and_a_bad_month_lists_nothing(city, login):
    made = reward(city)
    client = login(city.hq)
    assert len(client.get(LEDGER, {"month": _month(made)}).context["page"].object_list) == 1
    assert len(client.get(LEDGER, {"month": "2001-01"}).context["page"].object_list) == 0
    response = client.get(LEDGER, {"month": "13/2026"})
    assert response.status_code == 200 and len(response.context["page"].object_list) == 0
    assert response.context["form"].errors["month"]


def test_hq_approves_then_records_the_payment(city, login):
    made = reward(city)
    client = login(city.hq)
    response = client.post(reverse("public_reports:reward_approve", args=[made.pk]), {"next": f"{LEDGER}?status=pending"})
    assert response.status_code == 302 and response["Location"] == f"{LEDGER}?status=pending"
    client.post(reverse("public_reports:reward_pay", args=[made.pk]), {"payment_reference": "CW-0042"})
    made.refresh_from_db()
    assert (made.status, made.payment_reference, made.paid_by) == (RewardStatus.PAID, "CW-0042", city.hq)


def test_paying_needs_a_reference_and_an_approved_reward(city, login):
    made = reward(city)
    client = login(city.hq)
    client.post(reverse("public_reports:reward_pay", args=[made.pk]), {"payment_reference": ""})
    response = client.post(reverse("public_reports:reward_pay", args=[made.pk]), {"payment_reference": "CW-1"},
                           follow=True, headers=EN)
    made.refresh_from_db()
    assert made.status == RewardStatus.PENDING
    assert "This reward is Pending" in response.content.decode()


def test_declining_needs_a_reason_which_is_kept(city, login):
    made = reward(city)
    client = login(city.hq)
    client.post(reverse("public_reports:reward_decline", args=[made.pk]), {"note": ""})
    made.refresh_from_db()
    assert made.status == RewardStatus.PENDING
    client.post(reverse("public_reports:reward_decline", args=[made.pk]), {"note": "举报人为责任单位工作人员"})
    made.refresh_from_db()
    assert (made.status, made.note) == (RewardStatus.DECLINED, "举报人为责任单位工作人员")


def test_a_redirect_elsewhere_is_not_followed(city, login):
    made = reward(city)
    response = login(city.hq).post(reverse("public_reports:reward_approve", args=[made.pk]),
                                   {"next": "https://example.com/"})
    assert response["Location"] == LEDGER


def test_an_unknown_reward_is_404(city, login):
    assert login(city.hq).post(reverse("public_reports:reward_approve", args=[999])).status_code == 404


def test_check_now_runs_the_sweep(city, login, monkeypatch):
    calls = []
    monkeypatch.setattr(services, "rewards_create_due", lambda: calls.append(1) or 3)
    response = login(city.hq).post(reverse("public_reports:rewards_check"), follow=True, headers=EN)
    assert calls == [1] and "3 new rewards owed" in response.content.decode()
    assert login(city.leader).post(reverse("public_reports:rewards_check")).status_code == 403


# --- Rules and cap -------------------------------------------------------------------------------


def test_hq_sets_a_rule_and_the_cap_on_the_rules_page(city, login):
    category = public_category(city)
    client = login(city.hq)
    client.post(RULES, {"form": "rule", "public_category": category.pk, "severity": "urgent", "amount": "150"})
    client.post(RULES, {"form": "policy", "monthly_cap": "300", "active": "on"})
    assert RewardRule.objects.get().amount == Decimal(150)
    assert RewardPolicy.current().monthly_cap == Decimal(300)
    response = client.get(RULES)
    page = response.content.decode()
    assert "150.00" in page
    assert [(r.public_category, r.severity) for r in response.context["rules"]] == [(category, "urgent")]
    # Who changed what, newest first.
    assert [(e.action, e.actor) for e in response.context["history"]] == [("policy", city.hq), ("rule_set", city.hq)]
    assert "¥500.00 → ¥300.00" in page


@pytest.mark.parametrize(("language", "label"), [("en", "Serious"), ("zh-hans", "严重")])
def test_the_rules_page_title_is_its_name_and_the_history_shows_the_severity_label(city, login, language, label):
    services.reward_rule_set(by=city.hq, public_category=None, severity=Severity.SERIOUS, amount=Decimal(80))
    page = login(city.hq).get(RULES, headers={"accept-language": language}).content.decode()
    title = page.split("<title>", 1)[1].split("</title>", 1)[0]
    assert "reward-rule-history" not in title and "<" not in title
    assert page.count('id="reward-rule-history"') == 1
    history = page.split('id="reward-rule-history"', 1)[1].split("</ul>", 1)[0]
    assert label in history and "serious" not in history


def test_the_ledger_totals_use_the_rewards_own_state_names(city, login):
    reward(city)
    page = login(city.hq).get(LEDGER, headers={"accept-language": "zh-hans"}).content.decode()
    assert "待审批" in page and "待发送" not in page


def test_a_wrong_amount_is_shown_on_the_form_and_nothing_changes(city, login):
    response = login(city.hq).post(RULES, {"form": "rule", "severity": "general", "amount": "-1"})
    assert response.status_code == 200 and response.context["rule_form"].errors
    assert not RewardRule.objects.exists()


def test_hq_removes_a_rule_and_a_leader_only_reads_them(city, login):
    rule = services.reward_rule_set(by=city.hq, public_category=None, severity="", amount=Decimal(20))
    assert login(city.leader).post(RULES, {"form": "policy", "monthly_cap": "1"}).status_code == 403
    assert login(city.leader).post(reverse("public_reports:reward_rule_delete", args=[rule.pk])).status_code == 403
    assert "20.00" in login(city.leader).get(RULES).content.decode()
    login(city.hq).post(reverse("public_reports:reward_rule_delete", args=[rule.pk]))
    assert not RewardRule.objects.exists()


# --- The finance office's file -------------------------------------------------------------------


def test_the_payment_list_holds_the_month_s_approved_and_paid_rewards_with_totals_and_is_audited(city, login):
    paid = reward(city, status=RewardStatus.PAID, mobile="13912345678", reporter_name="=HYPERLINK(1)",
                  reference="CW-202612-0001")
    approved = reward(city, status=RewardStatus.APPROVED, mobile="13700000000", severity=Severity.URGENT)
    reward(city, mobile="13600000000")  # pending: not for finance yet
    response = login(city.hq).get(PAYMENTS, {"month": _month(paid)}, headers=EN)
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert [c.data_type for row in sheet.iter_rows() for c in row].count("f") == 0
    assert rows[0] == ["Tracking code", "Reporter", "Mobile", "Category", "Problem", "Closed at",
                       "Amount (yuan)", "Status", "Payment reference"]
    body = sorted(rows[1:-1], key=lambda r: r[0])
    assert [r[0] for r in body] == sorted([paid.report.code, approved.report.code])
    first = next(r for r in body if r[0] == paid.report.code)
    assert first[1:3] == ["=HYPERLINK(1)", "13912345678"]
    assert first[4] == paid.report.problem.code and first[5] is not None
    assert first[6:] == [20, "Paid", "CW-202612-0001"]
    assert rows[-1][0] == "Total" and rows[-1][6] == 120
    entry = AuditEntry.objects.get(action=AuditAction.EXPORT, target="reward-payments")
    assert entry.actor == city.hq and entry.details["filters"] == {"month": _month(paid)}


# --- The task home -------------------------------------------------------------------------------


def test_the_task_home_counts_what_its_links_list(city, login):
    reward(city)
    reward(city, mobile="13700000000")
    reward(city, status=RewardStatus.APPROVED, mobile="13600000000")
    counts = tasks_home.counts(city.hq, fresh=True)
    assert (counts["rewards_to_approve"], counts["rewards_to_pay"]) == (2, 1)
    groups = {g.key: g for g in tasks_home.groups_for(city.hq)}
    client = login(city.hq)
    for key in ("rewards_to_approve", "rewards_to_pay"):
        listed = client.get(groups[key].url(city.hq)).context["page"].paginator.count
        assert listed == counts[key]
    assert "rewards_to_approve" not in tasks_home.counts(city.leader, fresh=True)
