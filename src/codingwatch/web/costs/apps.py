from django.apps import AppConfig


class CostsConfig(AppConfig):
    name = "codingwatch.web.costs"
    label = "costs"
    verbose_name = "cost calculator"
