"""Ship Shandong's Annex 2 as the default rubric [004 Annex 2, SPEC §4.3] — as data."""

from django.db import migrations


def load(apps, schema_editor):
    from assessments.rubrics import SHANDONG, load_rubric

    load_rubric(SHANDONG, rubric_model=apps.get_model("assessments", "Rubric"),
                item_model=apps.get_model("assessments", "RubricItem"))


class Migration(migrations.Migration):
    dependencies = [("assessments", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
