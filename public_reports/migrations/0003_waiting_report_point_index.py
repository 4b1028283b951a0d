"""The index the duplicate search over waiting reports bounds itself with (ledger.nearby applied
to public reports, public_reports/selectors.py).

PostgreSQL: a GiST index on ``point(longitude, latitude)`` of the reports waiting for
moderation, the exact expression ``ledger.nearby.InBoxes`` emits, with the same condition as
``PublicReport.objects.waiting()``. SQLite: the model's (public_category, latitude, longitude)
B-tree already answers the category and the box's latitude range.
"""

from django.db import migrations

FORWARD = {
    "postgresql": [
        "CREATE INDEX IF NOT EXISTS publicreport_waiting_point ON public_reports_publicreport "
        "USING gist ((point((longitude)::float8, (latitude)::float8))) WHERE status = 'received'",
    ],
}
BACKWARD = {"postgresql": ["DROP INDEX IF EXISTS publicreport_waiting_point"]}


def _run(statements):
    def run(apps, schema_editor):
        for statement in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):

    dependencies = [
        ("public_reports", "0002_append_only_history"),
    ]

    operations = [
        migrations.RunPython(_run(FORWARD), _run(BACKWARD), elidable=False),
    ]
