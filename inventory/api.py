"""API of the catalogue (data fields, categories of people, recipients, systems) and of the
reference data on countries and adequacy decisions (read-only).

Writes go through ``inventory.services``, as the web forms do: the same validation, the
same history. Entries are archived and restored, never deleted (activities keep them).
"""

import django_filters
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action

from accounts.api import OrganisationField, OrganisationFilter, OrganisationScopedViewSet, OwnEntry
from core.api import RelatedList, StrictKeys

from . import services
from .models import (
    AdequacyDecision,
    CatalogueItem,
    Country,
    DataField,
    DataSubjectCategory,
    Recipient,
    System,
)

# --- Reference data ----------------------------------------------------------------------


class AdequacyDecisionSerializer(serializers.ModelSerializer):
    class Meta:
        model = AdequacyDecision
        fields = [
            "reference",
            "in_force_from",
            "ends_on",
            "scope",
            "scope_description",
            "scope_description_fr",
            "requires_dpf_certification",
        ]


class CountrySerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True, help_text="In the language of Accept-Language.")
    adequacy_decisions = AdequacyDecisionSerializer(many=True, read_only=True)

    class Meta:
        model = Country
        fields = ["code", "name", "is_eu", "is_eea", "adequacy_decisions"]


class CountryFilter(django_filters.FilterSet):
    class Meta:
        model = Country
        fields = ["is_eu", "is_eea"]


@extend_schema_view(
    list=extend_schema(summary="Countries, whether they are in the EU / EEA, and their adequacy decisions"),
    retrieve=extend_schema(summary="One country by its ISO code"),
)
class CountryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    queryset = Country.objects.prefetch_related("adequacy_decisions").order_by("code")
    serializer_class = CountrySerializer
    filterset_class = CountryFilter
    lookup_value_regex = r"[A-Z]{2}"
    ordering_fields = ["code"]


# --- The catalogue -----------------------------------------------------------------------


def own_fields(model) -> list[str]:
    """The fields a kind of entry adds to every catalogue entry's."""
    shared = {"id"} | {field.name for field in CatalogueItem._meta.concrete_fields}
    return [field.name for field in model._meta.concrete_fields if field.name not in shared and field.editable]


class CatalogueItemSerializer(StrictKeys, serializers.ModelSerializer):
    """Shared by the four kinds: the organisation by slug, writes through the services."""

    guarded = {
        "organisation": gettext_lazy("An entry stays in its organisation."),
        "archived_at": gettext_lazy("Archive or restore the entry with the archive/ and restore/ actions."),
    }

    organisation = OrganisationField()
    archived_at = serializers.DateTimeField(read_only=True, allow_null=True)

    common_fields = ["id", "organisation", "name", "description", "archived_at", "created_at", "updated_at"]

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None and not isinstance(self.instance, list):
            fields["organisation"].read_only = True  # an entry never moves to another organisation
        return fields

    def create(self, validated_data):
        return services.catalogue_item_create(model=self.Meta.model, **validated_data)

    def update(self, instance, validated_data):
        validated_data.pop("organisation", None)
        return services.catalogue_item_update(item=instance, **validated_data)


class DataFieldSerializer(CatalogueItemSerializer):
    class Meta:
        model = DataField
        fields = [*CatalogueItemSerializer.common_fields, *own_fields(DataField)]
        read_only_fields = ["created_at", "updated_at"]


class DataSubjectCategorySerializer(CatalogueItemSerializer):
    class Meta:
        model = DataSubjectCategory
        fields = [*CatalogueItemSerializer.common_fields, *own_fields(DataSubjectCategory)]
        read_only_fields = ["created_at", "updated_at"]


class RecipientSerializer(CatalogueItemSerializer):
    country = serializers.PrimaryKeyRelatedField(
        queryset=Country.objects.all(), allow_null=True, required=False, help_text="ISO code."
    )

    class Meta:
        model = Recipient
        fields = [*CatalogueItemSerializer.common_fields, *own_fields(Recipient)]
        read_only_fields = ["created_at", "updated_at"]


class SystemSerializer(CatalogueItemSerializer):
    countries = RelatedList(
        queryset=Country.objects.all(),
        key="code",
        child=serializers.CharField(max_length=2),
        max_length=300,
        help_text="ISO codes of the countries where the system stores the data (at least one).",
    )
    hosting_provider = OwnEntry(Recipient, allow_null=True, required=False, help_text="A recipient's id.")

    class Meta:
        model = System
        fields = [*CatalogueItemSerializer.common_fields, *own_fields(System), "countries"]
        read_only_fields = ["created_at", "updated_at"]

    def validate(self, data):
        organisation = data.get("organisation") or getattr(self.instance, "organisation", None)
        provider = data.get("hosting_provider")
        if provider is not None and provider.organisation_id != getattr(organisation, "pk", None):
            raise serializers.ValidationError(
                {"hosting_provider": _("Choose a recipient of your catalogue.")}, code="does_not_exist"
            )
        return data


class CatalogueFilter(OrganisationFilter):
    archived = django_filters.BooleanFilter(
        field_name="archived_at", lookup_expr="isnull", exclude=True, help_text="true: archived entries only."
    )


class CatalogueViewSet(OrganisationScopedViewSet):
    filterset_class = CatalogueFilter
    search_fields = ["name", "description"]
    ordering_fields = ["name", "created_at", "updated_at"]
    ordering = ["name_key", "pk"]

    @extend_schema(request=None, summary="Archive the entry: no longer offered for new entries")
    @action(detail=True, methods=["post"])
    def archive(self, request, pk=None):
        item = self.get_object()
        return self._respond(services.catalogue_item_archive(item=item))

    @extend_schema(request=None, summary="Bring an archived entry back")
    @action(detail=True, methods=["post"])
    def restore(self, request, pk=None):
        item = self.get_object()
        return self._respond(services.catalogue_item_restore(item=item))


def catalogue_viewset(model, serializer, queryset=None, label=""):
    """The endpoint of one kind of catalogue entry."""
    return extend_schema_view(
        list=extend_schema(summary=f"{label} of your organisations"),
        retrieve=extend_schema(summary=f"One entry of {label.lower()} (with its ETag)"),
        create=extend_schema(summary=f"Add an entry to {label.lower()}"),
        update=extend_schema(summary="Replace an entry (If-Match required)"),
        partial_update=extend_schema(summary="Change an entry (If-Match required)"),
    )(
        type(
            f"{model.__name__}ViewSet",
            (CatalogueViewSet,),
            {"queryset": queryset if queryset is not None else model.objects.all(), "serializer_class": serializer},
        )
    )


DataFieldViewSet = catalogue_viewset(DataField, DataFieldSerializer, label="Personal data fields")
DataSubjectCategoryViewSet = catalogue_viewset(
    DataSubjectCategory, DataSubjectCategorySerializer, label="Categories of people"
)
RecipientViewSet = catalogue_viewset(Recipient, RecipientSerializer, label="Recipients")
SystemViewSet = catalogue_viewset(
    System,
    SystemSerializer,
    queryset=System.objects.prefetch_related("countries"),
    label="Systems",
)
