from django.apps import AppConfig


class SamplingConfig(AppConfig):
    name = "codingwatch.web.sampling"
    label = "sampling"
    verbose_name = "sampling and appraisal"
