"""The register's pages: the list, each activity (its form, history, as-of view) and the change log."""

from django.urls import path

from processing import views

app_name = "processing"

urlpatterns = [
    path("register/", views.activity_list, name="activity_list"),
    path("register/new/", views.activity_create, name="activity_create"),
    path("register/new/all/", views.activity_create, {"section": "all"}, name="activity_create_all"),
    path("register/bulk/", views.activity_bulk, name="activity_bulk"),
    path("register/as-of/", views.activity_list_as_of, name="activity_list_as_of"),
    path("register/changes/", views.register_changes, name="register_changes"),
    path("register/log/", views.change_log, name="change_log"),
    path("register/<int:pk>/", views.activity_detail, name="activity_detail"),
    path("register/<int:pk>/edit/", views.activity_edit, name="activity_edit"),
    path("register/<int:pk>/edit/<slug:section>/", views.activity_edit, name="activity_edit_section"),
    path("register/<int:pk>/history/", views.activity_history, name="activity_history"),
    path("register/<int:pk>/as-of/", views.activity_detail_as_of, name="activity_detail_as_of"),
    path("register/<int:pk>/activate/", views.activity_activate, name="activity_activate"),
    path("register/<int:pk>/archive/", views.activity_archive, name="activity_archive"),
    path("register/<int:pk>/restore/", views.activity_restore, name="activity_restore"),
    path("register/<int:pk>/clone/", views.activity_clone, name="activity_clone"),
]
