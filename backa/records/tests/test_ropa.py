"""The record of processing covers every model: a new model without an entry fails here."""

import pytest
from django.apps import apps

from backa.records.ropa import ENTRIES, NOT_PERSONAL, missing_entries, rows, stale_entries
from backa.records.rules import ensure_default_rules


def test_every_model_has_an_entry_or_a_reason():
    missing = missing_entries()
    assert not missing, (
        "Models with neither an entry in backa/records/ropa.py ENTRIES (personal data: one line, "
        "categories, legal basis, recipients, retention) nor a reason in NOT_PERSONAL: " + ", ".join(missing)
    )
    assert not stale_entries()
    assert not set(ENTRIES) & set(NOT_PERSONAL)


def test_a_model_holding_personal_data_cannot_hide_in_not_personal():
    """Whatever points at a child, a guardian or a user holds personal data."""
    personal = {"children.Child", "children.Guardian", "accounts.User"}
    suspicious = []
    for label in NOT_PERSONAL:
        model = apps.get_model(label)
        targets = {f.related_model._meta.label for f in model._meta.fields if f.is_relation and f.related_model}
        names = {f.name for f in model._meta.fields}
        if targets & personal or names & {"child_id", "user_id", "personnummer", "email"}:
            suspicious.append(label)
    assert not suspicious


@pytest.mark.django_db
def test_the_rows_name_the_municipalitys_own_rules(world):
    ensure_default_rules(world.municipality)
    by_label = {r["label"]: r for r in rows(world.municipality.pk)}
    assert set(by_label) == set(ENTRIES)
    concern = by_label["casefile.Concern"]
    assert "60" in concern["retention"] and "120" in concern["retention"]
    assert concern["basis"] and concern["recipients"] and concern["categories"]
