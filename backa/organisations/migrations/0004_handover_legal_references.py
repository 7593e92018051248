from django.db import migrations

# The handovers' two school references join the table (decision 0010), provision left for a
# lawyer to confirm (`confirmed` false): every legal basis the
# platform names, for reports, consent bases and handovers, is one row a lawyer can correct.
OSL = "offentlighets- och sekretesslagen (2009:400)"
REFERENCES = [
    ("osl_23_9", OSL, "", "Skolans sekretess bryts när uppgifter lämnas till en ny skola.", "https://lagen.nu/2009:400"),
    ("skollag_10_11", "skollagen (2010:800)", "", "Nödvändiga uppgifter följer eleven till den nya skolan.", "https://lagen.nu/2010:800"),
]


def seed(apps, schema_editor):
    LegalReference = apps.get_model("organisations", "LegalReference")
    for key, statute, provision, summary, url in REFERENCES:
        LegalReference.objects.get_or_create(
            key=key, defaults={"statute": statute, "provision": provision, "summary": summary, "url": url}
        )


class Migration(migrations.Migration):
    dependencies = [("organisations", "0003_legalreference")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
