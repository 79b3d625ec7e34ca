from django.contrib import admin

from .models import (
    AdequacyDecision,
    Country,
    DataField,
    DataSubjectCategory,
    InternationalOrganisation,
    Recipient,
    System,
    SystemCountry,
)


@admin.register(Country)
class CountryAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "is_eu", "is_eea"]
    list_filter = ["is_eu", "is_eea"]
    search_fields = ["code"]


@admin.register(InternationalOrganisation)
class InternationalOrganisationAdmin(admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(AdequacyDecision)
class AdequacyDecisionAdmin(admin.ModelAdmin):
    """The checks and the register as of a day read the decision in force on the day they look at: a decision
    replaced by another (the United Kingdom's) is ended on its last day and the new one recorded from the next."""

    list_display = ["destination", "reference", "in_force_from", "ends_on", "scope", "requires_dpf_certification"]
    list_filter = ["scope"]
    search_fields = ["reference", "country__code", "international_organisation__name"]
    autocomplete_fields = ["country", "international_organisation"]
    fields = [
        "country",
        "international_organisation",
        "reference",
        "in_force_from",
        "ends_on",
        "scope",
        "scope_description",
        "scope_description_fr",
        "requires_dpf_certification",
        "notes",
    ]


class CatalogueItemAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "archived_at"]
    list_filter = ["organisation"]
    search_fields = ["name"]
    readonly_fields = ["archived_at"]


@admin.register(DataField)
class DataFieldAdmin(CatalogueItemAdmin):
    list_display = ["name", "category", "special_category", "organisation", "archived_at"]
    list_filter = ["category", "organisation"]


@admin.register(DataSubjectCategory)
class DataSubjectCategoryAdmin(CatalogueItemAdmin):
    pass


@admin.register(Recipient)
class RecipientAdmin(CatalogueItemAdmin):
    list_display = ["name", "kind", "country", "organisation", "archived_at"]


class SystemCountryInline(admin.TabularInline):
    model = SystemCountry
    extra = 0


@admin.register(System)
class SystemAdmin(CatalogueItemAdmin):
    list_display = ["name", "kind", "organisation", "archived_at"]
    inlines = [SystemCountryInline]
