from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "codingwatch.web.accounts"
    label = "accounts"

    def ready(self):
        from codingwatch.web.immutability import reinstall_after_migrate

        post_migrate.connect(reinstall_after_migrate, sender=self, dispatch_uid="accounts-immutability")
