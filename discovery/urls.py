from django.urls import path

from . import views

app_name = "discovery"

urlpatterns = [
    path("discovery/systems/<int:pk>/", views.system_page, name="system"),
    path("discovery/systems/<int:pk>/sources/new/", views.source_create, name="source_create"),
    path("discovery/sources/<int:pk>/", views.source_edit, name="source_edit"),
    path("discovery/sources/<int:pk>/delete/", views.source_delete, name="source_delete"),
    path("discovery/sources/<int:pk>/scans/", views.scan_start, name="scan_start"),
    path("discovery/scans/<int:pk>/", views.scan_detail, name="scan"),
    path("discovery/scans/<int:pk>/status/", views.scan_status, name="scan_status"),
    path("discovery/scans/<int:pk>/cancel/", views.scan_cancel, name="scan_cancel"),
    path("discovery/tables/<int:pk>/decision/", views.table_decide, name="table_decide"),
    path("discovery/tables/<int:pk>/date-column/", views.date_column, name="date_column"),
    path("discovery/columns/<int:pk>/", views.column_decide, name="column_decide"),
]
