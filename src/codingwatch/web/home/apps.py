from django.apps import AppConfig


class HomeConfig(AppConfig):
    name = "codingwatch.web.home"
    label = "home"
