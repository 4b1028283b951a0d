"""`manage.py seed_demo [--if-empty] [--password …] [--without-ledger]`: build the demo city
(campaign/demo.py), then twelve weeks of demo ledger on it (ledger/demo.py), then the demo
checklists, a few weeks of inspections and this week's round (inspections/demo.py)."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from accountability.services import escalation_rules_seed_defaults, escalation_sweep
from campaign.demo import (
    CITY,
    CITY_EN,
    DEFAULT_PASSWORD,
    DEMO_USERS,
    PASSWORD_ENV,
    DemoConflict,
    demo_city_build,
    demo_password,
)
from campaign.models import Campaign, User
from inspections.demo import DemoInspections, demo_checklists_build, demo_inspections_build
from ledger.demo import DemoLedger, demo_ledger_build


class Command(BaseCommand):
    help = (
        "Build the demo city (districts, units, teams, categories, 172 sample points, core "
        "indicators and six demo logins), then a demo ledger with twelve weeks of history. Safe to "
        "run again: it updates the same city rows and adds no problems to a ledger that has some."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when the database already holds a campaign (used by `make run`).",
        )
        parser.add_argument(
            "--password",
            help=f"Password for the demo logins (default: ${PASSWORD_ENV}, else '{DEFAULT_PASSWORD}').",
        )
        parser.add_argument(
            "--without-ledger",
            action="store_true",
            help="Build the city only, without the demo ledger (faster; used by the city's tests).",
        )

    def handle(self, *args, if_empty=False, password=None, without_ledger=False, **options):
        # Console output for the operator: English, whatever the site's default language.
        with translation.override("en"):
            if if_empty and Campaign.objects.exists():
                campaign = Campaign.objects.order_by("-is_current", "-started_on").first()
                self.stdout.write(f"The database already holds a campaign ({campaign.name}): nothing seeded.")
                # A demo city seeded before the ledger existed gets its demo ledger once.
                if not without_ledger and campaign.city == CITY:
                    self._seed_ledger()
                    self._seed_inspections()
                    self._seed_escalation()
                if User.objects.filter(username__in=[row[0] for row in DEMO_USERS]).exists():
                    self._print_logins("unchanged since they were seeded")
                return

            if password:
                source = "given with --password"
            else:
                password, origin = demo_password()
                source = f"from ${PASSWORD_ENV}" if origin == PASSWORD_ENV else f"'{DEFAULT_PASSWORD}' (the default)"

            started = time.perf_counter()
            try:
                demo = demo_city_build(password=password)
            except DemoConflict as exc:
                raise CommandError(f"{exc} seed_demo only writes the demo city into its own database.") from exc
            seconds = time.perf_counter() - started

            self.stdout.write(self.style.SUCCESS(f"Demo city {CITY} ({CITY_EN}) seeded in {seconds:.1f} s."))
            campaign = demo.campaign
            self.stdout.write(
                f"  campaign: {campaign.name} ({campaign.get_kind_display()}), "
                f"assessment on {campaign.assessment_date:%Y-%m-%d}"
            )
            counts = (
                ("districts", len(demo.districts)),
                ("units", len(demo.units)),
                ("grids", sum(len(g) for g in demo.grids.values())),
                ("roads", sum(len(r) for r in demo.roads.values())),
                ("special teams", len(demo.teams)),
                ("categories", len(demo.categories)),
                ("sample points", len(demo.sample_points)),
                ("core indicators", len(demo.indicators)),
            )
            self.stdout.write("  " + ", ".join(f"{n} {label}" for label, n in counts))
            if not without_ledger:
                # After the ledger: the demo ledger is written only into an empty ledger, and
                # the inspections' failed items go into it.
                self._seed_ledger()
                self._seed_inspections()
                self._seed_escalation()
            else:
                demo_checklists_build(by=User.objects.get(username="hq"))
            self._print_logins(source)

    def _seed_ledger(self) -> None:
        started = time.perf_counter()
        ledger: DemoLedger = demo_ledger_build()
        seconds = time.perf_counter() - started
        if ledger.created:
            self.stdout.write(self.style.SUCCESS(
                f"Demo ledger seeded in {seconds:.1f} s: {ledger.problems} problems over 12 weeks, "
                f"{ledger.photos} after-photos."
            ))
        else:
            self.stdout.write(f"The ledger already holds {ledger.problems} problems: no demo problems added.")
        states = ", ".join(f"{n} {status.replace('_', ' ')}" for status, n in ledger.by_status.items())
        self.stdout.write(f"  problems by state: {states}")

    def _seed_inspections(self) -> None:
        started = time.perf_counter()
        demo: DemoInspections = demo_inspections_build()
        seconds = time.perf_counter() - started
        if demo.round is None:
            self.stdout.write(f"Checklists revised: {demo.checklists_revised}; the database already holds "
                              f"{demo.inspections} inspections: no demo inspections added.")
            return
        problems = ", ".join(f"{n} {outcome.replace('_', ' ')}" for outcome, n in sorted(demo.problems.items()))
        self.stdout.write(self.style.SUCCESS(
            f"Demo inspections seeded in {seconds:.1f} s: {demo.checklists_revised} checklists, "
            f"{demo.inspections} inspections submitted (problems: {problems or 'none'}), "
            f"round {demo.round.name} with {demo.round.points.count()} points drawn."
        ))

    def _seed_escalation(self) -> None:
        # The default ladder (HQ changes it in the admin), then today's sweep, so the demo shows
        # supervision notices, the interview list and proposals at once (beat runs it nightly).
        escalation_rules_seed_defaults()
        result = escalation_sweep()
        self.stdout.write(f"Escalation ladder: 3 / 7 days overdue, 3 notices in 90 days; today's sweep: "
                          f"{result.summary()}.")

    def _print_logins(self, source: str) -> None:
        self.stdout.write(f"Demo logins (password {source}):")
        users = {u.username: u for u in User.objects.filter(username__in=[row[0] for row in DEMO_USERS])}
        rows = [
            (username, str(user.get_role_display()), user.scope_label, f"{user.full_name}, {user.post}")
            for username, *_ in DEMO_USERS
            if (user := users.get(username)) is not None
        ]
        widths = [max(len(row[i]) for row in rows) for i in range(3)]
        for *columns, person in rows:
            padded = "  ".join(text.ljust(width) for text, width in zip(columns, widths, strict=True))
            self.stdout.write(f"  {padded}  {person}")
