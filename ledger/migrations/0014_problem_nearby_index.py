"""The index duplicate detection (ledger/nearby.py) bounds its search with.

PostgreSQL: a GiST index on ``point(longitude, latitude)`` of the open problems, the exact
expression ``ledger.nearby.InBoxes`` emits (``point(lon::float8, lat::float8) <@ box(...)``),
with the same ``status IN (...)`` as ``Problem.objects.open()`` so the planner may use the
partial index. The point comes first (a GiST index is organised by its first column); the
found time follows (btree_gist, a trusted extension shipped with PostgreSQL) so that the index
itself drops the old open problems in the box, which would otherwise each cost a heap visit
(bench/nearby.py at a million problems: 566 rows read for 21 kept without it, about 50 with
it). The category is not in it: the query compares the bigint column with an integer literal,
which btree_gist's bigint class cannot answer, and the window leaves few rows to filter. The point type is built in: cube and earthdistance would work too,
but earthdistance is not a trusted extension and needs a superuser to install.
SQLite: a plain B-tree on (category, latitude, longitude): the category's equality, then the
box's range on the latitude (SQLite, without statistics, prefers an equality to a range: on
(latitude, longitude) alone it took the category's index and read the whole category).
Neither is in the model's Meta: each database gets only its own.
"""

from django.db import migrations

OPEN = "('found', 'assigned', 'rectifying', 'closing_applied')"

FORWARD = {
    "postgresql": [
        "CREATE EXTENSION IF NOT EXISTS btree_gist",
        "CREATE INDEX IF NOT EXISTS problem_open_point ON ledger_problem "
        f"USING gist ((point((longitude)::float8, (latitude)::float8)), found_at) WHERE status IN {OPEN}",
    ],
    "sqlite": ["CREATE INDEX IF NOT EXISTS problem_category_lat_lon ON ledger_problem (category_id, latitude, longitude)"],
}
BACKWARD = {
    # The extension stays: other objects may have come to depend on it.
    "postgresql": ["DROP INDEX IF EXISTS problem_open_point"],
    "sqlite": ["DROP INDEX IF EXISTS problem_category_lat_lon"],
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
