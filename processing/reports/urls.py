"""The reports' pages: the Article 30 report and its exports, and the import of a register."""

from django.urls import path

from processing.reports import views

app_name = "reports"

urlpatterns = [
    path("register/import/", views.import_upload, name="import_upload"),
    path("register/import/<int:pk>/", views.import_detail, name="import_detail"),
    path("register/import/<int:pk>/status/", views.import_status, name="import_status"),
    path("register/import/<int:pk>/decide/", views.import_decide, name="import_decide"),
    path("reports/", views.report_list, name="report_list"),
    path("reports/register/", views.register_export, name="register_export"),
    path("reports/exports/<int:pk>/", views.export_detail, name="export_detail"),
    path("reports/exports/<int:pk>/status/", views.export_status, name="export_status"),
    path("reports/exports/<int:pk>/download/", views.export_download, name="export_download"),
]
