from django.urls import path

from codingwatch.web.notifications import views

urlpatterns = [
    path("", views.notification_list, name="notifications"),
    path("<int:pk>/read/", views.mark_read, name="notification-read"),
    path("read-all/", views.mark_all_read, name="notifications-read-all"),
    path("preferences/", views.preference_form, name="notification-preferences"),
]
