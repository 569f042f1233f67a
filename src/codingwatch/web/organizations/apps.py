from django.apps import AppConfig


class OrganizationsConfig(AppConfig):
    name = "codingwatch.web.organizations"
    label = "organizations"
