"""manage.py fengxian_ledger OUT.xlsx: Fengxian's unannounced-visit problems as the ledger template."""

from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from ledger.transfer import fengxian


class Command(BaseCommand):
    help = ("Turn ../shared/realdata/fengxian_unannounced_visit/problem_summary.txt into the ledger "
            "template: one row per problem, source unannounced visit, status found.")

    def add_arguments(self, parser):
        parser.add_argument("out", type=Path)
        parser.add_argument("--district", default="奉贤区", help="The district's name or code (default 奉贤区).")
        parser.add_argument("--found-on", type=date.fromisoformat, default=None,
                            help="The visit's date, YYYY-MM-DD (default today).")
        parser.add_argument("--summary", type=Path, default=None, help="Another summary file in the same format.")

    def handle(self, *args, out: Path, district: str, found_on, summary, **options):
        source = summary or fengxian.summary_path()
        try:
            text = source.read_text(encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"Cannot read {source}: {exc}") from exc
        problems = list(fengxian.parse_summary(text))
        count = fengxian.write_template(problems, out, district=district,
                                        found_on=found_on or timezone.localdate())
        categories = sorted({p.category for p in problems})
        self.stdout.write(self.style.SUCCESS(f"{count} problems written to {out}."))
        self.stdout.write("Categories the city needs: " + "、".join(categories))
