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
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from backa.audit.log import Action, log_access_many
from backa.audit.vocabulary import Purpose
from backa.children.lifephase import add_years
from backa.children.models import (
    Child,
    Custody,
    FormerIdentity,
    Guardian,
    PotentialDuplicate,
    RegisterEvent,
    Sex,
    child_ids_by_former_hash,
)
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
# Format v2 adds the register's events to each row (docs/register-format.md, "Events"):
# what happened to the child and when, and the number the child had before.
EVENT_COLUMNS = ["handelse", "handelsedatum", "tidigare_personnummer"]
HEADER_V2 = HEADER + EVENT_COLUMNS
DECEASED, EMIGRATED, MOVED_AWAY = "AVLIDEN", "UTVANDRAD", "UTFLYTTAD"
EVENTS = (DECEASED, EMIGRATED, MOVED_AWAY)
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
    event: str = ""  # "", AVLIDEN, UTVANDRAD or UTFLYTTAD
    event_on: date | None = None
    former: identity.IdentityNumber | None = None  # the number the child had before this one
    # A v2 row lists every guardian with custody: custody is recalculated from it.
    lists_custody: bool = False


@dataclass
class ParseResult:
    rows: list[RegisterRow] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line, message)
    data_rows: int = 0
    declared_full: bool | None = None  # fixed-width only: what the start record says
    columns: list[str] = field(default_factory=lambda: list(HEADER))  # the header read: v1 or v2

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
    identity_changes: int = 0  # children who kept their file under a new number
    custodies_changed: int = 0  # custody lost or regained (format v2)
    consents_flagged: int = 0  # consents a guardian gave who lost custody: to be reviewed
    events: int = 0  # rows of the children's register history written
    potential_duplicates: int = 0  # new children that may be a child we already have (flagged, never merged)

    @property
    def changes(self) -> int:
        return (
            self.children_created
            + self.children_updated
            + self.guardians_created
            + self.guardians_updated
            + self.custodies_created
            + self.moved_out
            + self.identity_changes
            + self.custodies_changed
            + self.events
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
                names = [f.strip().lower() for f in fields]
                if names not in (HEADER, HEADER_V2):
                    result.error(
                        line,
                        _("The first line must be the header: %(header)s (format v2 adds ;%(events)s)")
                        % {"header": DELIMITER.join(HEADER), "events": DELIMITER.join(EVENT_COLUMNS)},
                    )
                    return result
                result.columns = names
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
    for row in result.rows:
        if row.former is not None and row.former.digits in seen:
            result.error(
                row.line,
                _("tidigare_personnummer: the number of the child on line %(other)s; one of them is wrong.")
                % {"other": seen[row.former.digits]},
            )
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
    columns = result.columns
    if len(fields) != len(columns):
        bad(_("Expected %(expected)s columns, found %(found)s.") % {"expected": len(columns), "found": len(fields)})
        return
    values = dict(zip(columns, (f.strip() for f in fields), strict=True))
    values.update({column: values.get(column, "") for column in EVENT_COLUMNS})
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
    event, event_on, former = _parse_event(values, number, bad, today)
    protected = values["skyddad"].upper()
    if protected not in ("J", "N"):
        bad(_("skyddad: write J or N."))
    district_code = values["folkbokforingsdistrikt"].upper()
    district_id = districts.get(district_code) if district_code else None
    if district_code and district_id is None:
        # Never echo the value: for a protected person even the district is address data.
        bad(_("folkbokforingsdistrikt: unknown district code for this municipality."))
    elif not district_code and protected != "J" and not event:
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
        RegisterRow(
            line,
            number,
            values["fornamn"],
            values["efternamn"],
            sex,
            district_id,
            protected == "J",
            guardians,
            event=event,
            event_on=event_on,
            former=former,
            lists_custody=columns == HEADER_V2 and bool(guardians),  # no guardian listed: custody left as it is
        )
    )


