"""Account pages: sign-in, sign-out, passwords, profile, language, organisation switcher."""

from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from . import sso, two_factor_views, views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("sso/", sso.SignInView.as_view(), name="sso"),
    path("sso/callback/", sso.CallbackView.as_view(), name="sso_callback"),
    path(
        "password/change/",
        auth_views.PasswordChangeView.as_view(success_url=reverse_lazy("accounts:password_change_done")),
        name="password_change",
    ),
    path("password/change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path(
        "password/reset/",
        views.PasswordResetView.as_view(),
        name="password_reset",
    ),
    path("password/reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(success_url=reverse_lazy("accounts:password_reset_complete")),
        name="password_reset_confirm",
    ),
    path("password/reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("profile/", views.profile, name="profile"),
    path("two-factor/", two_factor_views.two_factor_page, name="two_factor"),
    path("two-factor/start/", two_factor_views.two_factor_start, name="two_factor_start"),
    path("two-factor/confirm/", two_factor_views.two_factor_confirm, name="two_factor_confirm"),
    path("two-factor/recovery-codes/", two_factor_views.two_factor_recovery_codes, name="two_factor_recovery_codes"),
    path("two-factor/remove/", two_factor_views.two_factor_remove, name="two_factor_remove"),
    path("two-factor/verify/", two_factor_views.two_factor_verify, name="two_factor_verify"),
    path("profile/api-tokens/", views.api_token_create, name="api_token_create"),
    path("profile/api-tokens/<int:token_id>/revoke/", views.api_token_revoke, name="api_token_revoke"),
    path("invitations/<str:key>/", views.invitation, name="invitation"),
    path("language/", views.switch_language, name="language"),
    path("organisation/", views.switch_organisation, name="switch_organisation"),
]
