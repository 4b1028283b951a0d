"""`manage.py seed_demo [--if-empty] [--password …] [--without-ledger]`: build the demo city
(campaign/demo.py), then every step the apps above register (campaign/demo_steps.py): twelve
weeks of demo ledger on it (ledger/demo.py), then the demo checklists, a few weeks of inspections
and this week's round (inspections/demo.py), and so on."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

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
from campaign.demo_steps import DemoReport, demo_steps
from campaign.models import Campaign, User


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
                    self._seed_steps()
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
            self._seed_steps(city_only=without_ledger)
            self._print_logins(source)

    def _seed_steps(self, *, city_only: bool = False) -> None:
        # In order: the demo ledger is written only into an empty ledger, and the inspections'
        # failed items go into it.
        for step in demo_steps():
            build = step.build_city_only if city_only else step.build
            if build is None:
                continue
            started = time.perf_counter()
            report: DemoReport | None = build()
            if report is None:
                continue
            seconds = time.perf_counter() - started
            headline = report.headline.format(seconds=seconds)
            self.stdout.write(self.style.SUCCESS(headline) if report.wrote else headline)
            for line in report.details:
                self.stdout.write(f"  {line}")

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
