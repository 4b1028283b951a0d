"""The database itself refuses to rewrite the ledger's history.

PostgreSQL: events and photos can be neither updated nor deleted, problems not deleted.
SQLite: events cannot be updated (deletes stay possible there because Django's test flush
deletes rows; the hash chain checked by `manage.py verify_ledger` still catches any loss).
"""

from django.db import migrations

POSTGRES_FORWARD = """
CREATE OR REPLACE FUNCTION ledger_refuse_rewrite() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the ledger history is append-only: % on % refused', TG_OP, TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER ledger_event_append_only BEFORE UPDATE OR DELETE ON ledger_problemevent
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_rewrite();
CREATE TRIGGER ledger_photo_append_only BEFORE UPDATE OR DELETE ON ledger_evidencephoto
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_rewrite();
CREATE TRIGGER ledger_problem_never_deleted BEFORE DELETE ON ledger_problem
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_rewrite();
"""
POSTGRES_BACKWARD = """
DROP TRIGGER IF EXISTS ledger_event_append_only ON ledger_problemevent;
DROP TRIGGER IF EXISTS ledger_photo_append_only ON ledger_evidencephoto;
DROP TRIGGER IF EXISTS ledger_problem_never_deleted ON ledger_problem;
DROP FUNCTION IF EXISTS ledger_refuse_rewrite();
"""
SQLITE_FORWARD = """
CREATE TRIGGER IF NOT EXISTS ledger_event_append_only BEFORE UPDATE ON ledger_problemevent
BEGIN SELECT RAISE(ABORT, 'the ledger history is append-only: UPDATE on ledger_problemevent refused'); END;
"""
SQLITE_BACKWARD = "DROP TRIGGER IF EXISTS ledger_event_append_only;"


def forward(apps, schema_editor):
    sql = {"postgresql": POSTGRES_FORWARD, "sqlite": SQLITE_FORWARD}.get(schema_editor.connection.vendor)
    if sql:
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(sql)


def backward(apps, schema_editor):
    sql = {"postgresql": POSTGRES_BACKWARD, "sqlite": SQLITE_BACKWARD}.get(schema_editor.connection.vendor)
    if sql:
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
