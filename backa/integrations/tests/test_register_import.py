"""Population-register import: every failure mode leaves the database as it was, and the
same file twice changes nothing the second time."""

from datetime import date

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone, translation

from backa.audit.models import AccessLog
from backa.children.models import Child, Guardian
from backa.integrations import register
from backa.integrations.register import HEADER, apply_register, parse_register
from backa.integrations.tests.helpers import row, snapshot

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("forget_import_runs")]
TODAY = timezone.localdate()


def extract(rows, *, trailer=True, count=None, encoding="utf-8"):
    lines = [";".join(HEADER)] + [";".join(r) for r in rows]
    if trailer:
        lines.append(f"#ANTAL;{len(rows) if count is None else count}")
    return ("\n".join(lines) + "\n").encode(encoding)


def run(data, world):
    result = parse_register(data, world.municipality)
    assert result.ok, result.errors
    return apply_register(result.rows, world.municipality)


def test_it_imports_children_guardians_and_protected_identity(world, good_rows):
    report = run(extract(good_rows), world)
    assert (report.children_created, report.guardians_created, report.custodies_created) == (4, 3, 5)
    alva = Child.objects.get(given_name="Alva")
    assert alva.home_district == world.jarva and alva.birth_date == date(2020, 2, 2) and alva.sex == "female"
    assert sorted(c.guardian.given_name for c in alva.custodies.all()) == ["Eva", "Olof"]
    dan = Child.objects.get(given_name="Dan")
    assert dan.protected_identity and dan.home_district is None and dan.sex == "male"
    assert Guardian.objects.get(given_name="Dora").protected_identity
    assert AccessLog.objects.filter(purpose="register_import", action="create").count() == 4
    assert AccessLog.objects.get(purpose="register_import", child_id=dan.id).protected_identity


def test_the_same_file_twice_changes_nothing(world, good_rows):
    run(extract(good_rows), world)
    before = snapshot()
    report = run(extract(good_rows), world)
    assert report.changes == 0 and report.moved == 0
    assert snapshot() == before


def test_a_changed_row_updates_only_that_child_and_counts_a_move(world, good_rows):
    run(extract(good_rows), world)
    good_rows[2][4] = "JARVA"
    report = run(extract(good_rows), world)
    assert (report.children_updated, report.moved, report.children_created) == (1, 1, 0)
    assert Child.objects.get(given_name="Cilla").home_district == world.jarva


def test_an_existing_child_is_matched_by_number_not_duplicated(world):
    sigrid = world.sigrid
    data = extract([row(sigrid.identity_number.formatted, "Sigrid", "Nilsson", sex="K")])
    report = run(data, world)
    assert report.children_created == 0 and report.children_updated == 0
    assert Child.objects.filter(family_name="Nilsson").count() == 1


def errors_for(data, world):
    before = snapshot()
    with translation.override("en"):
        result = parse_register(data, world.municipality)
    assert not result.ok
    assert snapshot() == before
    return result.errors


def test_a_bad_checksum_is_reported_with_its_line_and_without_the_number(world, good_rows):
    wrong = good_rows[1][0][:-1] + str((int(good_rows[1][0][-1]) + 1) % 10)
    good_rows[1][0] = wrong
    errors = errors_for(extract(good_rows), world)
    assert errors == [(3, "personnummer: The check digit does not match; check for a mistyped digit.")]
    assert wrong.replace("-", "")[:8] not in str(errors)


def test_an_unknown_district_is_reported_without_echoing_it(world, good_rows):
    good_rows[0][4] = "ATLANTIS"
    errors = errors_for(extract(good_rows), world)
    assert [line for line, _ in errors] == [2] and "ATLANTIS" not in str(errors)


def test_duplicate_rows_are_reported_with_both_lines(world, good_rows):
    errors = errors_for(extract(good_rows + [good_rows[0]]), world)
    assert errors == [(6, "personnummer: the same number as on line 2.")]


def test_a_truncated_file_is_refused(world, good_rows):
    assert "cut off" in errors_for(extract(good_rows, trailer=False), world)[0][1]
    assert "incomplete" in errors_for(extract(good_rows, count=10), world)[0][1]
    cut = extract(good_rows)[:-40]
    assert errors_for(cut, world)


def test_a_file_in_the_wrong_encoding_is_refused_with_the_line(world, good_rows):
    good_rows[2][1] = "Åsa"
    errors = errors_for(extract(good_rows, encoding="latin-1"), world)
    assert len(errors) == 1 and errors[0][0] == 4 and "UTF-8" in errors[0][1]


def test_a_wrong_header_or_bad_columns_are_refused(world, good_rows):
    data = extract(good_rows).replace(b"personnummer;fornamn", b"pnr;fornamn", 1)
    assert errors_for(data, world)[0][0] == 1
    good_rows[0] = good_rows[0][:5]
    assert errors_for(extract(good_rows), world) == [(2, "Expected 12 columns, found 5.")]
    assert errors_for(b"", world) == [(1, "The file is empty.")]


def test_every_row_error_is_reported_not_just_the_first(world, good_rows):
    good_rows[0][5] = "X"
    good_rows[2][1] = ""
    good_rows[3][6] = "19800606-0000"
    errors = errors_for(extract(good_rows), world)
    assert [line for line, _ in errors] == [2, 4, 5]


