"""The fixed-width variant of the population-register extract (docs/register-format.md,
"Fixed-width records"), as Navet-style deliveries look: one record per line, every record
exactly RECORD_LENGTH characters, a start record that names the character encoding and
whether the extract is full or partial, data records, and an end record with the count.

Parsing turns each data record into the CSV's columns and hands it to the same row
validation (`register._parse_row`), so both formats give the same per-line errors and feed
the same idempotent `apply_register`.
"""

from dataclasses import dataclass
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from backa.integrations.register import HEADER, HEADER_V2, ParseResult, _parse_row
from backa.organisations.models import District, Municipality

FORMAT_ID = "BACKAFB1"
# Version 2 (the register's events): every record is 320 characters, the data record ending in
# handelse, handelsedatum and tidigare_personnummer (docs/register-format.md).
FORMAT_ID_V2 = "BACKAFB2"
START, DATA, END = "00", "10", "99"
ENCODINGS = {"UTF-8": "utf-8", "ISO-8859-1": "iso-8859-1"}
FULL, PARTIAL = "F", "D"  # fullständigt uttag / delutdrag (changes only)


@dataclass(frozen=True)
class Field:
    name: str  # the CSV column it becomes (HEADER), or a start/end record field
    start: int  # 1-based position, as record layouts are written
    width: int

    def cut(self, record: str) -> str:
        return record[self.start - 1 : self.start - 1 + self.width].strip()


# Data record, type 10. Positions are characters (bytes in ISO-8859-1).
DATA_FIELDS = [
    Field("personnummer", 3, 12),
    Field("fornamn", 15, 40),
    Field("efternamn", 55, 40),
    Field("kon", 95, 1),
    Field("folkbokforingsdistrikt", 96, 10),
    Field("skyddad", 106, 1),
    Field("vh1_personnummer", 107, 12),
    Field("vh1_fornamn", 119, 40),
    Field("vh1_efternamn", 159, 40),
    Field("vh2_personnummer", 199, 12),
    Field("vh2_fornamn", 211, 40),
    Field("vh2_efternamn", 251, 40),
]
RECORD_LENGTH = 290
assert [f.name for f in DATA_FIELDS] == HEADER and DATA_FIELDS[-1].start + DATA_FIELDS[-1].width - 1 == RECORD_LENGTH
DATA_FIELDS_V2 = DATA_FIELDS + [
    Field("handelse", 291, 10),
    Field("handelsedatum", 301, 8),
    Field("tidigare_personnummer", 309, 12),
]
RECORD_LENGTH_V2 = 320
assert [f.name for f in DATA_FIELDS_V2] == HEADER_V2
assert DATA_FIELDS_V2[-1].start + DATA_FIELDS_V2[-1].width - 1 == RECORD_LENGTH_V2

# Start record, type 00.
START_FIELDS = [
    Field("format", 3, 8),
    Field("extract_date", 11, 8),
    Field("municipality", 19, 4),
    Field("kind", 23, 1),
    Field("encoding", 24, 10),
]
# End record, type 99.
END_FIELDS = [Field("count", 3, 8)]


def looks_fixed_width(data: bytes) -> bool:
    return data.lstrip(b"\xef\xbb\xbf").startswith(
        ((START + FORMAT_ID).encode("ascii"), (START + FORMAT_ID_V2).encode("ascii"))
    )


def _declared_encoding(data: bytes) -> str | None:
    first = data.lstrip(b"\xef\xbb\xbf").split(b"\n", 1)[0]
    return first[23:33].decode("ascii", "replace").strip().upper() or None


def _decode(data: bytes, result: ParseResult) -> str | None:
    declared = _declared_encoding(data)
    if declared not in ENCODINGS:
        result.error(1, _("The start record must name the character encoding UTF-8 or ISO-8859-1 (positions 24–33)."))
        return None
    if declared == "UTF-8":
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            result.error(
                line,
                _(
                    "The start record says UTF-8, but byte %(byte)s on this line is not UTF-8: "
                    "the file is probably ISO-8859-1. Nothing was read."
                )
                % {"byte": f"0x{data[exc.start]:02x}"},
            )
            return None
    if data.startswith(b"\xef\xbb\xbf"):
        result.error(1, _("The file starts with a UTF-8 byte-order mark but the start record says ISO-8859-1."))
        return None
    if any(b >= 0x80 for b in data):
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            pass  # genuinely ISO-8859-1
        else:
            # Every non-ASCII byte forms valid UTF-8: read as ISO-8859-1 it would turn "å" into "Ã¥".
            line = data[: next(i for i, b in enumerate(data) if b >= 0x80)].count(b"\n") + 1
            result.error(
                line,
                _(
                    "The start record says ISO-8859-1, but the text is UTF-8 (letters like å would be "
                    "read as two wrong characters). Correct the start record or the file."
                ),
            )
            return None
    return data.decode("iso-8859-1")


