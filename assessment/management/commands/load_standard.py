"""manage.py load_standard [PATH] [--use]: load an edition of the national standard from its
data file (default assessment/data/standard_2021.yaml), all or nothing.

Idempotent: run again on the same file it changes nothing; on a changed file it updates titles
and adds what is new, never deleting (what the file leaves out is made inactive). A new edition
is loaded beside the old one; ``--use`` switches the campaign to it.
"""

from django.core.management.base import BaseCommand, CommandError

from assessment.services import standard as standard_service


class Command(BaseCommand):
    help = "Load an edition of the national standard from its data file (YAML or JSON); --use puts it in use."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default=None,
                            help="The data file (default: assessment/data/standard_2021.yaml).")
        parser.add_argument("--use", action="store_true", help="Switch the campaign to this edition.")

    def handle(self, *args, **options):
        try:
            report = standard_service.standard_load(path=options["path"], use=options["use"])
        except standard_service.StandardDataError as error:
            raise CommandError("The data file is refused, nothing was written:\n  " + "\n  ".join(error.problems)) from None
        for warning in report.warnings:
            self.stderr.write(self.style.WARNING(f"warning: {warning}"))
        edition = report.edition
        state = "in use" if edition.in_use else "not in use"
        if report.changed:
            self.stdout.write(self.style.SUCCESS(
                f"Edition {edition.code} ({state}): {report.created} created, {report.updated} updated, "
                f"{report.deactivated} made inactive."))
        else:
            self.stdout.write(f"Edition {edition.code} ({state}): nothing to change.")
