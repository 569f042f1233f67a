from django.urls import path

from codingwatch.web.review import views

urlpatterns = [
    path("encounters/<str:encounter_key>/chain/", views.evidence_chain, name="evidence-chain"),
    path("review/", views.quarterly_index, name="review"),
    path("review/<str:code>/<str:quarter>/", views.quarterly, name="review-quarterly"),
    path("review/<str:code>/<str:quarter>.<str:fmt>", views.quarterly_download, name="review-quarterly-download"),
]
