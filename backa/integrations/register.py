"""Import of a population-register extract (folkbokföringsuttag), format in docs/register-format.md.

Two passes: `parse_register()` reads and validates every line and returns either the rows
or every error with its line number; `apply_register()` writes the rows in one transaction,
touching only what differs from the database. So an invalid file changes nothing, the same
file twice changes nothing the second time, and an interrupted import rolls back whole.

Identity numbers and address data never appear in an error, a report or a log line: errors
name the line and the column only.
"""

import csv
import io
import uuid
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backa.audit.log import Action, log_access_many
from backa.audit.vocabulary import Purpose
from backa.children.lifephase import add_years
from backa.children.models import Child, Custody, Guardian, Sex
from backa.integrations.bulk import among, copy_insert
from backa.lib import identity
from backa.organisations.models import District, Municipality

HEADER = [
    "personnummer",
    "fornamn",
    "efternamn",
    "kon",
    "folkbokforingsdistrikt",
    "skyddad",
    "vh1_personnummer",
    "vh1_fornamn",
    "vh1_efternamn",
    "vh2_personnummer",
    "vh2_fornamn",
    "vh2_efternamn",
]
TRAILER = "#ANTAL"
DELIMITER = ";"
CHUNK = 5000
MAX_ERRORS = 200


class RegisterConflict(Exception):
    """A row that passed validation but contradicts the database; the whole import is rolled back."""

    def __init__(self, line: int, message: str):
        super().__init__(f"line {line}: {message}")
        self.line, self.message = line, message


@dataclass
class GuardianRow:
    number: identity.IdentityNumber
    given_name: str
    family_name: str


@dataclass
class RegisterRow:
    line: int
    number: identity.IdentityNumber
    given_name: str
    family_name: str
    sex: str
    district_id: uuid.UUID | None
    protected: bool
    guardians: list[GuardianRow] = field(default_factory=list)


@dataclass
class ParseResult:
    rows: list[RegisterRow] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line, message)
    data_rows: int = 0
    declared_full: bool | None = None  # fixed-width only: what the start record says

    def error(self, line: int, message: str):
        if len(self.errors) < MAX_ERRORS:
            self.errors.append((line, message))

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class ImportReport:
    children_created: int = 0
    children_updated: int = 0
    moved: int = 0
    guardians_created: int = 0
    guardians_updated: int = 0
    custodies_created: int = 0
    moved_out: int = 0  # full extract only: registered children no longer listed
    moved_back: int = 0  # listed again after having been marked moved out
    handovers: dict = field(default_factory=dict)  # outcomes of the move handling, {outcome: count}

    @property
    def changes(self) -> int:
        return (
            self.children_created
            + self.children_updated
            + self.guardians_created
            + self.guardians_updated
            + self.custodies_created
            + self.moved_out
        )


def _sex(value: str, number: identity.IdentityNumber) -> str | None:
    value = value.strip().upper()
    if value == "K":
        return Sex.FEMALE
    if value == "M":
        return Sex.MALE
    if value == "":
        # The second-to-last digit of the number is odd for men and even for women.
        return Sex.MALE if int(number.digits[10]) % 2 else Sex.FEMALE
    return None


