"""manage.py import_ledger FILE [--dry-run] [--user USERNAME]: import a ledger in the template."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from campaign.models import User
from ledger.transfer import services as transfer


class Command(BaseCommand):
    help = "Import problems from an Excel ledger in the template (all or nothing; --dry-run only checks)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="Check the file and report; write nothing.")
        parser.add_argument("--user", help="The HQ person the import is recorded under (default: the first superuser).")

    def handle(self, *args, file: Path, dry_run: bool, user: str | None, **options):
        person = self._person(user)
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc}") from exc
        record, plan = transfer.ledger_import_preview(user=person, file_name=file.name, data=data, run_now=True)
        for warning in plan.warnings:
            self.stdout.write(self._line("warning", warning))
        for error in plan.errors:
            self.stderr.write(self._line("error", error))
        summary = plan.summary()
        self.stdout.write(f"{summary['total_rows']} rows read: {summary['to_create']} problems to create, "
                          f"{summary['already_present']} already in the ledger "
                          f"({summary['unchanged']} unchanged, {summary['to_update']} edited).")
        if plan.errors:
            raise CommandError(f"{len(plan.errors)} errors: nothing was written.")
        if dry_run:
            self.stdout.write("Dry run: nothing was written.")
            return
        record = transfer.ledger_import_confirm(user=person, record=record, run_now=True)
        if record.status != "done":
            raise CommandError(record.failure or f"The import ended as {record.status}.")
        self.stdout.write(self.style.SUCCESS(f"{record.created_count} problems imported."))

    @staticmethod
    def _person(username):
        if username:
            person = User.objects.filter(username=username).first()
            if person is None:
                raise CommandError(f"No user {username}.")
        else:
            person = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
            if person is None:
                raise CommandError("Give --user: there is no superuser to record the import under.")
        if not transfer.may_import(person):
            raise CommandError(f"{person.username} is not HQ staff: only HQ staff import a ledger.")
        return person

    @staticmethod
    def _line(kind, item) -> str:
        where = f"row {item['row']}" if item["row"] else "file"
        column = f", {item['column']}" if item["column"] else ""
        value = f" ({item['value']})" if item["value"] else ""
        return f"{kind}: {where}{column}{value}: {item['message']}"
