"""The audit trail, append-only in the database as the ledger's history is.

PostgreSQL refuses UPDATE and DELETE on its rows (TRUNCATE, used by the test flush, stays
possible). SQLite refuses UPDATE only: Django's test flush deletes rows there.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

POSTGRES_FORWARD = """
CREATE OR REPLACE FUNCTION campaign_audit_refuse_rewrite() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit trail is append-only: % on % refused', TG_OP, TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER campaign_auditentry_append_only BEFORE UPDATE OR DELETE ON campaign_auditentry
    FOR EACH ROW EXECUTE FUNCTION campaign_audit_refuse_rewrite();
"""
POSTGRES_BACKWARD = """
DROP TRIGGER IF EXISTS campaign_auditentry_append_only ON campaign_auditentry;
DROP FUNCTION IF EXISTS campaign_audit_refuse_rewrite();
"""
SQLITE_FORWARD = """
CREATE TRIGGER IF NOT EXISTS campaign_auditentry_append_only BEFORE UPDATE ON campaign_auditentry
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only: UPDATE on campaign_auditentry refused'); END;
"""
SQLITE_BACKWARD = "DROP TRIGGER IF EXISTS campaign_auditentry_append_only;"


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

    dependencies = [
        ('campaign', '0003_background_previews_and_takeovers'),
    ]

    operations = [
        migrations.CreateModel(
            name='AuditEntry',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('at', models.DateTimeField(db_index=True, default=django.utils.timezone.now, verbose_name='time')),
                ('actor_name', models.CharField(blank=True, max_length=150, verbose_name='username')),
                ('action', models.CharField(choices=[('sign_in', 'Signed in'), ('sign_in_failed', 'Sign-in failed'), ('locked_out', 'Locked out'), ('person_created', 'Person created'), ('person_changed', 'Role, scope or access changed'), ('export', 'Exported')], db_index=True, max_length=20, verbose_name='action')),
                ('target', models.CharField(blank=True, max_length=255, verbose_name='what')),
                ('scope', models.CharField(blank=True, max_length=255, verbose_name='scope')),
                ('address', models.GenericIPAddressField(blank=True, null=True, verbose_name='address')),
                ('details', models.JSONField(blank=True, default=dict, verbose_name='details')),
                ('actor', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='person')),
            ],
            options={
                'verbose_name': 'audit entry',
                'verbose_name_plural': 'audit trail',
                'ordering': ['-at', '-id'],
            },
        ),
        migrations.RunPython(forward, backward),
    ]
