from django.urls import path

from codingwatch.web.denials import views

urlpatterns = [
    path("", views.overview, name="denials"),
    path("rates/<str:by>/table/", views.table, name="denials-table"),
    path("rates/<str:by>.csv", views.rates_csv, name="denials-csv"),
    path("carcs.csv", views.carcs_csv, name="denials-carcs-csv"),
    path("vendors/<str:code>/", views.vendor, name="denials-vendor"),
    path("coders/<str:login_id>/", views.coder, name="denials-coder"),
    path("claims/<str:load_id>/<int:claim_row>/", views.claim, name="denials-claim"),
]
