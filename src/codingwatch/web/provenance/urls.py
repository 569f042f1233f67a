from django.urls import path

from codingwatch.web.provenance import case_views, views

urlpatterns = [
    path("", views.queue, name="provenance"),
    path("alerts.csv", views.queue_csv, name="provenance-alerts-csv"),
    path("alerts/<int:pk>/", views.alert_detail, name="provenance-alert"),
    path("alerts/<int:pk>/assign/", views.alert_assign, name="provenance-alert-assign"),
    path("alerts/<int:pk>/comment/", views.alert_comment, name="provenance-alert-comment"),
    path("alerts/<int:pk>/resolve/", views.alert_resolve, name="provenance-alert-resolve"),
    path("suppressions/", views.suppressions, name="provenance-suppressions"),
    path("summary/", views.summary, name="provenance-summary"),
    path("cases/", case_views.case_queue, name="provenance-cases"),
    path("cases/bulk/", case_views.case_bulk, name="provenance-cases-bulk"),
    path("cases/<int:pk>/", case_views.case_detail, name="provenance-case"),
    path("cases/<int:pk>/assign/", case_views.case_assign, name="provenance-case-assign"),
    path("cases/<int:pk>/resolve/", case_views.case_resolve, name="provenance-case-resolve"),
]
