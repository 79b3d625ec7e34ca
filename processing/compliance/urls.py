"""The compliance watch's pages: findings, check runs, what-if, and the retention policy."""

from django.urls import path

from processing.compliance import views

app_name = "compliance"

urlpatterns = [
    path("findings/", views.finding_list, name="finding_list"),
    path("findings/<int:pk>/acknowledge/", views.finding_acknowledge, name="finding_acknowledge"),
    path("findings/<int:pk>/accept-risk/", views.finding_accept_risk, name="finding_accept_risk"),
    path("findings/runs/", views.compliance_run_start, name="compliance_run_start"),
    path("findings/runs/<int:pk>/", views.compliance_run_detail, name="compliance_run_detail"),
    path("findings/runs/<int:pk>/status/", views.compliance_run_status, name="compliance_run_status"),
    path("findings/what-if/", views.what_if, name="what_if"),
    path("findings/rules/", views.rule_catalogue, name="rule_catalogue"),
    path("retention-policy/", views.policy_list, name="policy_list"),
    path("retention-policy/new/", views.policy_edit, name="policy_create"),
    path("retention-policy/references/", views.policy_seed, name="policy_seed"),
    path("retention-policy/history/", views.policy_history, name="policy_history"),
    path("retention-policy/<int:pk>/", views.policy_edit, name="policy_edit"),
    path("retention-policy/<int:pk>/delete/", views.policy_delete, name="policy_delete"),
]
