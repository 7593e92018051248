"""The Swedish catalogues are complete: no entry left untranslated or fuzzy, and every
compiled .mo is as new as its .po (the server reads the .mo files; they are committed)."""

import ast
import gettext
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def entries(po: Path):
    """[(flags, msgid, [msgstr, ...])] of a .po file, the header and obsolete entries left out."""
    found, flags, fields, current = [], set(), {}, None

    def flush():
        if "msgid" in fields and fields["msgid"]:
            found.append((set(flags), fields["msgid"], [v for k, v in fields.items() if k.startswith("msgstr")]))

    for raw in po.read_text(encoding="utf-8").splitlines() + [""]:
        line = raw.strip()
        if not line:
            flush()
            flags, fields, current = set(), {}, None
        elif line.startswith("#~"):
            continue
        elif line.startswith("#,"):
            flags |= {f.strip() for f in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            fields[current] += ast.literal_eval(line)
        else:
            key, _space, value = line.partition(" ")
            current = key
            fields[key] = ast.literal_eval(value)
    return found


def catalogues():
    return sorted(ROOT.glob("**/locale/sv/LC_MESSAGES/django.po"))


def test_there_are_catalogues():
    assert len(catalogues()) >= 5


def test_every_swedish_entry_is_translated_and_none_is_fuzzy():
    problems = []
    for po in catalogues():
        for flags, msgid, msgstrs in entries(po):
            if "fuzzy" in flags:
                problems.append(f"{po.relative_to(ROOT)}: fuzzy: {msgid!r}")
            elif not msgstrs or any(not s for s in msgstrs):
                problems.append(f"{po.relative_to(ROOT)}: untranslated: {msgid!r}")
    assert not problems, "\n".join(problems)


def test_every_catalogue_is_compiled_from_its_source():
    """The .mo the server reads says what the .po says (msgfmt was run after the last edit)."""
    stale = []
    for po in catalogues():
        mo = po.with_suffix(".mo")
        if not mo.exists():
            stale.append(str(po.relative_to(ROOT)))
            continue
        with mo.open("rb") as handle:
            compiled = gettext.GNUTranslations(handle)._catalog  # noqa: SLF001 - the parsed .mo, read-only
        for _flags, msgid, msgstrs in entries(po):
            key = msgid if len(msgstrs) == 1 else (msgid, 0)
            if compiled.get(key) != msgstrs[0]:
                stale.append(f"{po.relative_to(ROOT)}: {msgid!r}")
                break
    assert not stale, "run msgfmt for: " + ", ".join(stale)
