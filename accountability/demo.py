"""The demo city's escalation ladder, a step of ``manage.py seed_demo`` (registered in apps.py)."""

from campaign.demo_steps import DemoReport

from .services import accountability_defaults_seed, escalation_sweep


def demo_escalation_step() -> DemoReport:
    """The default ladder (HQ changes it in the admin), then today's sweep, so the demo shows
    supervision notices, the interview list and proposals at once (beat runs it nightly)."""
    rules = accountability_defaults_seed()
    result = escalation_sweep()
    ladder = ", ".join(f"{rule.step} {rule.threshold}" for rule in rules)
    # The headline is formatted with the step's seconds: no other braces in it.
    return DemoReport(f"Escalation ladder ({ladder}) swept in {{seconds:.1f}} s: {result.summary()}.",
                      wrote=bool(result.notices))
