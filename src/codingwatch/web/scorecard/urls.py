from django.urls import path

from codingwatch.web.scorecard import views

urlpatterns = [
    path("", views.index, name="scorecard"),
    path("vendors/<str:code>/", views.vendor, name="scorecard-vendor"),
    path("vendors/<str:code>.json", views.vendor_json, name="scorecard-vendor-json"),
]
