from django.db import migrations


class Migration(migrations.Migration):
    """The app's first migration: each area of the programme adds its models after it."""

    initial = True
    dependencies = []
    operations = []
