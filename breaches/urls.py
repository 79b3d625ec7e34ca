from django.urls import path

from . import notification_views, views

app_name = "breaches"

urlpatterns = [
    path("breaches/", views.breach_list, name="breach_list"),
    path("breaches/new/", views.breach_create, name="breach_create"),
    path("breaches/export/", views.breach_export, name="breach_export"),
    path("breaches/<int:pk>/", views.breach_detail, name="breach_detail"),
    path("breaches/<int:pk>/edit/", views.breach_edit, name="breach_edit"),
    path("breaches/<int:pk>/history/", views.breach_history, name="breach_history"),
    path("breaches/<int:pk>/timeline/", views.timeline_add, name="timeline_add"),
    path("breaches/<int:pk>/notification/", notification_views.notification_draft_page, name="notification_draft"),
    path(
        "breaches/<int:pk>/notification/pdf/",
        notification_views.notification_draft_pdf,
        name="notification_draft_pdf",
    ),
]
