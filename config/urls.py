from django.contrib import admin
from django.urls import include, path

from accounts import views as account_views
from core import views as core_views

organisation_patterns = [
    path("", include("accounts.organisation_urls")),
    path("", include("inventory.urls")),
    path("", include("processing.urls")),
    path("", include("processing.compliance.urls")),
    path("", include("processing.reports.urls")),
    path("", include("breaches.urls")),
    path("", include("discovery.urls")),
]

urlpatterns = [
    path("", account_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("account/", include("accounts.urls")),
    path("account/passkeys/", include("django_otp_webauthn.urls", namespace="otp_webauthn")),
    path("o/<slug:organisation_slug>/", include(organisation_patterns)),
    path("api/", include("config.api")),
    path("admin/", admin.site.urls),
]

handler400 = "core.views.bad_request"
handler403 = "core.views.permission_denied"
handler404 = "core.views.not_found"
handler500 = "core.views.failed"