def parse_register(data: bytes, municipality: Municipality, *, today: date | None = None) -> ParseResult:
    """Validate a whole extract. Never raises on bad input: every problem becomes a (line, message)."""
    today = today or timezone.localdate()
    result = ParseResult()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        result.error(
            line,
            _("The file is not UTF-8 (byte %(byte)s on this line). Save it as UTF-8 and try again.")
            % {"byte": f"0x{data[exc.start]:02x}"},
        )
        return result
    if "\x00" in text:
        result.error(
            text[: text.index("\x00")].count("\n") + 1, _("The file contains NUL bytes; it is not a text file.")
        )
        return result
    lone_cr = next((i for i, ch in enumerate(text) if ch == "\r" and text[i + 1 : i + 2] != "\n"), None)
    if lone_cr is not None:
        result.error(
            text[:lone_cr].count("\n") + text[:lone_cr].count("\r") + 1,
            _("The file ends its lines with CR alone (an old Mac format). Save it with LF or CRLF line endings."),
        )
        return result
    districts = {d.code.upper(): d.id for d in District.objects.filter(municipality=municipality)}
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=DELIMITER, strict=True)
    seen: dict[str, int] = {}
    header_seen = trailer_line = None
    declared = None
    try:
        for fields in reader:
            line = reader.line_num
            if trailer_line is not None:
                if any(f.strip() for f in fields):
                    result.error(line, _("There is text after the closing line %(trailer)s.") % {"trailer": TRAILER})
                continue
            if header_seen is None:
                header_seen = line
                if [f.strip().lower() for f in fields] != HEADER:
                    result.error(
                        line, _("The first line must be the header: %(header)s") % {"header": DELIMITER.join(HEADER)}
                    )
                    return result
                continue
            if not fields or (len(fields) == 1 and not fields[0].strip()):
                continue
            if fields[0].strip().upper() == TRAILER:
                trailer_line = line
                try:
                    declared = int(fields[1])
                except (IndexError, ValueError):
                    result.error(
                        line, _("The closing line must be %(trailer)s;<number of rows>.") % {"trailer": TRAILER}
                    )
                continue
            result.data_rows += 1
            _parse_row(fields, line, result, districts, seen, today)
    except csv.Error as exc:
        result.error(
            reader.line_num,
            _("The line cannot be read as CSV (%(reason)s); the file may be cut off.") % {"reason": exc},
        )
        return result
    if header_seen is None:
        result.error(1, _("The file is empty."))
    elif trailer_line is None:
        result.error(
            reader.line_num,
            _("The file ends without the closing line %(trailer)s;<number of rows>: it seems cut off.")
            % {"trailer": TRAILER},
        )
    elif declared is not None and declared != result.data_rows:
        result.error(
            trailer_line,
            _("The closing line says %(declared)s rows, but the file has %(found)s: it seems incomplete.")
            % {"declared": declared, "found": result.data_rows},
        )
    return result


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _name_problem(name: str) -> str:
    """Why a name cannot be a person's name (never repeating it), or ""."""
    if name.startswith(FORMULA_STARTS):
        return _("must not start with = + - @ or a tab (it would be a formula in a spreadsheet).")
    if "<" in name or ">" in name:
        return _("must not contain < or > (markup is not a name).")
    return ""


