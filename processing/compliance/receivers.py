"""What re-checks the register: a committed change to the catalogue, to the organisation's
settings or to the reference data.

Activities and the retention policy are re-checked by their services after each write;
catalogue entries are written by ``inventory.services`` and the organisation by
``accounts.services`` (which know nothing of the checks), and reference data in the admin,
so their saves are watched here, and the catalogue's own signal when it writes many entries
at once without a save each. A change of an adequacy decision concerns every
organisation.
"""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from accounts.models import Organisation
from inventory.models import AdequacyDecision, Country, DataField, Recipient, System, SystemCountry
from inventory.signals import catalogue_written
from processing.compliance.rechecks import check_after_commit
from processing.signals import activities_changed


@receiver([post_save, post_delete], sender=System)
@receiver([post_save, post_delete], sender=Recipient)
@receiver([post_save, post_delete], sender=DataField)
def catalogue_changed(sender, instance, **kwargs):
    check_after_commit(instance.organisation_id)


@receiver(catalogue_written, sender=System)
@receiver(catalogue_written, sender=Recipient)
@receiver(catalogue_written, sender=DataField)
@receiver(catalogue_written, sender=SystemCountry)
def entries_written_at_once(sender, organisation_id, **kwargs):
    """Entries (or storage countries) written many at once, without a save each: an import's."""
    check_after_commit(organisation_id)


@receiver(post_save, sender=Organisation)
def organisation_changed(sender, instance, created, raw=False, **kwargs):
    """The organisation's settings feed the checks (the review interval of transfer impact assessments)."""
    if not created and not raw:
        check_after_commit(instance.pk)


@receiver([post_save, post_delete], sender=SystemCountry)
def storage_country_changed(sender, instance, **kwargs):
    if SystemCountry.system.is_cached(instance):  # written by its system's service: no query (an import writes many)
        organisation_id = instance.system.organisation_id
    else:
        organisation_id = System.objects.filter(pk=instance.system_id).values_list("organisation_id", flat=True).first()
    if organisation_id is not None:
        check_after_commit(organisation_id)


@receiver([post_save, post_delete], sender=AdequacyDecision)
@receiver([post_save], sender=Country)
def reference_data_changed(sender, **kwargs):
    if kwargs.get("raw"):  # fixtures
        return
    for organisation_id in Organisation.objects.values_list("pk", flat=True):
        check_after_commit(organisation_id)


@receiver(activities_changed)
def activities_saved(sender, organisation_id, activity_ids, **kwargs):
    """Saved activities are re-checked once their transaction commits (each alone, or the whole register when many)."""
    check_after_commit(organisation_id, activity_ids)
