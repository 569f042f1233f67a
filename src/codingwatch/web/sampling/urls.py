from django.urls import path

from codingwatch.web.sampling import views

urlpatterns = [
    path("", views.sampling_page, name="sampling"),
    path("random.<str:fmt>", views.random_download, name="sampling-random-download"),
    path("attribute.<str:fmt>", views.attribute_download, name="sampling-attribute-download"),
]
