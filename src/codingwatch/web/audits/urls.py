from django.urls import path

from codingwatch.web.audits import views

urlpatterns = [
    path("audits/", views.audit_list, name="audits"),
    path("audits/new/", views.audit_new, name="audit-new"),
    path("audits/<int:pk>/", views.audit_detail, name="audit"),
    path("audits/<int:pk>/draw/", views.audit_draw, name="audit-draw"),
    path("audits/<int:pk>/edit/", views.audit_edit, name="audit-edit"),
    path("audits/<int:pk>/delete/", views.audit_delete, name="audit-delete"),
    path("audits/<int:pk>/import/", views.audit_import, name="audit-import"),
    path("audits/<int:pk>/step/<str:name>/", views.audit_transition, name="audit-transition"),
    path("audits/<int:pk>/findings/<int:finding_id>/<str:action>/", views.finding_action, name="audit-finding-action"),
    path("audits/<int:pk>/report.<str:fmt>", views.audit_report_download, name="audit-report"),
    path("audits/<int:pk>/cases/<int:number>/", views.case_review, name="audit-case"),
    path("audits/<int:pk>/cases/<int:number>/preview/", views.case_preview, name="audit-case-preview"),
    path("audits/<int:pk>/cases/<int:number>/reveal/", views.case_reveal, name="audit-case-reveal"),
    path("compliance/repayments/", views.repayments, name="repayments"),
]
