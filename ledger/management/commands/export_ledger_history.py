"""manage.py export_ledger_history [OUT] [--user USERNAME]: the ledger's history as CSV, one row
per event (ledger/transfer/export.py write_history), beside the template export."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from campaign.models import User
from ledger.models import Problem
from ledger.transfer.export import write_history


class Command(BaseCommand):
    help = ("Write every problem's history (one row per event: when, what, unit and deadline given, sheet, "
            "team, rebound) as CSV to OUT, or to standard output.")

    def add_arguments(self, parser):
        parser.add_argument("out", nargs="?", type=Path, help="The CSV file to write (default: standard output).")
        parser.add_argument("--user", help="Export what this person may see (default: the whole ledger).")

    def handle(self, *args, out: Path | None, user: str | None, **options):
        problems = Problem.objects.all()
        if user:
            person = User.objects.filter(username=user).first()
            if person is None:
                raise CommandError(f"No user {user}.")
            problems = Problem.objects.visible_to(person)
        if out is None:
            written = write_history(problems, self.stdout, bom=False)  # a pipe, not a file for Excel
        else:
            with out.open("w", encoding="utf-8", newline="") as handle:
                written = write_history(problems, handle)
            self.stderr.write(f"{written} events written to {out}.")