def _parse_row(fields, line, result, districts, seen, today):
    before = len(result.errors)
    bad = lambda message: result.error(line, message)  # noqa: E731
    if len(fields) != len(HEADER):
        bad(_("Expected %(expected)s columns, found %(found)s.") % {"expected": len(HEADER), "found": len(fields)})
        return
    values = dict(zip(HEADER, (f.strip() for f in fields), strict=True))
    number = None
    try:
        number = identity.parse(values["personnummer"], today=today)
    except identity.InvalidIdentityNumber as exc:
        bad(_("personnummer: %(reason)s") % {"reason": exc.message})
    if number is not None and not (add_years(today, -18) < number.birth_date <= today):
        bad(_("personnummer: the person is not a child under 18; the extract holds children only."))
    if number is not None:
        if number.digits in seen:
            bad(_("personnummer: the same number as on line %(other)s.") % {"other": seen[number.digits]})
        else:
            seen[number.digits] = line
    for column in ("fornamn", "efternamn"):
        if not values[column]:
            bad(_("%(column)s: must not be empty.") % {"column": column})
        elif len(values[column]) > 100:
            bad(_("%(column)s: longer than 100 characters.") % {"column": column})
        elif problem := _name_problem(values[column]):
            bad(f"{column}: {problem}")
    protected = values["skyddad"].upper()
    if protected not in ("J", "N"):
        bad(_("skyddad: write J or N."))
    district_code = values["folkbokforingsdistrikt"].upper()
    district_id = districts.get(district_code) if district_code else None
    if district_code and district_id is None:
        # Never echo the value: for a protected person even the district is address data.
        bad(_("folkbokforingsdistrikt: unknown district code for this municipality."))
    elif not district_code and protected != "J":
        bad(_("folkbokforingsdistrikt: must not be empty (only a protected person may lack it)."))
    sex = _sex(values["kon"], number) if number is not None else Sex.UNKNOWN
    if sex is None:
        bad(_("kon: write K, M or leave empty."))
    guardians = []
    for prefix in ("vh1", "vh2"):
        raw, given, family = (
            values[f"{prefix}_personnummer"],
            values[f"{prefix}_fornamn"],
            values[f"{prefix}_efternamn"],
        )
        if not (raw or given or family):
            continue
        try:
            g_number = identity.parse(raw, today=today)
        except identity.InvalidIdentityNumber as exc:
            bad(_("%(column)s: %(reason)s") % {"column": f"{prefix}_personnummer", "reason": exc.message})
            continue
        if not given or not family:
            bad(_("%(prefix)s: a guardian needs both names.") % {"prefix": prefix})
            continue
        if problem := _name_problem(given) or _name_problem(family):
            bad(f"{prefix}: {problem}")
            continue
        if number is not None and g_number.digits == number.digits:
            bad(_("%(prefix)s: a child cannot be their own guardian.") % {"prefix": prefix})
            continue
        guardians.append(GuardianRow(g_number, given[:100], family[:100]))
    if len(guardians) == 2 and guardians[0].number.digits == guardians[1].number.digits:
        bad(_("vh2: the same guardian as vh1."))
    if len(result.errors) > before:
        return
    result.rows.append(
        RegisterRow(line, number, values["fornamn"], values["efternamn"], sex, district_id, protected == "J", guardians)
    )


# A full extract that would mark more than this share of the registered children as moved
# out is refused: it is far more likely cut off or a partial extract than a mass exodus.
MAX_MOVED_OUT_SHARE = 0.10
MOVED_OUT_ALWAYS_ALLOWED = 10


def apply_register(
    rows: list[RegisterRow],
    municipality: Municipality,
    *,
    acting_user=None,
    progress=None,
    full: bool = False,
    max_moved_out_share: float = MAX_MOVED_OUT_SHARE,
    today: date | None = None,
) -> ImportReport:
    """Write validated rows in one transaction; only differences are written (idempotent).

    `full`: the extract lists every child (0–17) registered in the municipality, so a
    registered child missing from it has moved out: marked `moved_out_on` and handed over
    (closing task for the barnkontakt). A partial extract (the default) says nothing about
    children it does not list. Children whose home district changed get a handover where
    their barnkontakt should change, with either kind of extract.
    """
    report = ImportReport()
    progress = progress or (lambda done, total: None)
    today = today or timezone.localdate()
    moved_district: list = []
    with transaction.atomic():
        for start in range(0, len(rows), CHUNK):
            _apply_chunk(rows[start : start + CHUNK], municipality, report, acting_user, moved_district)
            progress(min(start + CHUNK, len(rows)), len(rows))
        moved_out = _mark_moved_out(rows, municipality, report, acting_user, today, max_moved_out_share) if full else []
        if moved_out or moved_district:
            from backa.roles.services import handle_register_moves

            report.handovers = handle_register_moves(
                moved_out_ids=moved_out, moved_district_ids=moved_district, acting_user=acting_user, on=today
            )
    return report


