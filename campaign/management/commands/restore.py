from django.core.management.base import BaseCommand, CommandError

from campaign.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = ("Restore an archive made by `backup` into the configured database, which must be new and "
            "empty, and the configured storage. The archive's checksums are checked first.")

    def add_arguments(self, parser):
        parser.add_argument("path", help="the archive written by `manage.py backup`")

    def handle(self, *args, path, **options):
        try:
            result = backup_restore(path=path)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Restored the database and {result['files']} files ({result['fingerprints']} fingerprints) "
            f"as they were at {result['manifest']['created_at']}. Run `manage.py migrate` if this code is newer, "
            f"then `manage.py verify_ledger`."
        )
