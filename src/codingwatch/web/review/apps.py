from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "codingwatch.web.review"
    label = "review"
    verbose_name = "Evidence chain and quarterly review"
