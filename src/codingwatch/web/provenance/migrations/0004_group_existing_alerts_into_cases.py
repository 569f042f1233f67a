"""Alerts stored before alert cases existed (0003) are grouped into cases now, by the same
`provenance.cases.group_alerts` the scan runs after storing its alerts, so an upgraded
installation's queue shows cases at once rather than at the next `codingwatch provenance scan`.
Grouping is idempotent: alerts already in a case are left as they are."""

from django.db import migrations


def group_existing_alerts(apps, schema_editor):
    from codingwatch.web.provenance.cases import group_alerts

    group_alerts(apps.get_model("provenance", "ProvenanceAlert"), apps.get_model("provenance", "AlertCase"))


class Migration(migrations.Migration):

    dependencies = [
        ('provenance', '0003_alert_cases'),
    ]

    operations = [
        # Backwards: the cases go with 0003's table; nothing to undo here.
        migrations.RunPython(group_existing_alerts, migrations.RunPython.noop),
    ]