def _mark_moved_out(rows, municipality, report, acting_user, today, max_share) -> list:
    """Registered children under 18 not in this full extract: mark them moved out (ids returned)."""
    listed = {row.pnr_hash for row in rows}
    registered = Child.objects.filter(
        municipality=municipality,
        moved_out_on__isnull=True,
        pnr_hash__isnull=False,
        birth_date__gt=add_years(today, -18),
    ).values_list("id", "pnr_hash")
    eligible = 0
    missing = []
    for child_id, pnr_hash in registered.iterator(chunk_size=10000):
        eligible += 1
        if pnr_hash not in listed:
            missing.append(child_id)
    if len(missing) > max(MOVED_OUT_ALWAYS_ALLOWED, max_share * eligible):
        raise RegisterConflict(
            0,
            _(
                "The full extract lacks %(missing)s of the %(registered)s children registered here, "
                "more than the %(share)s %% allowed: is it cut off, or a partial extract?"
            )
            % {"missing": len(missing), "registered": eligible, "share": round(100 * max_share)},
        )
    for start in range(0, len(missing), CHUNK):
        Child.objects.filter(pk__in=missing[start : start + CHUNK]).update(
            moved_out_on=today, updated_at=timezone.now()
        )
    log_access_many(
        user=acting_user,
        action=Action.UPDATE,
        children=Child.objects.filter(among("id", missing)).only("id", "municipality_id", "protected_identity")
        if missing
        else [],
        purpose=Purpose.REGISTER_MOVED_OUT,
    )
    report.moved_out = len(missing)
    return missing


# What a rerun compares, fetched as plain tuples: building model instances (and fetching the
# encrypted number) for every unchanged child was most of the "nothing changed" time.
CHILD_COMPARED = ("given_name", "family_name", "sex", "home_district_id", "protected_identity", "birth_date")
CHILD_FETCHED = ("pnr_hash", "id", "municipality_id", "moved_out_on", "version") + CHILD_COMPARED
GUARDIAN_FETCHED = ("pnr_hash", "id", "given_name", "family_name", "protected_identity")


def _apply_chunk(rows, municipality, report, acting_user, moved_district):
    hashes = {row.number.digits: identity.lookup_hash(row.number) for row in rows}
    existing = {
        values[0]: dict(zip(CHILD_FETCHED, values, strict=True))
        for values in Child.objects.filter(among("pnr_hash", hashes.values())).values_list(*CHILD_FETCHED)
    }
    g_hashes = {g.number.digits: identity.lookup_hash(g.number) for row in rows for g in row.guardians}
    guardians = {
        values[0]: dict(zip(GUARDIAN_FETCHED, values, strict=True))
        for values in Guardian.objects.filter(among("pnr_hash", set(g_hashes.values()))).values_list(*GUARDIAN_FETCHED)
    }
    created, updated, g_created, g_updated = [], [], [], {}
    now = timezone.now()
    for row in rows:
        row.pnr_hash = hashes[row.number.digits]
        have = existing.get(row.pnr_hash)
        wanted = {
            "given_name": row.given_name[:100],
            "family_name": row.family_name[:100],
            "sex": row.sex,
            "home_district_id": row.district_id,
            "protected_identity": row.protected,
            "birth_date": row.number.birth_date,
        }
        if have is None:
            child = Child(id=uuid.uuid4(), municipality=municipality, **wanted)
            child.set_identity_number(row.number)
            existing[child.pnr_hash] = {
                "id": child.pk,
                "municipality_id": municipality.id,
                "moved_out_on": None,
                "version": child.version,
                **wanted,
            }
            created.append(child)
            row.child_id = child.pk
            _link_guardians(row, municipality, g_hashes, guardians, g_created, g_updated)
            continue
        row.child_id = have["id"]
        if have["municipality_id"] != municipality.id:
            raise RegisterConflict(
                row.line,
                _(
                    "The child is registered in another municipality; a move between "
                    "municipalities is a handover, not an import."
                ),
            )
        if any(have[key] != value for key, value in wanted.items()) or have["moved_out_on"] is not None:
            if have["home_district_id"] != row.district_id:
                report.moved += 1
                if row.district_id is not None:
                    moved_district.append(have["id"])
            if have["moved_out_on"] is not None:
                report.moved_back += 1
            have.update(wanted, moved_out_on=None, version=have["version"] + 1)
            # Only the listed fields are written (bulk_update by primary key).
            updated.append(
                Child(
                    id=have["id"],
                    municipality_id=municipality.id,
                    moved_out_on=None,
                    version=have["version"],
                    updated_at=now,
                    **wanted,
                )
            )
        _link_guardians(row, municipality, g_hashes, guardians, g_created, g_updated)
    _write_chunk(municipality, report, acting_user, rows, created, updated, g_created, g_updated)


