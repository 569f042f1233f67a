from django.urls import path

from codingwatch.web.costs import views

urlpatterns = [
    path("", views.calculator_page, name="costs"),
    path("evaluate/", views.evaluate_fragment, name="costs-evaluate"),
    path("brief.<str:fmt>", views.brief, name="costs-brief"),
    path("saved/", views.save, name="costs-save"),
    path("saved/<int:pk>/delete/", views.delete, name="costs-delete"),
]
