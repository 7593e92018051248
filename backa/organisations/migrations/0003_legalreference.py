from django.db import migrations, models

# The references the product cites, as data (decision 0010). The chapter and section in the new
# socialtjänstlag (2025:400) are not yet confirmed against the SFS text: the provision is left
# empty (the citation names the statute) and `confirmed` is false until a lawyer fills it in.
SOL = "socialtjänstlagen (2025:400)"
OSL = "offentlighets- och sekretesslagen (2009:400)"
REFERENCES = [
    ("duty_to_report", SOL, "", "Anmälningsskyldighet: den som arbetar med barn anmäler oro till socialnämnden.", "https://lagen.nu/2025:400", False),
    ("pre_assessment", SOL, "", "Förhandsbedömning: beslut om utredning ska inledas, inom 14 dagar.", "https://lagen.nu/2025:400", False),
    ("report_feedback", SOL, "", "Återkoppling till anmälaren om utredning inletts (skärps enligt prop. 2025/26:12).", "https://lagen.nu/2025:400", False),
    ("sip", SOL + "; hälso- och sjukvårdslagen (2017:30) 16 kap. 4 §", "", "Samordnad individuell plan.", "", False),
    ("osl_10_28", OSL, "10 kap. 28 §", "Uppgiftsskyldighet bryter sekretess.", "https://lagen.nu/2009:400", False),
    ("osl_25_13a", OSL, "25 kap. 13 a §", "Elevhälsans medicinska insats: nödvändigt stöd.", "https://lagen.nu/2009:400", False),
    ("osl_25_12", OSL, "25 kap. 12 §", "Det väntade barnet: BMM till BVC.", "https://lagen.nu/2009:400", False),
]


def seed(apps, schema_editor):
    LegalReference = apps.get_model("organisations", "LegalReference")
    for key, statute, provision, summary, url, confirmed in REFERENCES:
        LegalReference.objects.update_or_create(
            key=key,
            defaults={"statute": statute, "provision": provision, "summary": summary, "url": url, "confirmed": confirmed},
        )


class Migration(migrations.Migration):
    dependencies = [("organisations", "0002_municipality_acute_escalation_minutes_and_more")]

    operations = [
        migrations.CreateModel(
            name="LegalReference",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("key", models.SlugField(max_length=40, unique=True, verbose_name="key")),
                ("statute", models.CharField(help_text="E.g. socialtjänstlagen (2025:400).", max_length=120, verbose_name="statute")),
                ("provision", models.CharField(blank=True, max_length=60, verbose_name="chapter and section")),
                ("summary", models.CharField(blank=True, max_length=300, verbose_name="what it says")),
                ("url", models.URLField(blank=True, verbose_name="link to the text")),
                ("confirmed", models.BooleanField(default=False, verbose_name="checked by a lawyer")),
                ("updated_at", models.DateTimeField(auto_now=True)),
            ],
            options={"ordering": ["key"], "verbose_name": "legal reference", "verbose_name_plural": "legal references"},
        ),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
