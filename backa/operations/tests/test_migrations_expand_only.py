"""R15 in the suite: every new migration is expand-only, so version N keeps running on N+1's schema.

The drill `operations/drills/test_r15_migrations_n_and_n_plus_1.py` proves it end to end
(the previous version's code writing on the migrated database); this test catches the usual
mistakes the moment a migration is written:
  - a NOT NULL column added without a database default (N's INSERTs do not name it);
  - a column made NOT NULL, or its type changed, in place;
  - a column or table renamed or dropped (N still reads it).
A contracting step that is really meant (after the release that stopped using the column) says
so in the migration: `contract = "why it is safe: which release stopped using it"`.
Migrations released before this rule are listed in migration_baseline.txt and not checked.
"""

from pathlib import Path

from django.core.exceptions import FieldDoesNotExist
from django.db import connection, migrations
from django.db.migrations.loader import MigrationLoader

BASELINE = Path(__file__).resolve().parent / "migration_baseline.txt"
CONTRACTING = (
    migrations.RemoveField,
    migrations.DeleteModel,
    migrations.RenameField,
    migrations.RenameModel,
    migrations.AlterModelTable,
)


def our_migrations(loader):
    return sorted(key for key in loader.disk_migrations if key[0] in loader.migrated_apps and _ours(loader, key))


def _ours(loader, key):
    module = loader.disk_migrations[key].__module__
    return module.startswith("backa.")


def problems_of(loader, key) -> list[str]:
    migration = loader.disk_migrations[key]
    if getattr(migration, "contract", ""):
        return []
    found = []
    state = loader.project_state(key, at_end=False)
    for op in migration.operations:
        name = f"{key[0]}.{key[1]}: {op.describe()}"
        if isinstance(op, CONTRACTING):
            found.append(f"{name} — contracts the schema version N still uses")
        elif isinstance(op, migrations.AddField):
            field = op.field
            if not field.many_to_many and not field.null and not field.has_db_default():
                found.append(f"{name} — NOT NULL without db_default: version N's inserts fail")
        elif isinstance(op, migrations.AlterField):
            try:
                old = state.apps.get_model(key[0], op.model_name)._meta.get_field(op.name)
            except (LookupError, KeyError, FieldDoesNotExist):
                continue
            new = op.field
            if old.null and not new.null:
                found.append(f"{name} — made NOT NULL in place")
            elif old.is_relation or new.is_relation:
                continue  # the key's type follows the target's primary key
            elif old.db_type(connection) != new.db_type(connection) and not _widening(old, new):
                found.append(
                    f"{name} — column type changed in place ({old.db_type(connection)} → {new.db_type(connection)})"
                )
    return found


def _widening(old, new) -> bool:
    """varchar(n) → varchar(m ≥ n) or → text: version N's values still fit."""
    o, n = old.db_type(connection) or "", new.db_type(connection) or ""
    if o.startswith("varchar") and n == "text":
        return True
    if o.startswith("varchar(") and n.startswith("varchar("):
        return int(n[8:-1]) >= int(o[8:-1])
    return False


def test_every_migration_after_the_baseline_is_expand_only():
    loader = MigrationLoader(None, ignore_no_migrations=True)
    baseline = {tuple(line.split(".", 1)) for line in BASELINE.read_text().split() if line}
    new = [key for key in our_migrations(loader) if key not in baseline]
    found = [p for key in new for p in problems_of(loader, key)]
    assert not found, "migrations that break version N on the new schema:\n" + "\n".join(found)


def test_the_check_finds_what_it_looks_for():
    # The check itself must be able to fail: the grandfathered migrations hold real cases of each kind.
    loader = MigrationLoader(None, ignore_no_migrations=True)
    every = [p for key in our_migrations(loader) for p in problems_of(loader, key)]
    assert any("NOT NULL without db_default" in p for p in every)
    assert any("contracts the schema" in p for p in every)


def test_the_baseline_names_only_migrations_that_exist():
    loader = MigrationLoader(None, ignore_no_migrations=True)
    baseline = {tuple(line.split(".", 1)) for line in BASELINE.read_text().split() if line}
    assert baseline <= set(loader.disk_migrations), sorted(baseline - set(loader.disk_migrations))
