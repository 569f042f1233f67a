from django.urls import path

from codingwatch.web.diligence import views

urlpatterns = [
    path("", views.index, name="diligence"),
    path("rfp/", views.rfp, name="diligence-rfp"),
    path("alerts/", views.alerts, name="diligence-alerts"),
    path("vendors/<str:code>/", views.vendor, name="diligence-vendor"),
    path("vendors/<str:code>/documents/", views.upload, name="diligence-upload"),
    path("vendors/<str:code>/declared/", views.declared, name="diligence-declared"),
    path("documents/<int:pk>/file", views.document_file, name="diligence-document-file"),
]
