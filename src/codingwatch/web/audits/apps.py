from django.apps import AppConfig


class AuditsConfig(AppConfig):
    name = "codingwatch.web.audits"
    label = "audits"
