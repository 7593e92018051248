"""One CSV writer for every download, and its guard against formula injection."""

import csv
import io
from datetime import date
from decimal import Decimal

from backa.lib.csv import csv_response, neutralise


def read(response, delimiter=","):
    text = response.content.decode("utf-8").lstrip("\ufeff")
    return list(csv.reader(io.StringIO(text), delimiter=delimiter))


def test_a_cell_a_spreadsheet_would_run_as_a_formula_is_made_inert():
    for attack in ('=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"):
        assert neutralise(attack) == "'" + attack
    assert neutralise("Ängsskolan") == "Ängsskolan"


def test_text_is_guarded_but_numbers_and_dates_are_written_as_they_are():
    response = csv_response("x.csv", ["=Rubrik", "Värde"], [["=cmd", Decimal("-0.5")], [None, date(2026, 11, 1)]])
    assert response["Content-Disposition"] == 'attachment; filename="x.csv"'
    assert read(response) == [["'=Rubrik", "Värde"], ["'=cmd", "-0.5"], ["", "2026-11-01"]]


def test_a_file_for_excel_starts_with_a_bom_and_uses_semicolons():
    response = csv_response("forum.csv", ["Namn"], [["-x"]], delimiter=";", excel_bom=True)
    assert response.content.startswith("\ufeff".encode())
    assert read(response, ";") == [["Namn"], ["'-x"]]
