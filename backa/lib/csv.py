"""CSV files people open in a spreadsheet: one writer, one guard against formula injection.

A cell that starts with =, +, -, @, a tab or a carriage return is executed as a formula by
Excel and LibreOffice (CSV injection, OWASP). Every text cell written here gets a leading
apostrophe in that case; numbers and dates are written as they are.
"""

import csv

from django.http import HttpResponse

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value) -> str:
    """The cell's text, made inert if a spreadsheet would read it as a formula."""
    text = str(value)
    return "'" + text if text[:1] in FORMULA_START else text


def _cell(value):
    # Text is guarded; numbers (a negative difference is data, not a formula) and dates are not.
    if value is None:
        return ""
    return neutralise(value) if isinstance(value, str) else value


def write_rows(out, header, rows, *, delimiter: str = ","):
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow([_cell(h) for h in header])
    for row in rows:
        writer.writerow([_cell(v) for v in row])


def csv_response(filename: str, header, rows, *, delimiter: str = ",", excel_bom: bool = False) -> HttpResponse:
    """A download of `rows` under `header`; `excel_bom` for files meant for Excel (å, ä, ö)."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    if excel_bom:
        response.write("\ufeff")
    write_rows(response, header, rows, delimiter=delimiter)
    return response
