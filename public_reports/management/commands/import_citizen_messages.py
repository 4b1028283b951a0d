"""manage.py import_citizen_messages [--path DIR]: the real citizen messages as historical public
reports (public_reports/importing.py), all or nothing; run again, it imports nothing twice.

Prints how many messages were read and imported, how many got a suggested category (by
category), and every error with its row and column; exits non-zero when a file has errors.
"""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from public_reports.defaults import public_categories_seed
from public_reports.importing import DEFAULT_DIR, MESSAGES_FILE, TREE_FILE, citizen_messages_import


class Command(BaseCommand):
    help = "Import the citizen messages (messages_with_replies.xlsx, category_tree.xlsx) as historical public reports."

    def add_arguments(self, parser):
        parser.add_argument("--path", default=str(DEFAULT_DIR),
                            help=f"The folder holding {MESSAGES_FILE} and {TREE_FILE} (default: {DEFAULT_DIR}).")

    def handle(self, *args, **options):
        directory = Path(options["path"])
        for name in (MESSAGES_FILE, TREE_FILE):
            if not (directory / name).is_file():
                raise CommandError(f"No such file: {directory / name}")
        # The suggestion needs the public list; seeding adds only what is missing.
        if not public_categories_seed():
            raise CommandError("The city has no ledger categories to map the public categories to: "
                               "set up the city first (manage.py seed_demo, or the structure pages). Nothing was imported.")
        started = time.monotonic()
        plan, created = citizen_messages_import(directory)
        for item in plan.warnings:
            self.stderr.write(f"Warning: {item['value']}: {item['message']}")
        if plan.errors:
            for item in plan.errors:
                where = f"row {item['row']}" if item.get("row") else "file"
                if item.get("column"):
                    where += f", column {item['column']}"
                value = f" [{item['value']}]" if item.get("value") else ""
                self.stderr.write(self.style.ERROR(f"Error: {where}{value}: {item['message']}"))
            raise CommandError(f"{len(plan.errors)} errors: nothing was written.")
        total = len(plan.messages)
        share = f"{100 * plan.with_category / total:.1f}%" if total else "-"
        self.stdout.write(f"{total} messages read, {plan.leaves} category-tree leaves; "
                          f"a category suggested for {plan.with_category} ({share}):")
        for code, count in plan.suggested.most_common():
            self.stdout.write(f"  {code}: {count}")
        self.stdout.write(self.style.SUCCESS(
            f"{created} imported, {total - created} already there ({time.monotonic() - started:.1f} s)."))
