from django.apps import AppConfig


class VendorsConfig(AppConfig):
    name = "codingwatch.web.vendors"
    label = "vendors"