def parse_fixed_width(data: bytes, municipality: Municipality, *, today: date | None = None) -> ParseResult:
    """Validate a whole fixed-width extract; never raises on bad input. `result.declared_full`
    says what the start record declares (True: full extract)."""
    today = today or timezone.localdate()
    result = ParseResult()
    text = _decode(data, result)
    if text is None:
        return result
    if "\x00" in text:
        result.error(
            text[: text.index("\x00")].count("\n") + 1, _("The file contains NUL bytes; it is not a text file.")
        )
        return result
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    districts = {d.code.upper(): d.id for d in District.objects.filter(municipality=municipality)}
    seen: dict[str, int] = {}
    end_line = declared = None
    for number, raw in enumerate(lines, 1):
        record = raw[:-1] if raw.endswith("\r") else raw
        if end_line is not None:
            if record.strip():
                result.error(number, _("There is text after the end record (type 99)."))
            continue
        if number == 1:
            if not _start_record(record, municipality, result):
                return result
            v2 = record[2:10] == FORMAT_ID_V2
            fields, length = (DATA_FIELDS_V2, RECORD_LENGTH_V2) if v2 else (DATA_FIELDS, RECORD_LENGTH)
            result.columns = list(HEADER_V2 if v2 else HEADER)
            continue
        if not record.strip():
            continue
        kind = record[:2]
        if kind == END:
            end_line = number
            count = END_FIELDS[0].cut(record)
            if not count.isdigit():
                result.error(number, _("The end record must give the number of data records in positions 3–10."))
            else:
                declared = int(count)
            continue
        if kind != DATA:
            result.error(number, _("Unknown record type %(type)s (expected 10 or 99).") % {"type": kind[:2] or "–"})
            continue
        result.data_rows += 1
        if len(record) != length:
            result.error(
                number,
                _(
                    "The record is %(found)s characters long, expected %(expected)s: it is cut off or "
                    "has extra characters."
                )
                % {"found": len(record), "expected": length},
            )
            continue
        _parse_row([f.cut(record) for f in fields], number, result, districts, seen, today)
    if end_line is None:
        result.error(len(lines) or 1, _("The file ends without an end record (type 99): it seems cut off."))
    elif declared is not None and declared != result.data_rows:
        result.error(
            end_line,
            _("The end record says %(declared)s records, but the file has %(found)s: it seems incomplete.")
            % {"declared": declared, "found": result.data_rows},
        )
    return result


def _start_record(record: str, municipality: Municipality, result: ParseResult) -> bool:
    if record[:2] != START or record[2:10] not in (FORMAT_ID, FORMAT_ID_V2):
        result.error(1, _("The first record must be the start record 00%(format)s.") % {"format": FORMAT_ID})
        return False
    values = {f.name: f.cut(record) for f in START_FIELDS}
    ok = True
    length = RECORD_LENGTH_V2 if record[2:10] == FORMAT_ID_V2 else RECORD_LENGTH
    if len(record) != length:
        result.error(
            1,
            _("The record is %(found)s characters long, expected %(expected)s: it is cut off or has extra characters.")
            % {"found": len(record), "expected": length},
        )
        ok = False
    if values["municipality"] != municipality.code:
        result.error(
            1,
            _("The extract is for municipality %(found)s, not %(expected)s.")
            % {"found": values["municipality"], "expected": municipality.code},
        )
        ok = False
    try:
        date(int(values["extract_date"][:4]), int(values["extract_date"][4:6]), int(values["extract_date"][6:8]))
    except ValueError:
        result.error(1, _("The extract date (positions 11–18) must be a date YYYYMMDD."))
        ok = False
    if values["kind"] not in (FULL, PARTIAL):
        result.error(1, _("Position 23 must say F (full extract) or D (partial extract)."))
        ok = False
    result.declared_full = values["kind"] == FULL
    return ok


def format_fixed_width(
    rows, *, municipality_code: str, full: bool, encoding: str = "ISO-8859-1", extract_date: date | None = None
) -> bytes:
    """Write an extract (tests, demo data, the benchmark). rows: lists of the CSV's 12 columns
    (format v1), or the 15 of format v2 (with the register's events)."""
    v2 = bool(rows) and len(rows[0]) == len(HEADER_V2)
    fields, length, format_id = (
        (DATA_FIELDS_V2, RECORD_LENGTH_V2, FORMAT_ID_V2) if v2 else (DATA_FIELDS, RECORD_LENGTH, FORMAT_ID)
    )

    def pad(values_by_field, kind):
        record = list(kind.ljust(length))
        for f, value in values_by_field:
            text = str(value)[: f.width].ljust(f.width)
            record[f.start - 1 : f.start - 1 + f.width] = text
        return "".join(record)

    day = (extract_date or timezone.localdate()).strftime("%Y%m%d")
    lines = [
        pad(
            zip(START_FIELDS, [format_id, day, municipality_code, FULL if full else PARTIAL, encoding], strict=True),
            START,
        )
    ]
    for row in rows:
        lines.append(
            pad(
                zip(
                    fields,
                    [str(v).replace("-", "") if i in (0, 6, 9, 13, 14) else v for i, v in enumerate(row)],
                    strict=True,
                ),
                DATA,
            )
        )
    lines.append(pad(zip(END_FIELDS, [f"{len(rows):08d}"], strict=True), END))
    return ("\n".join(lines) + "\n").encode(ENCODINGS[encoding])
