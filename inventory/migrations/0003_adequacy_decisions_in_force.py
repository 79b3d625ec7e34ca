"""The adequacy decisions as the law has them, in databases seeded before, unless a superuser changed them:

- the United Kingdom has two decisions, one after the other: (EU) 2021/1772 of 28 June 2021 (immigration-control
  data excluded, its Art. 1(2)), extended in June 2025 to 27 December 2025, then the renewal adopted on
  19 December 2025, from 28 December 2025 to 27 December 2031 (immigration data in scope). They were seeded as one
  row, "(EU) 2021/1772, renewed 19 December 2025", to 2031: a register as of 2024 cited the renewal.
- the US decision's scope names the appeal pending before the Court of Justice (C-703/25 P) and the review;
- the European Patent Organisation's and Brazil's decisions say where their numbers were verified.

Each decision gains ``notes`` (sources, what is not verified).
"""

import datetime

from django.db import migrations, models

# As inventory.reference seeds them now (a migration keeps its own copy: the module may change later).
UK_SEEDED = {
    "reference": "(EU) 2021/1772, renewed 19 December 2025",
    "in_force_from": datetime.date(2021, 6, 28),
    "ends_on": datetime.date(2031, 12, 27),
    "scope": "full",
}
UK_2021 = {
    "reference": "(EU) 2021/1772",
    "ends_on": datetime.date(2025, 12, 27),
    "scope": "partial",
    "scope_description": (
        "Everything under the UK GDPR except personal data transferred for United Kingdom immigration control, or "
        "falling within the immigration exemption (Schedule 2, paragraph 4(1), Data Protection Act 2018)."
    ),
    "scope_description_fr": (
        "Tout ce qui relève du UK GDPR, sauf les données transférées aux fins du contrôle de l’immigration au "
        "Royaume-Uni ou relevant de l’exemption « immigration » (annexe 2, paragraphe 4(1), Data Protection Act "
        "2018)."
    ),
    "notes": (
        "Decision (EU) 2021/1772 of 28 June 2021, to 27 June 2025 (its Art. 4); extended in June 2025 to "
        "27 December 2025. The number of the June 2025 extending decision is not verified here (the one extending "
        "the Law Enforcement Directive decision (EU) 2021/1773 is (EU) 2025/1225 of 24 June 2025)."
    ),
}
UK_2025 = {
    "reference": "Commission implementing decision of 19 December 2025 renewing (EU) 2021/1772",
    "in_force_from": datetime.date(2025, 12, 28),
    "ends_on": datetime.date(2031, 12, 27),
    "notes": (
        "Adopted on 19 December 2025; applies from 28 December 2025 to 27 December 2031; immigration data is in "
        "scope. Its number in the Official Journal is NOT VERIFIED: replace the reference with it once checked."
    ),
}
US_OLD = (
    "Only organisations certified under the EU-US Data Privacy Framework. "
    "Upheld by the General Court on 3 September 2025; appeal pending."
)
US_OLD_FR = (
    "Uniquement les organisations certifiées dans le cadre du Data Privacy Framework UE-États-Unis. "
    "Confirmée par le Tribunal le 3 septembre 2025 ; pourvoi pendant."
)
US_SCOPE = (
    "Only organisations certified under the EU-US Data Privacy Framework. Upheld by the General Court on "
    "3 September 2025 (T-553/23, Latombe); appeal pending before the Court of Justice (C-703/25 P). Reviewed by the "
    "Commission: first review on 9 October 2024, the next within three years. Keep standard contractual clauses "
    "ready as a fallback."
)
US_SCOPE_FR = (
    "Uniquement les organisations certifiées dans le cadre du Data Privacy Framework UE-États-Unis. Confirmée par "
    "le Tribunal le 3 septembre 2025 (T-553/23, Latombe) ; pourvoi pendant devant la Cour de justice "
    "(C-703/25 P). Réexaminée par la Commission : premier réexamen le 9 octobre 2024, le suivant dans les trois "
    "ans. Gardez des clauses contractuelles types prêtes en solution de repli."
)
NOTES = {
    "(EU) 2023/1795": "Appeal C-703/25 P lodged on 31 October 2025 against the General Court's judgment in T-553/23.",
    "(EU) 2025/1382": (
        "Verified: Implementing Decision (EU) 2025/1382 of 15 July 2025, notified as C(2025) 4626, OJ L of "
        "18 July 2025. It enters into force on its notification; the date stored is the decision's."
    ),
    "(EU) 2026/179": "Verified: Implementing Decision (EU) 2026/179 of 26 January 2026, OJ L of 28 January 2026.",
}


def correct(apps, schema_editor):
    AdequacyDecision = apps.get_model("inventory", "AdequacyDecision")
    seeded = AdequacyDecision.objects.filter(country_id="GB", **UK_SEEDED).first()
    if seeded is not None:
        for field, value in UK_2021.items():
            setattr(seeded, field, value)
        seeded.save()
        AdequacyDecision.objects.create(country_id="GB", **UK_2025)
    AdequacyDecision.objects.filter(reference="(EU) 2023/1795", scope_description=US_OLD).update(
        scope_description=US_SCOPE
    )
    AdequacyDecision.objects.filter(reference="(EU) 2023/1795", scope_description_fr=US_OLD_FR).update(
        scope_description_fr=US_SCOPE_FR
    )
    for reference, notes in NOTES.items():
        AdequacyDecision.objects.filter(reference=reference, notes="").update(notes=notes)


class Migration(migrations.Migration):
    dependencies = [
        ("inventory", "0002_adequacy_scopes"),
    ]

    operations = [
        migrations.AddField(
            model_name="adequacydecision",
            name="notes",
            field=models.TextField(
                blank=True,
                help_text="Where the reference and dates were checked (the Official Journal, the Commission's list), what could not be verified, and changes such as an extension or a renewal.",
                verbose_name="sources and notes",
            ),
        ),
        migrations.AddField(
            model_name="historicaladequacydecision",
            name="notes",
            field=models.TextField(
                blank=True,
                help_text="Where the reference and dates were checked (the Official Journal, the Commission's list), what could not be verified, and changes such as an extension or a renewal.",
                verbose_name="sources and notes",
            ),
        ),
        migrations.AlterField(
            model_name="adequacydecision",
            name="in_force_from",
            field=models.DateField(help_text="First day it applies.", verbose_name="in force from"),
        ),
        migrations.AlterField(
            model_name="adequacydecision",
            name="reference",
            field=models.CharField(
                help_text="Its number in the Official Journal, as published. One that could not be checked against the Official Journal is said to be unverified in the notes, never guessed.",
                max_length=200,
                verbose_name="legal reference",
            ),
        ),
        migrations.AlterField(
            model_name="historicaladequacydecision",
            name="in_force_from",
            field=models.DateField(help_text="First day it applies.", verbose_name="in force from"),
        ),
        migrations.AlterField(
            model_name="historicaladequacydecision",
            name="reference",
            field=models.CharField(
                help_text="Its number in the Official Journal, as published. One that could not be checked against the Official Journal is said to be unverified in the notes, never guessed.",
                max_length=200,
                verbose_name="legal reference",
            ),
        ),
        migrations.RunPython(correct, migrations.RunPython.noop),
    ]
