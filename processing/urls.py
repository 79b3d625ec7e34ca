from django.urls import path

from . import views

app_name = "processing"

urlpatterns = [
    path("register/", views.activity_list, name="activity_list"),
    path("findings/", views.finding_list, name="finding_list"),
    path("reports/", views.report_list, name="report_list"),
]
