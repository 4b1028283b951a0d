"""manage.py import_lives DIR: the San Francisco restaurant inspections (LIVES format) as
sample points, submitted inspections, failed items and open ledger problems.

Every rule (scores, kinds, which violations become problems, repeats, unmatched rows) is in
inspections/lives.py. Idempotent: running it again adds nothing; all or nothing.
"""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Q
from django.utils import translation

from campaign.choices import Role
from campaign.models import District, User
from inspections.lives import LivesFileError, lives_import


class Command(BaseCommand):
    help = ("Import San Francisco restaurant inspections (LIVES: businesses.csv, inspections_plus.csv, "
            "violations_plus.csv) as sample points, inspections, failed items and ledger problems.")

    def add_arguments(self, parser):
        parser.add_argument("directory", help="The folder holding the three LIVES CSV files.")
        parser.add_argument("--district", default="San Francisco",
                            help="District of the sample points (code or name; default San Francisco).")
        parser.add_argument("--create-district", action="store_true",
                            help="Create the district when it does not exist.")
        parser.add_argument("--category", default="RESTAURANT",
                            help="Category code of the sample points (created when missing; default RESTAURANT).")
        parser.add_argument("--limit", type=int, help="Only the first N businesses and their inspections.")
        parser.add_argument("--user", help="Username recorded as the importer (default: the first HQ account).")

    def handle(self, *args, directory, district, create_district=False, category="RESTAURANT", limit=None,
               user=None, **options):
        if limit is not None and limit < 1:
            raise CommandError("--limit must be 1 or more.")
        # All or nothing, the district it creates included.
        with translation.override("en"), transaction.atomic():
            by = self._acting_user(user)
            place = District.objects.filter(Q(code=district) | Q(name=district) | Q(name_en=district)).first()
            if place is None:
                if not create_district:
                    raise CommandError(f"No district {district!r}: give --create-district to create it.")
                code = "".join(ch for ch in district.upper() if ch.isalnum())[:20] or "LIVES"
                place = District.objects.create(code=code, name=district, name_en=district)
                self.stdout.write(f"District {district} created (code {code}).")
            started = time.perf_counter()
            try:
                report = lives_import(directory=Path(directory), district=place, by=by, category_code=category,
                                      limit=limit)
            except LivesFileError as exc:
                raise CommandError(str(exc)) from exc
            seconds = time.perf_counter() - started
            self._print(report, seconds)

    def _print(self, r, seconds: float) -> None:
        w = self.stdout.write
        rows = r.inspection_rows + r.violation_rows + r.businesses_in_file
        w(self.style.SUCCESS(f"LIVES import done in {seconds:.1f} s ({rows / max(seconds, 1e-6):,.0f} rows/s)."))
        w(f"  businesses.csv: {r.businesses_in_file} rows; {r.businesses_selected} taken"
          f" → {r.points_created} sample points created, {r.points_present} already present")
        w(f"  inspections_plus.csv: {r.inspection_rows} rows; {r.inspection_rows_selected} of the businesses taken"
          f" → {r.inspections_created} inspections created, {r.inspections_present} already present, "
          f"{r.inspection_repeats} exact repeats, {r.inspections_unmatched} unmatched (unknown business or date)")
        kinds = ", ".join(f"{n} {kind}" for kind, n in sorted(r.by_kind.items()))
        if kinds:
            w(f"    kinds: {kinds}")
        w(f"  violations_plus.csv: {r.violation_rows} rows; {r.violation_rows_selected} of the businesses taken"
          f" → {r.failed_items_created} failed items created, {r.failed_items_present} already present, "
          f"{r.violation_repeats} repeats within an inspection, {r.violations_unmatched} unmatched "
          f"(no inspection of that business that day)")
        if r.unmatched_examples:
            w(f"    unmatched, e.g. (business date type): {'; '.join(r.unmatched_examples)}")
        revised = "new version" if r.checklist_revised else "unchanged"
        w(f"  checklist: {r.checklist_types} violation types, version {r.checklist_version} ({revised})")
        w(f"  ledger: {r.problems_created} open problems from the businesses' latest inspections"
          f"{f', {r.problems_found_again} found again' if r.problems_found_again else ''}")

    def _acting_user(self, username: str | None) -> User:
        users = User.objects.filter(is_active=True)
        if username:
            user = users.filter(username=username).first()
            if user is None:
                raise CommandError(f"No active user {username!r}.")
            if not (user.is_superuser or user.role == Role.HQ_STAFF):
                raise CommandError(f"{username!r} is not HQ staff: only HQ staff import inspections.")
            return user
        user = users.filter(Q(is_superuser=True) | Q(role=Role.HQ_STAFF)).order_by("-is_superuser", "pk").first()
        if user is None:
            raise CommandError("No HQ staff account: create one or give --user.")
        return user