def _parse_event(values, number, bad, today):
    """(event, its date, the former number) of a v2 row; problems go to bad()."""
    event = values["handelse"].upper()
    event_on = former = None
    unknown = bool(event) and event not in EVENTS
    if unknown:
        bad(_("handelse: write %(events)s or leave empty.") % {"events": ", ".join(EVENTS)})
    raw_day = values["handelsedatum"].replace("-", "")
    if raw_day:
        try:
            event_on = date(int(raw_day[:4]), int(raw_day[4:6]), int(raw_day[6:8])) if len(raw_day) == 8 else None
        except ValueError:
            event_on = None
        if event_on is None:
            bad(_("handelsedatum: write the date as YYYY-MM-DD."))
        elif event_on > today:
            bad(_("handelsedatum: the date is in the future."))
        elif number is not None and event_on < number.birth_date:
            bad(_("handelsedatum: the date is before the child was born."))
        elif not event:
            bad(_("handelsedatum: a date needs an event (handelse)."))
    elif event and not unknown:
        bad(_("handelsedatum: an event needs its date."))
    if values["tidigare_personnummer"]:
        try:
            former = identity.parse(values["tidigare_personnummer"], today=today)
        except identity.InvalidIdentityNumber as exc:
            bad(_("tidigare_personnummer: %(reason)s") % {"reason": exc.message})
        else:
            if number is not None and former.digits == number.digits:
                bad(_("tidigare_personnummer: the same number as personnummer."))
                former = None
    return event, event_on, former


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
    registered child missing from it is no longer registered here: marked `moved_out_on`
    (reason "not listed": the register did not say why) and handed over (closing task for
    the barnkontakt). A partial extract (the default) says nothing about children it does
    not list. Children whose home district changed get a handover where their barnkontakt
    should change, with either kind of extract. Format v2 rows carry the register's events:
    a new identity number (in place), death, emigration, a move away; and the complete
    custody (docs/register-format.md).
    """
    report = ImportReport()
    progress = progress or (lambda done, total: None)
    today = today or timezone.localdate()
    moves = _Moves()
    with transaction.atomic():
        for start in range(0, len(rows), CHUNK):
            _apply_chunk(rows[start : start + CHUNK], municipality, report, acting_user, moves, today)
            progress(min(start + CHUNK, len(rows)), len(rows))
        if full:
            moves.moved_out += _mark_moved_out(rows, municipality, report, acting_user, today, max_moved_out_share)
        from backa.roles.services import handle_register_deaths, handle_register_moves

        if moves.deceased:
            report.handovers.update(handle_register_deaths(child_ids=moves.deceased, acting_user=acting_user, on=today))
            _withdraw_invitations(moves.deceased, acting_user)
        if moves.moved_out or moves.district:
            for outcome, count in handle_register_moves(
                moved_out_ids=moves.moved_out, moved_district_ids=moves.district, acting_user=acting_user, on=today
            ).items():
                report.handovers[outcome] = report.handovers.get(outcome, 0) + count
        if moves.lost_custody:
            report.consents_flagged = _flag_consents(moves.lost_custody, today)
    return report


@dataclass
class _Moves:
    """What the roles, the consents and the handovers must follow after the rows are written."""

    district: list = field(default_factory=list)
    moved_out: list = field(default_factory=list)
    deceased: list = field(default_factory=list)
    lost_custody: list = field(default_factory=list)  # (child id, guardian id)


def _withdraw_invitations(child_ids, acting_user):
    """A deceased child's unanswered team invitations: withdrawn, so nobody is asked to join."""
    from backa.casefile.models import TeamInvitation

    pending = TeamInvitation.objects.filter(child_id__in=child_ids, status=TeamInvitation.Status.PENDING)
    children = Child.objects.filter(pk__in=pending.values("child_id")).only(
        "id", "municipality_id", "protected_identity"
    )
    log_access_many(user=acting_user, action=Action.UPDATE, children=list(children), purpose=Purpose.REGISTER_DECEASED)
    pending.update(status=TeamInvitation.Status.WITHDRAWN, answered_at=timezone.now())


def _flag_consents(lost_custody, today) -> int:
    """Consents in force that a guardian gave who no longer has custody: flagged for review
    (not withdrawn: whoever has custody now decides, and the barnkontakt asks them)."""
    from backa.consent.models import Consent, ConsentGiver, ConsentStatus

    flagged = 0
    for child_id, guardian_id in lost_custody:
        given = ConsentGiver.objects.filter(guardian_id=guardian_id, consent__child_id=child_id).values("consent_id")
        flagged += Consent.objects.filter(
            pk__in=given,
            status=ConsentStatus.ACTIVE,
            withdrawn_at__isnull=True,
            valid_to__gte=today,
            custody_review_since__isnull=True,
        ).update(custody_review_since=today)
    return flagged


