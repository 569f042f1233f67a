from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "codingwatch.web.accounts"
    label = "accounts"
