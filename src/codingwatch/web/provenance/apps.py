from django.apps import AppConfig


class ProvenanceConfig(AppConfig):
    name = "codingwatch.web.provenance"
    label = "provenance"
    verbose_name = "PHI access oversight"
