"""Fixtures of the register-import tests (CSV and fixed width)."""

from datetime import date

import pytest

from backa.integrations.tests.helpers import number, row
from backa.synthetic.testnumbers import make_number


@pytest.fixture
def forget_import_runs():
    """Import runs are committed on their own connection, outside the test's transaction."""
    yield
    from django.db import connections

    own = connections.create_connection("default")
    with own.cursor() as cursor:
        cursor.execute("DELETE FROM integrations_importrun")
    own.close()


@pytest.fixture
def good_rows():
    mother = (make_number(date(1985, 5, 5), 987).formatted, "Eva", "Ek")
    father = (make_number(date(1983, 1, 2), 989).formatted, "Olof", "Ek")
    return [
        row(number(date(2020, 2, 2), 980), "Alva", "Ek", g1=mother, g2=father),
        row(number(date(2018, 3, 3), 981), "Bo", "Ek", g1=mother, g2=father),
        row(number(date(2015, 4, 4), 982), "Cilla", "Lind", district="FARSTA"),
        row(
            number(date(2012, 5, 5), 983),
            "Dan",
            "Dold",
            district="",
            protected="J",
            g1=(make_number(date(1980, 6, 6), 984).formatted, "Dora", "Dold"),
        ),
    ]
