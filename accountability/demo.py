"""The demo city's escalation ladder, a step of ``manage.py seed_demo`` (registered in apps.py)."""

from datetime import timedelta

from django.utils import timezone

from campaign.demo_steps import DemoReport

from .services import SweepResult, accountability_defaults_seed, escalation_sweep

HISTORY_DAYS = 28


def demo_escalation_step() -> DemoReport:
    """The default ladder (HQ changes it in the admin), then the sweeps of the last four weeks,
    day by day, so the demo shows notices, the interview list and proposals (beat sweeps nightly)."""
    rules = accountability_defaults_seed()
    today = timezone.localdate()
    result = SweepResult()
    for days_ago in range(HISTORY_DAYS, -1, -1):
        day = escalation_sweep(today=today - timedelta(days=days_ago))
        result.notices += day.notices
        result.interviews += day.interviews
        result.proposals += day.proposals
    ladder = ", ".join(f"{rule.step} {rule.threshold}" for rule in rules)
    # The headline is formatted with the step's seconds: no other braces in it.
    return DemoReport(f"Escalation ladder ({ladder}) swept in {{seconds:.1f}} s: {result.summary()}.",
                      wrote=bool(result.notices))
