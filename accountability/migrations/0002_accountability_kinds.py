"""The kinds of accountability every city starts with (HQ adds or retires kinds in the admin)."""

from django.db import migrations

KINDS = [
    ("criticism", "通报批评", "Circulated criticism", 10),
    ("interview", "约谈", "Interview", 20),
    ("admonishment", "诫勉谈话", "Admonishment talk", 30),
    ("written_review", "书面检查", "Written self-examination", 40),
    ("warning", "警示提醒", "Warning", 50),
]


def add_kinds(apps, schema_editor):
    kind = apps.get_model("accountability", "AccountabilityKind")
    for code, name, name_en, order in KINDS:
        kind.objects.get_or_create(code=code, defaults={"name": name, "name_en": name_en, "order": order})


class Migration(migrations.Migration):
    dependencies = [("accountability", "0001_initial")]

    operations = [migrations.RunPython(add_kinds, migrations.RunPython.noop)]
