from django.apps import AppConfig


class DiligenceConfig(AppConfig):
    name = "codingwatch.web.diligence"
    label = "diligence"
    verbose_name = "Due diligence"
