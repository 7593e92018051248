"""The fixed-width register extract: the same validated pipeline as the CSV, every failure
mode refused with its line and nothing changed, ISO-8859-1 and UTF-8 told apart."""

from datetime import date

import pytest
from django.core.management import CommandError, call_command

from backa.children.models import Child, Guardian
from backa.integrations.fixedwidth import RECORD_LENGTH, format_fixed_width, looks_fixed_width, parse_fixed_width
from backa.integrations.register import apply_register
from backa.integrations.tests.helpers import number, row, snapshot
from backa.synthetic.testnumbers import make_number

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("forget_import_runs")]


def fixed(rows, *, full=False, encoding="ISO-8859-1", code="0180"):
    return format_fixed_width(rows, municipality_code=code, full=full, encoding=encoding)


def errors_for(data, world):
    result = parse_fixed_width(data, world.municipality)
    assert not result.ok
    return [(line, str(message)) for line, message in result.errors]


def lines(data: bytes) -> list[bytes]:
    return data.split(b"\n")


def test_it_imports_latin1_with_swedish_letters_and_is_idempotent(world, good_rows):
    good_rows.append(row(number(date(2019, 9, 9), 985), "Åsa", "Öström", district="FARSTA"))
    data = fixed(good_rows)
    assert looks_fixed_width(data) and all(len(line) == RECORD_LENGTH for line in lines(data)[:-1])
    result = parse_fixed_width(data, world.municipality)
    assert result.ok, result.errors
    assert result.declared_full is False
    report = apply_register(result.rows, world.municipality)
    assert (report.children_created, report.guardians_created) == (5, 3)
    assert Child.objects.filter(given_name="Åsa", family_name="Öström").exists()
    assert Child.objects.get(given_name="Dan").protected_identity
    before = snapshot()
    again = apply_register(parse_fixed_width(data, world.municipality).rows, world.municipality)
    assert again.changes == 0 and snapshot() == before


def test_the_same_rows_as_csv_and_fixed_width_give_the_same_children(world, good_rows):
    from backa.integrations.register import parse_register
    from backa.integrations.tests.test_register_import import extract

    apply_register(parse_register(extract(good_rows), world.municipality).rows, world.municipality)
    before = snapshot()
    report = apply_register(
        parse_fixed_width(fixed(good_rows, encoding="UTF-8"), world.municipality).rows, world.municipality
    )
    assert report.changes == 0 and snapshot() == before


def test_a_bad_checksum_is_reported_with_its_line_without_the_number(world, good_rows):
    bad = make_number(date(2017, 7, 7), 986).digits[:-1] + "0"
    if bad == make_number(date(2017, 7, 7), 986).digits:
        bad = bad[:-1] + "1"
    good_rows.append(row(bad, "Fel", "Siffra"))
    errors = errors_for(fixed(good_rows), world)
    assert [line for line, _m in errors] == [6]
    assert "personnummer" in errors[0][1] and bad not in errors[0][1]


def test_an_unknown_district_is_refused_without_echoing_it(world, good_rows):
    good_rows[0][4] = "NARNIA"
    errors = errors_for(fixed(good_rows), world)
    assert errors[0][0] == 2 and "NARNIA" not in errors[0][1]


def test_duplicate_rows_name_both_lines(world, good_rows):
    good_rows.append(list(good_rows[1]))
    errors = errors_for(fixed(good_rows), world)
    assert errors[0][0] == 6 and "3" in errors[0][1]


def test_a_truncated_file_without_end_record_is_refused(world, good_rows):
    data = b"\n".join(lines(fixed(good_rows))[:-2]) + b"\n"
    errors = errors_for(data, world)
    assert "end record" in errors[-1][1] or "slutpost" in errors[-1][1]


def test_a_record_cut_off_in_the_middle_is_refused(world, good_rows):
    records = lines(fixed(good_rows))
    records[2] = records[2][:150]
    errors = errors_for(b"\n".join(records), world)
    assert errors[0][0] == 3 and "150" in errors[0][1]


def test_an_end_record_with_the_wrong_count_is_refused(world, good_rows):
    records = lines(fixed(good_rows))
    del records[3]
    errors = errors_for(b"\n".join(records), world)
    assert "4" in errors[-1][1] and "3" in errors[-1][1]


def test_latin1_bytes_in_a_file_that_says_utf8_are_refused(world, good_rows):
    good_rows[0][1] = "Åsa"
    data = fixed(good_rows, encoding="ISO-8859-1").replace(b"ISO-8859-1", b"UTF-8     ", 1)
    errors = errors_for(data, world)
    assert errors[0][0] == 2 and "0xc5" in errors[0][1]


def test_utf8_text_in_a_file_that_says_latin1_is_refused(world, good_rows):
    good_rows[0][1] = "Åsa"
    data = fixed(good_rows, encoding="UTF-8").replace(b"UTF-8     ", b"ISO-8859-1", 1)
    errors = errors_for(data, world)
    assert errors[0][0] == 2 and ("UTF-8" in errors[0][1])


def test_an_unknown_encoding_or_municipality_or_kind_is_refused(world, good_rows):
    assert errors_for(fixed(good_rows).replace(b"ISO-8859-1", b"EBCDIC    ", 1), world)[0][0] == 1
    assert "0181" in errors_for(fixed(good_rows, code="0181"), world)[0][1]
    data = bytearray(fixed(good_rows))
    data[22] = ord("X")
    assert errors_for(bytes(data), world)[0][0] == 1


def test_an_invalid_file_changes_nothing_through_the_command(world, good_rows, tmp_path, capsys):
    before = snapshot()
    good_rows[0][4] = "NARNIA"
    path = tmp_path / "navet.txt"
    path.write_bytes(fixed(good_rows))
    with pytest.raises(CommandError):
        call_command("import_register", str(path), "--no-progress")
    assert snapshot() == before and not Guardian.objects.filter(given_name="Eva").exists()


def test_a_full_fixed_width_extract_says_so_itself_and_marks_moves(world, tmp_path, capsys):
    rows = [
        row(
            c.identity_number.formatted,
            c.given_name,
            c.family_name,
            district="" if c.protected_identity else c.home_district.code,
            protected="J" if c.protected_identity else "N",
        )
        for c in (world.ivar, world.hemlig, world.nobody)
    ]
    path = tmp_path / "navet.txt"
    path.write_bytes(fixed(rows, full=True))
    call_command("import_register", str(path), "--no-progress")
    out = capsys.readouterr().out
    assert "moved out: 1" in out
    assert Child.objects.get(pk=world.sigrid.pk).moved_out_on is not None
    partial = tmp_path / "delta.txt"
    partial.write_bytes(fixed(rows, full=False))
    with pytest.raises(CommandError):
        call_command("import_register", str(partial), "--no-progress", "--full")
