"""Rows and snapshots for the register-import tests."""

from backa.children.models import Child, Custody, Guardian
from backa.synthetic.testnumbers import make_number


def number(born, serial):
    return make_number(born, serial).formatted


def row(pnr, given="Alva", family="Ek", district="JARVA", protected="N", sex="", g1=None, g2=None):
    g1 = g1 or ("", "", "")
    g2 = g2 or ("", "", "")
    return [pnr, given, family, sex, district, protected, *g1, *g2]


def snapshot():
    return (
        sorted(
            Child.objects.values_list(
                "id", "given_name", "family_name", "home_district_id", "protected_identity", "version"
            )
        ),
        sorted(Guardian.objects.values_list("id", "given_name", "protected_identity")),
        Custody.objects.count(),
    )
