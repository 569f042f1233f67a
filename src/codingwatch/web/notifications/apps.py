from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "codingwatch.web.notifications"
    label = "notifications"

    def ready(self):
        from codingwatch.web.notifications import hooks

        hooks.connect()
