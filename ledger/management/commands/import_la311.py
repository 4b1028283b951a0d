"""manage.py import_la311 [FILE] [--user USERNAME] [--limit N]: turn Los Angeles 311 service
requests into a ledger through the ledger's services (mapping: ledger/transfer/la311.py)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from campaign.choices import Role
from campaign.models import User
from ledger.transfer import la311


class Command(BaseCommand):
    help = ("Import Los Angeles 311 service requests (default: the 2017 subset in shared/realdata) as "
            "problems with their whole history; requests already imported are skipped.")

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", type=Path, default=la311.DEFAULT_FILE)
        parser.add_argument("--user", help="The HQ person the import is recorded under (default: the first "
                                           "superuser, else the first HQ staff member).")
        parser.add_argument("--limit", type=int, help="Import only the first N requests (in the order made).")
        parser.add_argument("--every", type=int, default=1,
                            help="Import every N-th request in the order made (a sample over the whole file).")

    def handle(self, *args, file: Path, user: str | None, limit: int | None, every: int, **options):
        if not file.exists():
            raise CommandError(f"Cannot read {file}: no such file.")
        if every < 1:
            raise CommandError("--every must be 1 or more.")
        person = self._person(user)

        def progress(done, total):
            self.stdout.write(f"  {done}/{total} requests")

        result = la311.import_la311(by=person, path=file, limit=limit, every=every, progress=progress)
        for line in result.skipped:
            self.stdout.write(f"skipped {line}")
        states = ", ".join(f"{n} {status}" for status, n in sorted(result.by_status.items()))
        self.stdout.write(self.style.SUCCESS(
            f"{result.rows} requests read: {result.created} problems created ({states or 'none'}; "
            f"{result.rebounds} rebounds), {result.already_present} already in the ledger, "
            f"{len(result.skipped)} skipped."))

    @staticmethod
    def _person(username: str | None) -> User:
        if username:
            person = User.objects.filter(username=username).first()
            if person is None:
                raise CommandError(f"No user {username}.")
        else:
            person = (User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
                      or User.objects.filter(role=Role.HQ_STAFF, is_active=True).order_by("pk").first())
            if person is None:
                raise CommandError("Give --user: there is no superuser or HQ staff member to record the import under.")
        if not person.can_manage_structure:
            raise CommandError(f"{person.username} is not HQ staff: only HQ staff import a ledger.")
        return person
