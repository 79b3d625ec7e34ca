from django.urls import path

from . import import_views, policy_views, report_views, views
from .whatif_views import what_if

app_name = "processing"

urlpatterns = [
    path("register/", views.activity_list, name="activity_list"),
    path("register/new/", views.activity_create, name="activity_create"),
    path("register/as-of/", views.activity_list_as_of, name="activity_list_as_of"),
    path("register/changes/", views.register_changes, name="register_changes"),
    path("register/log/", views.change_log, name="change_log"),
    path("register/import/", import_views.import_upload, name="import_upload"),
    path("register/import/<int:pk>/", import_views.import_detail, name="import_detail"),
    path("register/import/<int:pk>/status/", import_views.import_status, name="import_status"),
    path("register/import/<int:pk>/decide/", import_views.import_decide, name="import_decide"),
    path("register/<int:pk>/", views.activity_detail, name="activity_detail"),
    path("register/<int:pk>/edit/", views.activity_edit, name="activity_edit"),
    path("register/<int:pk>/history/", views.activity_history, name="activity_history"),
    path("register/<int:pk>/as-of/", views.activity_detail_as_of, name="activity_detail_as_of"),
    path("register/<int:pk>/activate/", views.activity_activate, name="activity_activate"),
    path("register/<int:pk>/archive/", views.activity_archive, name="activity_archive"),
    path("register/<int:pk>/restore/", views.activity_restore, name="activity_restore"),
    path("register/<int:pk>/clone/", views.activity_clone, name="activity_clone"),
    path("findings/", views.finding_list, name="finding_list"),
    path("findings/<int:pk>/acknowledge/", views.finding_acknowledge, name="finding_acknowledge"),
    path("findings/<int:pk>/accept-risk/", views.finding_accept_risk, name="finding_accept_risk"),
    path("findings/runs/", views.compliance_run_start, name="compliance_run_start"),
    path("findings/runs/<int:pk>/", views.compliance_run_detail, name="compliance_run_detail"),
    path("findings/runs/<int:pk>/status/", views.compliance_run_status, name="compliance_run_status"),
    path("findings/what-if/", what_if, name="what_if"),
    path("reports/", report_views.report_list, name="report_list"),
    path("reports/register/", report_views.register_export, name="register_export"),
    path("reports/exports/<int:pk>/", report_views.export_detail, name="export_detail"),
    path("reports/exports/<int:pk>/status/", report_views.export_status, name="export_status"),
    path("reports/exports/<int:pk>/download/", report_views.export_download, name="export_download"),
    path("retention-policy/", policy_views.policy_list, name="policy_list"),
    path("retention-policy/new/", policy_views.policy_edit, name="policy_create"),
    path("retention-policy/references/", policy_views.policy_seed, name="policy_seed"),
    path("retention-policy/history/", policy_views.policy_history, name="policy_history"),
    path("retention-policy/<int:pk>/", policy_views.policy_edit, name="policy_edit"),
    path("retention-policy/<int:pk>/delete/", policy_views.policy_delete, name="policy_delete"),
]
