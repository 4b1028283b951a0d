"""The database refuses to rewrite a public report's history (as the ledger's, 0002 there).

PostgreSQL: events can be neither updated nor deleted, reports not deleted.
SQLite: events cannot be updated (Django's test flush deletes rows there).
"""

from django.db import migrations

POSTGRES_FORWARD = """
CREATE OR REPLACE FUNCTION public_reports_refuse_rewrite() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'public reports are append-only: % on % refused', TG_OP, TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER public_report_event_append_only BEFORE UPDATE OR DELETE ON public_reports_publicreportevent
    FOR EACH ROW EXECUTE FUNCTION public_reports_refuse_rewrite();
CREATE TRIGGER public_report_never_deleted BEFORE DELETE ON public_reports_publicreport
    FOR EACH ROW EXECUTE FUNCTION public_reports_refuse_rewrite();
"""
POSTGRES_BACKWARD = """
DROP TRIGGER IF EXISTS public_report_event_append_only ON public_reports_publicreportevent;
DROP TRIGGER IF EXISTS public_report_never_deleted ON public_reports_publicreport;
DROP FUNCTION IF EXISTS public_reports_refuse_rewrite();
"""
SQLITE_FORWARD = """
CREATE TRIGGER IF NOT EXISTS public_report_event_append_only BEFORE UPDATE ON public_reports_publicreportevent
BEGIN SELECT RAISE(ABORT, 'public reports are append-only: UPDATE on public_reports_publicreportevent refused'); END;
"""
SQLITE_BACKWARD = "DROP TRIGGER IF EXISTS public_report_event_append_only;"


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
    dependencies = [("public_reports", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
