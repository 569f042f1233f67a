from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "codingwatch.web.accounts"
    label = "accounts"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from codingwatch.web.accounts import sso

        user_logged_in.connect(sso.on_login, dispatch_uid="codingwatch-sso-second-factor")
