"""When the supervisory authority and the people were told of a one-off transfer on compelling legitimate interests
(Art. 49(1), second subparagraph)."""

from django.db import migrations, models

AUTHORITY_HELP = "For a one-off transfer on compelling legitimate interests: when you informed the authority."
PEOPLE_HELP = (
    "For a one-off transfer on compelling legitimate interests: when you informed the people of the transfer and of "
    "the interests pursued."
)


class Migration(migrations.Migration):
    dependencies = [
        ("processing", "0012_rekey_seeded_retention_policies"),
    ]

    operations = [
        migrations.AddField(
            model_name=model_name,
            name=name,
            field=models.DateField(blank=True, help_text=help_text, null=True, verbose_name=verbose_name),
        )
        for model_name in ("historicaltransfer", "transfer")
        for name, verbose_name, help_text in (
            ("authority_informed_on", "supervisory authority informed on", AUTHORITY_HELP),
            ("people_informed_on", "people informed on", PEOPLE_HELP),
        )
    ]
