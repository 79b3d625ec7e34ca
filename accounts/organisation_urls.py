"""Pages of one organisation, under /o/<organisation_slug>/."""

from django.urls import path

from . import views

app_name = "organisations"

urlpatterns = [
    path("", views.organisation_home, name="home"),
    path("settings/", views.organisation_settings, name="settings"),
    path("settings/history/", views.organisation_history, name="history"),
    path("settings/members/", views.members, name="members"),
    path("settings/members/sign-ins/", views.member_sign_ins, name="member_sign_ins"),
    path("settings/members/<int:membership_id>/role/", views.member_role, name="member_role"),
    path("settings/members/<int:membership_id>/remove/", views.member_remove, name="member_remove"),
    path("settings/members/invitations/<int:invitation_id>/cancel/", views.invitation_cancel, name="invitation_cancel"),
]
