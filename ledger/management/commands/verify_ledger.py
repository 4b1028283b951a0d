from django.core.management.base import BaseCommand, CommandError

from ledger.integrity import ledger_findings
from ledger.models import Problem, ProblemEvent


class Command(BaseCommand):
    help = "Check the whole ledger history: sequences, hash chains and current states."

    def handle(self, *args, **options):
        findings = 0
        for finding in ledger_findings():
            findings += 1
            self.stderr.write(f"{finding.problem_code}: {finding.message}")
        problems, events = Problem.objects.count(), ProblemEvent.objects.count()
        if findings:
            raise CommandError(f"{findings} findings in {problems} problems and {events} events.")
        self.stdout.write(f"The ledger is intact: {problems} problems, {events} events.")
