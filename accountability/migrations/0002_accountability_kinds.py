"""The kinds of accountability every city starts with (HQ adds or retires kinds in the admin)."""

from django.db import migrations

from accountability.choices import DEFAULT_KINDS


def add_kinds(apps, schema_editor):
    kind = apps.get_model("accountability", "AccountabilityKind")
    for code, name, name_en, order in DEFAULT_KINDS:
        kind.objects.get_or_create(code=code, defaults={"name": name, "name_en": name_en, "order": order})


class Migration(migrations.Migration):
    dependencies = [("accountability", "0001_initial")]

    operations = [migrations.RunPython(add_kinds, migrations.RunPython.noop)]