def test_an_interrupted_import_leaves_the_database_as_before(world, good_rows, monkeypatch):
    monkeypatch.setattr(register, "CHUNK", 2)
    result = parse_register(extract(good_rows), world.municipality)
    before = snapshot()

    def stop(done, total):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        apply_register(result.rows, world.municipality, progress=stop)
    assert snapshot() == before


def test_the_command_reports_errors_by_line_and_imports_a_good_file(world, good_rows, tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    good_rows_bad = [list(r) for r in good_rows]
    good_rows_bad[0][4] = "NOWHERE"
    bad.write_bytes(extract(good_rows_bad))
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_register", str(bad), "--no-progress")
    assert "line 2: folkbokforingsdistrikt" in capsys.readouterr().err
    good = tmp_path / "good.csv"
    good.write_bytes(extract(good_rows))
    call_command("import_register", str(good))
    captured = capsys.readouterr()
    assert "children created: 4" in captured.out and "import [" in captured.err
    call_command("import_register", str(good), "--no-progress")
    assert "changes: 0" in capsys.readouterr().out


def test_the_status_page_shows_each_run_with_its_errors_and_counts(world, good_rows, tmp_path, client_for):
    from django.urls import reverse

    from backa.integrations.models import ImportRun

    bad_rows = [list(r) for r in good_rows]
    bad_rows[1][0] = bad_rows[1][0][:-1] + str((int(bad_rows[1][0][-1]) + 1) % 10)
    bad, good = tmp_path / "bad.csv", tmp_path / "good.csv"
    bad.write_bytes(extract(bad_rows))
    good.write_bytes(extract(good_rows))
    with pytest.raises(CommandError):
        call_command("import_register", str(bad), "--no-progress")
    runs = {r.file_name: r for r in ImportRun.objects.filter(file_name__in=["bad.csv", "good.csv"])}
    assert runs["bad.csv"].status == "invalid" and runs["bad.csv"].errors[0][0] == 3
    call_command("import_register", str(good), "--no-progress")
    run = ImportRun.objects.get(file_name="good.csv")
    assert (run.status, run.rows, run.processed, run.changes) == ("done", 4, 4, 12)
    client = client_for("ada")
    assert client.get(reverse("integrations:runs")).status_code == 200
    detail = client.get(reverse("integrations:run", args=[runs["bad.csv"].id])).content.decode()
    assert '<th scope="row">3</th>' in detail and "20180303" not in detail
    assert client_for("olle").get(reverse("integrations:runs")).status_code == 403


def test_an_import_whose_process_died_is_shown_as_interrupted_and_a_running_one_is_not(world, client_for):
    """kill -9 leaves no chance to write "failed": the run's advisory lock going away says it."""
    from django.urls import reverse

    from backa.integrations.models import ImportRun
    from backa.integrations.runs import RunTracker

    def tracker(name):
        return RunTracker(
            kind=ImportRun.Kind.REGISTER, municipality=world.municipality, file_name=name, data=name.encode()
        )

    def status():
        runs = ImportRun.objects.filter(file_name__in=["live.csv", "dead.csv"])
        return {r.file_name: (r.status, r.finished_at is not None) for r in runs}

    live, dead = tracker("live.csv"), tracker("dead.csv")
    try:
        live.update(status=ImportRun.Status.WRITING, rows=10, processed=5)
        dead.update(status=ImportRun.Status.WRITING, rows=10, processed=3)
        dead.conn.close()  # the process is gone: the server drops its connection and its lock
        with translation.override("sv"):
            page = client_for("ada").get(reverse("integrations:runs")).content.decode()
        assert page.count("Avbröts innan den var klar: inget ändrades") == 1  # the dead one, not the live one
        assert status() == {"live.csv": ("writing", False), "dead.csv": ("writing", False)}  # a GET writes nothing
        tracker("next.csv").close()  # the next import writes down the end the dead one could not
        assert status() == {"live.csv": ("writing", False), "dead.csv": ("interrupted", True)}
    finally:
        live.finish(ImportRun.Status.DONE)
        live.close()


@pytest.mark.parametrize(
    "column, value, expected",
    [
        (1, "=HYPERLINK(1)", "fornamn: must not start with = + - @ or a tab"),
        (2, "@Ek", "efternamn: must not start with = + - @ or a tab"),
        (1, "Alva<script>", "fornamn: must not contain < or >"),
    ],
)
def test_a_name_that_is_a_formula_or_markup_is_refused_with_its_line(world, good_rows, column, value, expected):
    good_rows[1][column] = value
    errors = errors_for(extract(good_rows), world)
    assert [line for line, _ in errors] == [3] and errors[0][1].startswith(expected)
    assert value not in str(errors)


def test_a_guardians_name_that_is_markup_is_refused(world, good_rows):
    good_rows[0][HEADER.index("vh1_fornamn")] = "<b>Eva</b>"
    errors = errors_for(extract(good_rows), world)
    assert errors == [(2, "vh1: must not contain < or > (markup is not a name).")]


def test_cr_only_line_endings_are_refused(world, good_rows):
    errors = errors_for(extract(good_rows).replace(b"\n", b"\r"), world)
    assert len(errors) == 1 and "CR alone" in errors[0][1]


def test_a_person_outside_the_childrens_age_range_is_refused_with_its_line(world, good_rows):
    from backa.synthetic.testnumbers import make_number

    good_rows[2][0] = make_number(date(TODAY.year - 30, 4, 4), 982).formatted
    errors = errors_for(extract(good_rows), world)
    assert errors == [(4, "personnummer: the person is not a child under 18; the extract holds children only.")]
