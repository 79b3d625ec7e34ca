import factory

from inventory.models import DataField, DataSubjectCategory, Recipient, System

from ..accounts.factories import OrganisationFactory


class CatalogueItemFactory(factory.django.DjangoModelFactory):
    organisation = factory.SubFactory(OrganisationFactory)


class DataFieldFactory(CatalogueItemFactory):
    class Meta:
        model = DataField

    name = factory.Sequence(lambda n: f"Data field {n}")
    category = DataField.Category.IDENTIFICATION


class DataSubjectCategoryFactory(CatalogueItemFactory):
    class Meta:
        model = DataSubjectCategory

    name = factory.Sequence(lambda n: f"People {n}")


class RecipientFactory(CatalogueItemFactory):
    class Meta:
        model = Recipient

    name = factory.Sequence(lambda n: f"Recipient {n}")
    kind = Recipient.Kind.PROCESSOR
    country_id = "FR"


class SystemFactory(CatalogueItemFactory):
    class Meta:
        model = System
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"System {n}")
    kind = System.Kind.SAAS

    @factory.post_generation
    def countries(system, create, extracted, **kwargs):
        if create:
            for code in extracted or ["FR"]:
                system.country_links.create(country_id=code)
