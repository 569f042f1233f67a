from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AuditsConfig(AppConfig):
    name = "codingwatch.web.audits"
    label = "audits"

    def ready(self):
        from codingwatch.web.immutability import reinstall_after_migrate

        post_migrate.connect(reinstall_after_migrate, sender=self, dispatch_uid="audits-immutability")
