from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "codingwatch.web.dashboard"
    label = "dashboard"
