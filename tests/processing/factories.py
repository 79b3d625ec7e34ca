import factory

from processing.models import ProcessingActivity

from ..accounts.factories import OrganisationFactory


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProcessingActivity

    organisation = factory.SubFactory(OrganisationFactory)
    reference = factory.Sequence(lambda n: f"PA-{n + 1:03d}")
    name = factory.Sequence(lambda n: f"Activity {n}")
