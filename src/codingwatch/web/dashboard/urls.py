from django.urls import path

from codingwatch.web.dashboard import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("figures/<str:by>/table/", views.figures_table, name="figures-table"),
    path("figures/<str:by>.csv", views.figures_csv, name="figures-csv"),
    path("vendors/", views.vendor_list, name="vendors"),
    path("vendors/<str:code>/", views.vendor_detail, name="vendor"),
    path("coders/<str:login_id>/", views.coder_detail, name="coder"),
    path("views/save/", views.save_view, name="save-view"),
    path("views/<int:pk>/delete/", views.delete_view, name="delete-view"),
    path("assets/vega-bundle.js", views.vega_bundle_js, name="vega-bundle"),
]
