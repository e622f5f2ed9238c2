from django.db import migrations, models


def fill_years(apps, schema_editor):
    Credit = apps.get_model("films", "Credit")
    Film = apps.get_model("films", "Film")
    film_year = Film.objects.filter(pk=models.OuterRef("film_id")).values("year")
    Credit.objects.filter(film__year__isnull=False).update(year=models.Subquery(film_year))


class Migration(migrations.Migration):
    dependencies = [
        ("films", "0010_person_prominence_original_title_search"),
    ]

    operations = [
        migrations.AddField(
            model_name="credit",
            name="year",
            field=models.PositiveSmallIntegerField(blank=True, editable=False, null=True),
        ),
        # Filled before the index is built: one sort, not an index update per row.
        migrations.RunPython(fill_years, migrations.RunPython.noop, elidable=True),
        # The new index serves every lookup the old one did: it starts with the same columns.
        migrations.RemoveIndex(model_name="credit", name="credit_person_role_idx"),
        migrations.AddIndex(
            model_name="credit",
            index=models.Index(
                fields=["person", "role", "year"], name="credit_person_role_year_idx"
            ),
        ),
    ]
