from django.core.management.base import BaseCommand

from ledger.fingerprints import fingerprint_take


class Command(BaseCommand):
    help = ("Take today's fingerprint of the ledger's chain heads (once a day; the beat does it at 00:15) "
            "into LEDGER_FINGERPRINT_DIR and print its digest.")

    def handle(self, *args, **options):
        fingerprint = fingerprint_take()
        self.stdout.write(f"{fingerprint.day} {fingerprint.file_name}: {fingerprint.problems} problems, "
                          f"digest {fingerprint.digest}")