def _mark_moved_out(rows, municipality, report, acting_user, today, max_share) -> list:
    """Registered children under 18 not in this full extract: mark them no longer registered
    here (ids returned). The register did not say why (a move, an emigration, a death it has
    not sent yet): the reason stays "not listed", never "moved"."""
    listed = {row.pnr_hash for row in rows} | {row.former_hash for row in rows if row.former_hash}
    registered = Child.objects.filter(
        municipality=municipality,
        moved_out_on__isnull=True,
        deceased_on__isnull=True,
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
            moved_out_on=today, moved_out_reason=NOT_LISTED, updated_at=timezone.now()
        )
    RegisterEvent.objects.bulk_create(
        [
            RegisterEvent(
                child_id=child_id, municipality=municipality, kind=RegisterEvent.Kind.NOT_LISTED, occurred_on=today
            )
            for child_id in missing
        ],
        batch_size=2000,
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


# moved_out_reason values (Child.moved_out_reason)
MOVED, EMIGRATED_REASON, NOT_LISTED = "moved", "emigrated", "not_listed"
REASON_OF_EVENT = {EMIGRATED: EMIGRATED_REASON, MOVED_AWAY: MOVED}
EVENT_OF_REASON = {
    MOVED: RegisterEvent.Kind.MOVED_OUT,
    EMIGRATED_REASON: RegisterEvent.Kind.EMIGRATED,
}

# What a rerun compares, fetched as plain tuples: building model instances (and fetching the
# encrypted number) for every unchanged child was most of the "nothing changed" time.
CHILD_COMPARED = (
    "given_name",
    "family_name",
    "sex",
    "home_district_id",
    "protected_identity",
    "birth_date",
    "moved_out_on",
    "moved_out_reason",
    "deceased_on",
)
CHILD_FETCHED = ("pnr_hash", "id", "municipality_id", "version") + CHILD_COMPARED
GUARDIAN_FETCHED = ("pnr_hash", "id", "given_name", "family_name", "protected_identity")


def _existing_children(hashes, former_hashes):
    """{hash: compared values} for the rows' numbers: a child found by its current number, or
    by a former one (the row's number, or the row's tidigare_personnummer, was the child's)."""
    wanted = set(hashes) | set(former_hashes)
    former = child_ids_by_former_hash(wanted)
    found = Child.objects.filter(among("pnr_hash", wanted) | among("id", set(former.values())))
    by_id = {values[1]: dict(zip(CHILD_FETCHED, values, strict=True)) for values in found.values_list(*CHILD_FETCHED)}
    existing = {have["pnr_hash"]: have for have in by_id.values()}
    for former_hash, child_id in former.items():
        if child_id in by_id:
            existing.setdefault(former_hash, by_id[child_id])
    known_former = {(h, child_id) for h, child_id in former.items()}
    return existing, known_former


def _apply_chunk(rows, municipality, report, acting_user, moves, today):
    hashes = {row.number.digits: identity.lookup_hash(row.number) for row in rows}
    for row in rows:
        row.pnr_hash = hashes[row.number.digits]
        row.former_hash = identity.lookup_hash(row.former) if row.former is not None else None
    existing, known_former = _existing_children(hashes.values(), [r.former_hash for r in rows if r.former_hash])
    g_hashes = {g.number.digits: identity.lookup_hash(g.number) for row in rows for g in row.guardians}
    guardians = {
        values[0]: dict(zip(GUARDIAN_FETCHED, values, strict=True))
        for values in Guardian.objects.filter(among("pnr_hash", set(g_hashes.values()))).values_list(*GUARDIAN_FETCHED)
    }
    created, updated, g_created, g_updated = [], [], [], {}
    renumbered, former_new, events = [], [], []
    now = timezone.now()
    for row in rows:
        have = existing.get(row.pnr_hash)
        by_former = existing.get(row.former_hash) if row.former_hash else None
        if have is not None and by_former is not None and have["id"] != by_former["id"]:
            raise RegisterConflict(
                row.line,
                _(
                    "The number and the former number belong to two children here: they are one child, "
                    "and the two files must be merged before the register can link them."
                ),
            )
        renumbering = have is None and by_former is not None
        if renumbering:
            # The register gave the child a new number (samordningsnummer → personnummer, or a
            # corrected one): the same child, file and roles under the new number.
            have = by_former
            renumbered.append((row, have))
            existing[row.pnr_hash] = have
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
            _apply_event(row, {}, {})
            for key in ("moved_out_on", "moved_out_reason", "deceased_on"):
                setattr(child, key, getattr(row, "_" + key))
            existing[child.pnr_hash] = {
                "id": child.pk,
                "municipality_id": municipality.id,
                "version": child.version,
                **wanted,
                "moved_out_on": child.moved_out_on,
                "moved_out_reason": child.moved_out_reason,
                "deceased_on": child.deceased_on,
            }
            created.append(child)
            row.child_id = child.pk
            if row.former_hash and (row.former_hash, child.pk) not in known_former:
                former_new.append((row, child.pk))
                known_former.add((row.former_hash, child.pk))
            events += _events_for(row, child.pk, None, existing[child.pnr_hash], today)
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
        if (
            row.former_hash
            and (row.former_hash, have["id"]) not in known_former
            and (renumbering or have["pnr_hash"] != row.former_hash)
        ):
            former_new.append((row, have["id"]))
            known_former.add((row.former_hash, have["id"]))
        if event_district_kept := (row.event and row.district_id is None and not row.protected):
            wanted["home_district_id"] = have["home_district_id"]  # an event row may leave the address out
        _apply_event(row, have, wanted)
        wanted.update(
            moved_out_on=row._moved_out_on, moved_out_reason=row._moved_out_reason, deceased_on=row._deceased_on
        )
        if any(have[key] != value for key, value in wanted.items()):
            before = dict(have)
            if have["home_district_id"] != wanted["home_district_id"] and not event_district_kept:
                report.moved += 1
                if (
                    wanted["home_district_id"] is not None
                    and wanted["moved_out_on"] is None
                    and not wanted["deceased_on"]
                ):
                    moves.district.append(have["id"])
            if have["moved_out_on"] is not None and wanted["moved_out_on"] is None:
                report.moved_back += 1
            have.update(wanted, version=have["version"] + 1)
            events += _events_for(row, have["id"], before, have, today)
            if before["deceased_on"] is None and have["deceased_on"] is not None:
                moves.deceased.append(have["id"])
            elif (
                have["moved_out_on"] is not None
                and not have["deceased_on"]
                and (before["moved_out_on"] is None or before["moved_out_reason"] != have["moved_out_reason"])
            ):
                moves.moved_out.append(have["id"])
            # Only the listed fields are written (bulk_update by primary key).
            updated.append(
                Child(
                    id=have["id"],
                    municipality_id=municipality.id,
                    version=have["version"],
                    updated_at=now,
                    **wanted,
                )
            )
        _link_guardians(row, municipality, g_hashes, guardians, g_created, g_updated)
    _renumber(renumbered, municipality, report, acting_user, events, today)
    FormerIdentity.objects.bulk_create(
        [
            FormerIdentity(
                child_id=child_id,
                municipality=municipality,
                id_type=row.former.kind,
                pnr_hash=row.former_hash,
                replaced_on=row.event_on or today,
            )
            for row, child_id in former_new
        ]
    )
    _write_chunk(municipality, report, acting_user, rows, created, updated, g_created, g_updated, moves, events, today)


def _apply_event(row, have, wanted):
    """The row's moved-out and deceased state, from its event and what the child had.
    A death is never undone by a later row; a row without a move event registers the child here."""
    row._deceased_on = have.get("deceased_on") or (row.event_on if row.event == DECEASED else None)
    if row.event in REASON_OF_EVENT:
        row._moved_out_on = have.get("moved_out_on") or row.event_on
        row._moved_out_reason = (
            REASON_OF_EVENT[row.event]
            if have.get("moved_out_reason") in ("", None, NOT_LISTED)
            else have["moved_out_reason"]
        )
    else:
        row._moved_out_on, row._moved_out_reason = None, ""


def _events_for(row, child_id, before, after, today) -> list:
    """The child's history: what this row changed, as register events (codes and dates only)."""
    found = []
    kind = RegisterEvent.Kind
    if after["deceased_on"] and (before is None or not before["deceased_on"]):
        found.append((child_id, kind.DECEASED, after["deceased_on"], {}))
    moved_now = after["moved_out_on"] is not None
    moved_before = before is not None and before["moved_out_on"] is not None
    if moved_now and (not moved_before or before["moved_out_reason"] != after["moved_out_reason"]):
        found.append((child_id, EVENT_OF_REASON[after["moved_out_reason"]], after["moved_out_on"], {}))
    if moved_before and not moved_now:
        found.append((child_id, kind.MOVED_BACK, today, {}))
    if before is not None and before["protected_identity"] != after["protected_identity"]:
        found.append(
            (child_id, kind.PROTECTION_ADDED if after["protected_identity"] else kind.PROTECTION_LIFTED, today, {})
        )
    return found


def _renumber(renumbered, municipality, report, acting_user, events, today):
    """Move each child's identity to the new number in place, the old one kept as a former identity."""
    if not renumbered:
        return
    changed = []
    for row, have in renumbered:
        child = Child(id=have["id"], municipality_id=municipality.id)
        old_hash = have["pnr_hash"]
        old_kind = Child.objects.filter(pk=have["id"]).values_list("id_type", flat=True).get()
        child.set_identity_number(row.number)
        Child.objects.filter(pk=have["id"]).update(
            id_type=child.id_type,
            pnr_encrypted=child.pnr_encrypted,
            pnr_key_id=child.pnr_key_id,
            pnr_hash=child.pnr_hash,
            updated_at=timezone.now(),
        )
        if old_hash and old_hash != row.former_hash and not FormerIdentity.objects.filter(pnr_hash=old_hash).exists():
            FormerIdentity.objects.create(
                child_id=have["id"], municipality=municipality, id_type=old_kind, pnr_hash=old_hash, replaced_on=today
            )
        have["pnr_hash"] = child.pnr_hash
        events.append(
            (
                have["id"],
                RegisterEvent.Kind.IDENTITY_CHANGED,
                row.event_on or today,
                {"from": old_kind, "to": child.id_type},
            )
        )
        changed.append(
            Child(id=have["id"], municipality_id=municipality.id, protected_identity=have["protected_identity"])
        )
    log_access_many(user=acting_user, action=Action.UPDATE, children=changed, purpose=Purpose.REGISTER_IDENTITY_CHANGE)
    report.identity_changes += len(changed)


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


def _write_chunk(municipality, report, acting_user, rows, created, updated, g_created, g_updated, moves, events, today):
    copy_insert(Guardian, g_created)
    if g_updated:
        Guardian.objects.bulk_update(
            list(g_updated.values()), ["given_name", "family_name", "protected_identity"], batch_size=2000
        )
    copy_insert(Child, created)
    report.potential_duplicates += _flag_duplicates(created, municipality)
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
                "moved_out_reason",
                "deceased_on",
                "version",
                "updated_at",
            ],
            batch_size=2000,
        )
    pairs = {(row.child_id, g.guardian_id) for row in rows for g in row.guardians}
    have = (
        {
            (c, g): (pk, custody)
            for pk, c, g, custody in Custody.objects.filter(
                among("child__id", {row.child_id for row in rows})
            ).values_list("id", "child_id", "guardian_id", "has_custody")
        }
        if pairs or any(row.lists_custody for row in rows)
        else {}
    )
    custodies = [
        Custody(
            id=uuid.uuid4(), child_id=c, guardian_id=g, municipality=municipality, has_custody=True, valid_from=None
        )
        for c, g in sorted(pairs - set(have))
    ]
    copy_insert(Custody, custodies)
    events += _recalculate_custody(rows, have, pairs, {c.pk for c in created}, report, moves, today)
    RegisterEvent.objects.bulk_create(
        [
            RegisterEvent(child_id=c, municipality=municipality, kind=k, occurred_on=on, details=details)
            for c, k, on, details in events
        ],
        batch_size=2000,
    )
    log_access_many(user=acting_user, action=Action.CREATE, children=created, purpose=Purpose.REGISTER_IMPORT)
    log_access_many(user=acting_user, action=Action.UPDATE, children=updated, purpose=Purpose.REGISTER_IMPORT)
    report.children_created += len(created)
    report.children_updated += len(updated)
    report.guardians_created += len(g_created)
    report.guardians_updated += len(g_updated)
    report.custodies_created += len(custodies)
    report.events += len(events)


