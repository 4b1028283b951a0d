from datetime import date

from django.core.management.base import BaseCommand, CommandError

from ledger.fingerprints import anchors_until
from ledger.integrity import ledger_check


class Command(BaseCommand):
    help = ("Check the whole ledger: keyed hash chains, every problem's fields rebuilt from its events, "
            "and the chains against every readable daily fingerprint (README, \"The ledger's integrity\").")

    def add_arguments(self, parser):
        parser.add_argument(
            "--until", type=date.fromisoformat, metavar="YYYY-MM-DD",
            help="check fingerprints up to this day only (after a restore: the backup's day)",
        )

    def handle(self, *args, until=None, **options):
        anchors = anchors_until(until)
        check = ledger_check(anchors=anchors.heads)
        findings = anchors.findings + check.findings
        for finding in findings:
            self.stderr.write(f"{finding.problem_code}: {finding.message}")
        if anchors.fingerprints:
            newest = anchors.fingerprints[-1]
            self.stdout.write(f"Checked against {len(anchors.fingerprints)} fingerprints, the newest of "
                              f"{newest.day} (digest {newest.digest}).")
        else:
            self.stdout.write("No fingerprint to check against.")
        if check.without_recorded_fields:
            self.stdout.write(f"{check.without_recorded_fields} problems were recorded before events carried "
                              "their fields: only the fields their later events set are compared.")
        if findings:
            raise CommandError(f"{len(findings)} findings in {check.problems} problems and {check.events} events: "
                               "the ledger is NOT intact.")
        self.stdout.write(f"The ledger is intact: {check.problems} problems, {check.events} events.")
