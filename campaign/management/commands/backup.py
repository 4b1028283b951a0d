from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from campaign.backup import BackupError, backup_create


class Command(BaseCommand):
    help = ("Back up the database (one consistent snapshot), every uploaded file (through the configured "
            "storage) and the ledger's fingerprints into one archive with a manifest of checksums.")

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", help="the archive to write (default: healthcity-<time>.tar here)")

    def handle(self, *args, path=None, **options):
        path = Path(path or f"healthcity-{timezone.localtime():%Y%m%d-%H%M%S}.tar")
        try:
            manifest = backup_create(path=path)
        except BackupError as error:
            raise CommandError(str(error)) from error
        files = sum(1 for member in manifest["files"] if member.startswith("media/"))
        self.stdout.write(f"Backed up the database and {files} files to {path} at {manifest['created_at']}.")
