"""Two adequacy scopes corrected after a legal review, in databases seeded before, unless a superuser changed them:
Decision (EU) 2022/254 covers every controller subject to PIPA, public and private, but for three exclusions (the
seeded scope said "private sector only"); Decision 2011/61/EU is partial (automated processing; Israel as defined by
international law), it was seeded as full."""

from django.db import migrations

OLD = "Private sector under PIPA; some sectors are excluded."
OLD_FR = "Secteur privé soumis à la PIPA ; certains secteurs sont exclus."
# As inventory.reference seeds them now (a migration keeps its own copy: the module may change later).
ISRAEL_SCOPE = (
    "Automated processing only (or data not processed automatically when sent, then processed automatically in "
    "Israel); the State of Israel as defined by international law."
)
ISRAEL_SCOPE_FR = (
    "Traitements automatisés uniquement (ou données transférées sans traitement automatisé puis traitées de façon "
    "automatisée en Israël) ; l’État d’Israël au sens du droit international."
)
KOREA_SCOPE = (
    "Every controller subject to PIPA, public and private, except: religious organisations processing for their "
    "missionary activities, political parties processing for the nomination of candidates, and credit information "
    "processed under the Credit Information Act by controllers supervised by the Financial Services Commission."
)
KOREA_SCOPE_FR = (
    "Tout responsable soumis à la PIPA, public ou privé, sauf : les organisations religieuses pour leurs activités "
    "missionnaires, les partis politiques pour la désignation de leurs candidats, et les informations de crédit "
    "traitées en vertu de la loi sur l’information de crédit par des responsables contrôlés par la Financial "
    "Services Commission."
)


def correct(apps, schema_editor):
    AdequacyDecision = apps.get_model("inventory", "AdequacyDecision")
    AdequacyDecision.objects.filter(reference="(EU) 2022/254", scope_description=OLD).update(
        scope_description=KOREA_SCOPE
    )
    AdequacyDecision.objects.filter(reference="(EU) 2022/254", scope_description_fr=OLD_FR).update(
        scope_description_fr=KOREA_SCOPE_FR
    )
    AdequacyDecision.objects.filter(reference="2011/61/EU", scope="full", scope_description="").update(
        scope="partial", scope_description=ISRAEL_SCOPE, scope_description_fr=ISRAEL_SCOPE_FR
    )


class Migration(migrations.Migration):
    dependencies = [("inventory", "0001_initial")]

    operations = [migrations.RunPython(correct, migrations.RunPython.noop)]
