"""Keyed event hashes and the daily fingerprints of the chain heads (README, "The ledger's integrity").

Events already written keep their plain SHA-256 hashes (hash_scheme "sha256": the append-only
triggers forbid rewriting them; adding a column with a constant default rewrites no row and
fires no row trigger). The boundary, the last event id that may be plain, is stored with an
HMAC under LEDGER_HMAC_KEY, so nobody without the key can move it to pass off later plain events.
"""

import hashlib
import hmac

import django.utils.timezone
import ledger.models
from django.db import migrations, models



def mark_where_keyed_hashing_starts(apps, schema_editor):
    # The same formula as KeyedHashingStart.mac_for (ledger/models.py), frozen here.
    from django.conf import settings

    last = apps.get_model("ledger", "ProblemEvent").objects.order_by("-id").values_list("id", flat=True).first() or 0
    mac = hmac.new(settings.LEDGER_HMAC_KEY.encode(), f"ledger plain events up to {last}".encode(),
                   hashlib.sha256).hexdigest()
    apps.get_model("ledger", "KeyedHashingStart").objects.create(last_plain_event_id=last, mac=mac)
    if schema_editor.connection.vendor == "sqlite":
        # SQLite rebuilds the table to add a column, which drops its trigger: put it back (0002's).
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(
                "CREATE TRIGGER IF NOT EXISTS ledger_event_append_only BEFORE UPDATE ON ledger_problemevent "
                "BEGIN SELECT RAISE(ABORT, 'the ledger history is append-only: UPDATE on ledger_problemevent "
                "refused'); END;"
            )


class Migration(migrations.Migration):

    dependencies = [
        ('ledger', '0008_ledger_export_file_format'),
    ]

    operations = [
        migrations.CreateModel(
            name='KeyedHashingStart',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('last_plain_event_id', models.BigIntegerField()),
                ('started_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('mac', models.CharField(max_length=64)),
            ],
        ),
        migrations.CreateModel(
            name='LedgerFingerprint',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('day', models.DateField(unique=True, verbose_name='day')),
                ('taken_at', models.DateTimeField(verbose_name='taken at')),
                ('problems', models.PositiveIntegerField(verbose_name='problems')),
                ('digest', models.CharField(max_length=64, verbose_name='digest')),
                ('file_name', models.CharField(max_length=100, verbose_name='file')),
            ],
            options={
                'verbose_name': 'ledger fingerprint',
                'verbose_name_plural': 'ledger fingerprints',
                'ordering': ['-day'],
            },
        ),
        migrations.AddField(
            model_name='problemevent',
            name='hash_scheme',
            field=models.CharField(default='sha256', max_length=40),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name='problemevent',
            name='hash_scheme',
            field=models.CharField(default=ledger.models.current_hash_scheme, max_length=40),
        ),
        migrations.RunPython(mark_where_keyed_hashing_starts, migrations.RunPython.noop),
    ]
