"""The index duplicate detection (ledger/nearby.py) bounds its search with.

PostgreSQL: a GiST index on ``point(longitude, latitude)`` of the open problems, the exact
expression ``ledger.nearby.InBoxes`` emits (``point(lon::float8, lat::float8) <@ box(...)``),
with the same ``status IN (...)`` as ``Problem.objects.open()`` so the planner may use the
partial index. Built-in geometric types: no extension (cube and earthdistance would work too,
but earthdistance is not a trusted extension and needs a superuser to install).
SQLite: a plain B-tree on (latitude, longitude), which the box's range on the latitude uses.
Neither is in the model's Meta: each database gets only its own.
"""

from django.db import migrations

OPEN = "('found', 'assigned', 'rectifying', 'closing_applied')"

FORWARD = {
    "postgresql": [
        "CREATE INDEX IF NOT EXISTS problem_open_point ON ledger_problem "
        f"USING gist ((point((longitude)::float8, (latitude)::float8))) WHERE status IN {OPEN}",
    ],
    "sqlite": ["CREATE INDEX IF NOT EXISTS problem_lat_lon ON ledger_problem (latitude, longitude)"],
}
BACKWARD = {
    "postgresql": ["DROP INDEX IF EXISTS problem_open_point"],
    "sqlite": ["DROP INDEX IF EXISTS problem_lat_lon"],
}


def _run(statements):
    def run(apps, schema_editor):
        for statement in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):

    dependencies = [
        ("ledger", "0013_event_actions_edit_and_locate"),
    ]

    operations = [
        migrations.RunPython(_run(FORWARD), _run(BACKWARD), elidable=False),
    ]
