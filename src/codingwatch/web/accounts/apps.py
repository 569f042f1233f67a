from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "codingwatch.web.accounts"
    label = "accounts"

    def ready(self):
        from codingwatch.web.immutability import reinstall_after_migrate

        post_migrate.connect(reinstall_after_migrate, sender=self, dispatch_uid="accounts-immutability")

        from django.contrib.auth.signals import user_logged_in

        from codingwatch.web.accounts import sso

        user_logged_in.connect(sso.on_login, dispatch_uid="codingwatch-sso-second-factor")
