from django.apps import AppConfig


class DenialsConfig(AppConfig):
    name = "codingwatch.web.denials"
    label = "denials"
    verbose_name = "Denials"
