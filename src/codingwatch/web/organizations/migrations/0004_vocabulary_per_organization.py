import django.db.models.deletion
from django.db import migrations, models


def to_the_organizations(apps, schema_editor):
    """Mappings imported before organizations had their own apply to every organization there is."""
    Organization = apps.get_model("organizations", "Organization")
    VocabularyName = apps.get_model("organizations", "VocabularyName")
    rows = list(VocabularyName.objects.filter(organization__isnull=True))
    organizations = list(Organization.objects.all())
    for row in rows:
        for org in organizations:
            VocabularyName.objects.create(organization=org, kind=row.kind, source=row.source,
                                          source_key=row.source_key, canonical=row.canonical)
        row.delete()


class Migration(migrations.Migration):
    dependencies = [("organizations", "0003_merge_20261201_1109")]

    operations = [
        migrations.RemoveConstraint(model_name="vocabularyname", name="one_mapping_per_source_name"),
        migrations.AddField(
            model_name="vocabularyname", name="organization",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.CASCADE,
                                    related_name="vocabulary", to="organizations.organization"),
        ),
        migrations.RunPython(to_the_organizations, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="vocabularyname", name="organization",
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="vocabulary",
                                    to="organizations.organization"),
        ),
        migrations.AddConstraint(
            model_name="vocabularyname",
            constraint=models.UniqueConstraint(fields=("organization", "kind", "source_key"),
                                               name="one_mapping_per_source_name"),
        ),
    ]