def _flag_duplicates(created, municipality) -> int:
    """New children with the birth date and both names of another child here, under another
    number: flagged on both files (people decide; nothing is merged). Twins share a birth date
    and a family name but not a given name, so they are never flagged."""
    if not created:
        return 0
    key = lambda given, family, born: (given.casefold(), family.casefold(), born)  # noqa: E731
    new = {}
    for child in created:
        if child.birth_date is not None:
            new.setdefault(key(child.given_name, child.family_name, child.birth_date), []).append(child)
    candidates = Child.objects.filter(
        birth_date__in=sorted({k[2] for k in new}), municipality=municipality
    ).values_list("id", "given_name", "family_name", "birth_date", "id_type")
    flags = []
    for other_id, given, family, born, other_kind in candidates.iterator(chunk_size=5000):
        for child in new.get(key(given, family, born), []):
            if child.pk == other_id:
                continue
            coordination = identity.SAMORDNINGSNUMMER in (child.id_type, other_kind)
            reason = PotentialDuplicate.Reason.COORDINATION if coordination else PotentialDuplicate.Reason.SAME_NAMES
            flags.append(
                PotentialDuplicate(child_id=child.pk, other_id=other_id, municipality=municipality, reason=reason)
            )
            flags.append(
                PotentialDuplicate(child_id=other_id, other_id=child.pk, municipality=municipality, reason=reason)
            )
    PotentialDuplicate.objects.bulk_create(flags, ignore_conflicts=True, batch_size=2000)
    return len({f.child_id for f in flags} & {c.pk for c in created})


