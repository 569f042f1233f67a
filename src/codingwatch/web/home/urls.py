from django.urls import path

from codingwatch.web.home import views

urlpatterns = [path("", views.home, name="home")]
