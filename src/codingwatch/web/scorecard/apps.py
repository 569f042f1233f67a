from django.apps import AppConfig


class ScorecardConfig(AppConfig):
    name = "codingwatch.web.scorecard"
    label = "scorecard"
    verbose_name = "Scorecard"