def _recalculate_custody(rows, have, pairs, created_ids, report, moves, today) -> list:
    """A v2 row lists every guardian with custody: others lose it, listed ones have it (again).
    Links are kept (has_custody off, valid_to set), never deleted: consents name their givers."""
    lose, regain, events = [], [], []
    for row in rows:
        if not row.lists_custody or row.child_id in created_ids:
            continue
        listed = {g.guardian_id for g in row.guardians}
        lost = [(pk, g) for (c, g), (pk, custody) in have.items() if c == row.child_id and custody and g not in listed]
        gained = [pk for (c, g), (pk, custody) in have.items() if c == row.child_id and not custody and g in listed]
        gained_new = sum(1 for c, g in pairs if c == row.child_id and (c, g) not in have)
        if not (lost or gained or gained_new):
            continue
        lose += [pk for pk, _g in lost]
        regain += gained
        moves.lost_custody += [(row.child_id, g) for _pk, g in lost]
        events.append(
            (
                row.child_id,
                RegisterEvent.Kind.CUSTODY_CHANGED,
                today,
                {"lost": len(lost), "gained": len(gained) + gained_new},
            )
        )
    if lose:
        Custody.objects.filter(pk__in=lose).update(has_custody=False, valid_to=today)
    if regain:
        Custody.objects.filter(pk__in=regain).update(has_custody=True, valid_to=None)
    report.custodies_changed += len(lose) + len(regain)
    return events


def children_by_number_hash(hashes) -> dict:
    """{pnr_hash: child} for imports that match on identity number (SS 12000), enrolments prefetched.
    A school system that still has the child's former number (a samordningsnummer since
    replaced) finds the same child."""
    hashes = list(hashes)
    former = child_ids_by_former_hash(hashes)
    found = {
        c.pk: c
        for c in Child.objects.filter(Q(pnr_hash__in=hashes) | Q(pk__in=list(former.values()))).prefetch_related(
            "enrolments"
        )
    }
    by_hash = {c.pnr_hash: c for c in found.values()}
    by_hash.update({h: found[child_id] for h, child_id in former.items() if child_id in found})
    return by_hash
