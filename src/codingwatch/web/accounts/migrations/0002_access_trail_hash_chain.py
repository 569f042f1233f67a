"""The access trail becomes a hash chain (existing rows chained in id order) and the database
refuses every UPDATE and DELETE of it (codingwatch.web.immutability)."""

import django.utils.timezone
from django.db import migrations, models

from codingwatch.web import immutability
from codingwatch.web.accounts import chain


def chain_existing_rows(apps, schema_editor):
    AccessEvent = apps.get_model("accounts", "AccessEvent")
    TrailHead = apps.get_model("accounts", "TrailHead")
    db = schema_editor.connection.alias
    # A database migrated back and forth still has the guards (post_migrate put them back): the
    # hashes are written before the guards go on again at the end of this migration.
    immutability.uninstall(schema_editor.connection, "accounts")
    previous, count, last_id = chain.GENESIS, 0, None
    for row in AccessEvent.objects.using(db).order_by("id").values("id", *chain.CONTENT_FIELDS).iterator():
        digest = chain.link(previous, row)
        AccessEvent.objects.using(db).filter(pk=row["id"]).update(prev_hash=previous, row_hash=digest)
        previous, count, last_id = digest, count + 1, row["id"]
    TrailHead.objects.using(db).update_or_create(
        id=1, defaults={"length": count, "last_id": last_id, "last_hash": previous if count else ""})


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="TrailHead",
            fields=[
                ("id", models.PositiveSmallIntegerField(default=1, primary_key=True, serialize=False)),
                ("length", models.BigIntegerField(default=0)),
                ("last_id", models.BigIntegerField(null=True)),
                ("last_hash", models.CharField(blank=True, max_length=64)),
            ],
        ),
        migrations.AlterField(
            model_name="accessevent",
            name="at",
            field=models.DateTimeField(db_index=True, default=django.utils.timezone.now, editable=False),
        ),
        migrations.AddField(
            model_name="accessevent",
            name="prev_hash",
            field=models.CharField(default="", editable=False, max_length=64),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="accessevent",
            name="row_hash",
            field=models.CharField(default="", editable=False, max_length=64),
            preserve_default=False,
        ),
        migrations.RunPython(chain_existing_rows, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="accessevent",
            name="prev_hash",
            field=models.CharField(editable=False, max_length=64, unique=True),
        ),
        migrations.AlterField(
            model_name="accessevent",
            name="row_hash",
            field=models.CharField(editable=False, max_length=64, unique=True),
        ),
        immutability.migration_operation("accounts"),
    ]
