"""Indexes for the ledger at a million problems.

The search (ProblemFilterSet.search) matches substrings with ``icontains``, which Django emits
on PostgreSQL as ``UPPER("ledger_problem"."code"::text) LIKE UPPER('%…%')``; a B-tree cannot
answer a leading wildcard, a trigram GIN index on exactly that expression can (Chinese text
included: pg_trgm hashes multibyte trigrams). The expressions below must stay identical to the
ones Django emits or PostgreSQL will not use them. SQLite has no pg_trgm: nothing is done there.

The open problems by deadline (a partial index, both databases) serve the overdue filter and
the "deadline, soonest first" sort without reading the closed majority of the ledger.
"""

from django.db import migrations, models

SEARCHED = ("code", "description", "address")

POSTGRES_FORWARD = ["CREATE EXTENSION IF NOT EXISTS pg_trgm"] + [
    f'CREATE INDEX IF NOT EXISTS problem_{column}_trgm ON ledger_problem '
    f'USING gin ((UPPER("{column}"::text)) gin_trgm_ops)'
    for column in SEARCHED
]
# The extension stays: other objects may have come to depend on it.
POSTGRES_BACKWARD = [f"DROP INDEX IF EXISTS problem_{column}_trgm" for column in SEARCHED]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):

    dependencies = [
        ("ledger", "0004_finding_key"),
    ]

    operations = [
        migrations.RunPython(_run(POSTGRES_FORWARD), _run(POSTGRES_BACKWARD), elidable=False),
        migrations.AddIndex(
            model_name="problem",
            index=models.Index(
                condition=models.Q(("status__in", ["found", "assigned", "rectifying", "closing_applied"])),
                fields=["deadline", "id"],
                name="problem_open_deadline",
            ),
        ),
    ]
