from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "codingwatch.web.reports"
    label = "reports"
    verbose_name = "Report figures"
