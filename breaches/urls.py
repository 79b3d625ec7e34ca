from django.urls import path

from . import views

app_name = "breaches"

urlpatterns = [
    path("breaches/", views.breach_list, name="breach_list"),
]
