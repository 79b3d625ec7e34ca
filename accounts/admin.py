from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import Membership, Organisation, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Contact and preferences"), {"fields": ("email", "time_zone", "language")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("username", "email", "password1", "password2")}),)
    list_display = ["username", "email", "is_active", "is_superuser", "last_login"]
    search_fields = ["username", "email"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "country", "role", "legal_identifier"]
    search_fields = ["name", "slug", "legal_identifier"]
    list_filter = ["role", "is_public_body"]
    inlines = [MembershipInline]

    def get_readonly_fields(self, request, obj=None):
        # The slug is part of every address of the organisation: fixed once created.
        return ["slug"] if obj else []


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "role"]
    list_filter = ["role", "organisation"]
    search_fields = ["user__username", "user__email", "organisation__name"]
    autocomplete_fields = ["user", "organisation"]


# django-otp's admin would show each authenticator's secret key: devices are managed by their owners on
# /account/two-factor/ (and removed with their account), never read by an administrator.
for model in (TOTPDevice,):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