def _link_guardians(row, municipality, g_hashes, guardians, g_created, g_updated):
    for g_row in row.guardians:
        key = g_hashes[g_row.number.digits]
        have = guardians.get(key)
        if have is None:
            guardian = Guardian(
                id=uuid.uuid4(),
                municipality=municipality,
                given_name=g_row.given_name,
                family_name=g_row.family_name,
                protected_identity=row.protected,
            )
            guardian.set_identity_number(g_row.number)
            guardians[key] = {
                "id": guardian.pk,
                "given_name": guardian.given_name,
                "family_name": guardian.family_name,
                "protected_identity": guardian.protected_identity,
                "new": guardian,
            }
            g_created.append(guardian)
        else:
            # A guardian's protection follows any protected child in their custody, and is never lifted here.
            want = (g_row.given_name, g_row.family_name, have["protected_identity"] or row.protected)
            if (have["given_name"], have["family_name"], have["protected_identity"]) != want:
                have["given_name"], have["family_name"], have["protected_identity"] = want
                if "new" in have:  # created in this chunk: not yet written, change the instance
                    new = have["new"]
                    new.given_name, new.family_name, new.protected_identity = want
                else:
                    g_updated[have["id"]] = Guardian(
                        id=have["id"], given_name=want[0], family_name=want[1], protected_identity=want[2]
                    )
        g_row.guardian_id = guardians[key]["id"]


def _write_chunk(municipality, report, acting_user, rows, created, updated, g_created, g_updated):
    copy_insert(Guardian, g_created)
    if g_updated:
        Guardian.objects.bulk_update(
            list(g_updated.values()), ["given_name", "family_name", "protected_identity"], batch_size=2000
        )
    copy_insert(Child, created)
    if updated:
        Child.objects.bulk_update(
            updated,
            [
                "given_name",
                "family_name",
                "sex",
                "home_district",
                "protected_identity",
                "birth_date",
                "moved_out_on",
                "version",
                "updated_at",
            ],
            batch_size=2000,
        )
    pairs = {(row.child_id, g.guardian_id) for row in rows for g in row.guardians}
    have = (
        set(Custody.objects.filter(among("child__id", {p[0] for p in pairs})).values_list("child_id", "guardian_id"))
        if pairs
        else set()
    )
    custodies = [
        Custody(id=uuid.uuid4(), child_id=c, guardian_id=g, municipality=municipality, has_custody=True)
        for c, g in sorted(pairs - have)
    ]
    copy_insert(Custody, custodies)
    log_access_many(user=acting_user, action=Action.CREATE, children=created, purpose=Purpose.REGISTER_IMPORT)
    log_access_many(user=acting_user, action=Action.UPDATE, children=updated, purpose=Purpose.REGISTER_IMPORT)
    report.children_created += len(created)
    report.children_updated += len(updated)
    report.guardians_created += len(g_created)
    report.guardians_updated += len(g_updated)
    report.custodies_created += len(custodies)


def children_by_number_hash(hashes) -> dict:
    """{pnr_hash: child} for imports that match on identity number (SS 12000), enrolments prefetched."""
    return {c.pnr_hash: c for c in Child.objects.filter(pnr_hash__in=list(hashes)).prefetch_related("enrolments")}
