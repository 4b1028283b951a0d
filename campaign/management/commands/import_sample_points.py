"""manage.py import_sample_points FILE: import a sample-point list (.xlsx or .csv) all or nothing.

Runs in this process whatever the file's size (no worker needed), prints the summary and every
error with its row and column, and exits non-zero when the file has errors.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from campaign.choices import ImportStatus, Role
from campaign.models import User
from campaign.services import imports as import_service


class Command(BaseCommand):
    help = "Import sample points from an Excel (.xlsx) or CSV file: preview, then write all or nothing."

    def add_arguments(self, parser):
        parser.add_argument("file", help="The .xlsx or .csv file.")
        parser.add_argument("--district", help="District for rows without one (code or name), e.g. 奉贤区.")
        parser.add_argument("--category", help="Category for rows without one (code or name).")
        parser.add_argument("--unit", dest="responsible_unit", help="Responsible unit for rows without one.")
        parser.add_argument("--team", help="Special team for rows without one (code or name).")
        parser.add_argument("--create-categories", action="store_true",
                            help="Create the categories that do not exist yet (as key-place categories).")
        parser.add_argument("--dry-run", action="store_true", help="Only check the file and print the preview.")
        parser.add_argument("--user", help="Username recorded as the importer (default: the first HQ account).")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        user = self._acting_user(options.get("user"))
        defaults = {name: options[name] for name in ("district", "category", "responsible_unit", "team")
                    if options.get(name)}
        if options["create_categories"]:
            defaults["create_categories"] = True
        record, plan = import_service.sample_point_import_preview(
            user=user, file_name=path.name, data=path.read_bytes(), defaults=defaults, run_now=True
        )
        summary = plan.summary()
        self.stdout.write(f"{path.name}: {summary['total_rows']} points read ({summary['layout'] or 'unrecognised'})")
        for category in summary["categories"]:
            marker = " (new category)" if category["new"] else ""
            self.stdout.write(
                f"  {category['category']}{marker}: {category['to_create']} to create, "
                f"{category['already_present']} already present, {category['repeats']} repeated"
            )
        self._print_problems("Warning", plan.warnings)
        if plan.errors:
            self._print_problems("Error", plan.errors, style=self.style.ERROR)
            raise CommandError(f"{len(plan.errors)} errors: nothing was written.")
        if options["dry_run"]:
            self.stdout.write(self.style.SUCCESS(
                f"Dry run: {summary['to_create']} points would be created "
                f"({summary['already_present']} already present, {summary['repeats']} repeats)."
            ))
            return
        # This process is the background: run now, whatever the size, instead of queueing.
        record = import_service.sample_point_import_confirm(user=user, record=record, run_now=True)
        if record.status != ImportStatus.DONE:
            self._print_problems("Error", record.errors, style=self.style.ERROR)
            raise CommandError(record.failure or "The import failed: nothing was written.")
        self.stdout.write(self.style.SUCCESS(f"{record.created_count} sample points created (import #{record.pk})."))

    def _acting_user(self, username: str | None) -> User:
        if username:
            user = User.objects.filter(username=username, is_active=True).first()
            if user is None:
                raise CommandError(f"No active user {username!r}.")
            if not user.can_manage_structure:
                raise CommandError(f"{username!r} is not HQ staff: only HQ staff import sample points.")
            return user
        user = (
            User.objects.filter(is_active=True)
            .filter(Q(is_superuser=True) | Q(role=Role.HQ_STAFF))
            .order_by("-is_superuser", "pk")
            .first()
        )
        if user is None:
            raise CommandError(
                "No HQ staff account to record the import: create one (manage.py createsuperuser) "
                "or pass --user USERNAME. Nothing was imported."
            )
        return user

    def _print_problems(self, label, problems, style=None):
        for item in problems:
            where = f"row {item['row']}" if item.get("row") else "file"
            if item.get("column"):
                where += f", column {item['column']}"
            value = f" [{item['value']}]" if item.get("value") else ""
            line = f"{label}: {where}{value}: {item['message']}"
            self.stderr.write(style(line) if style else line)
