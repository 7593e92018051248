"""Retention rules are data: seeded defaults that cite their source, versioned edits."""

import pytest

from backa.audit.models import AccessLog
from backa.records.models import RetentionRule, RetentionRuleVersion, Verksamhet
from backa.records.registry import BY_KEY, OTHER_TYPES
from backa.records.rules import DEFAULTS, StaleRule, do_change_rule, ensure_default_rules

pytestmark = pytest.mark.django_db


def test_defaults_cite_their_source_and_wait_for_the_archivist(world):
    assert ensure_default_rules(world.municipality) == len(DEFAULTS)
    assert ensure_default_rules(world.municipality) == 0
    rules = RetentionRule.objects.filter(municipality=world.municipality)
    assert rules.count() == len(DEFAULTS)
    assert all(r.source and not r.confirmed_by_archivist and r.version == 1 for r in rules)
    assert all(r.record_type in BY_KEY or r.record_type in OTHER_TYPES for r in rules)
    assert RetentionRuleVersion.objects.filter(rule__municipality=world.municipality, number=1).count() == len(DEFAULTS)
    social = rules.get(record_type="concern", verksamhet=Verksamhet.SOCIAL_SERVICES)
    assert social.period_months == 60 and social.research_exemption and "7 kap. 2 §" in social.source
    assert rules.get(record_type="concern", verksamhet=Verksamhet.SCHOOL_HEALTH).period_months == 120
    assert rules.get(record_type="access_log").period_months == 60
    # Every record type of the child's file has a rule for every kind of organisation.
    assert {t for t in BY_KEY} <= set(rules.values_list("record_type", flat=True))


def test_a_change_is_a_new_version_and_logged(world):
    ensure_default_rules(world.municipality)
    rule = RetentionRule.objects.get(municipality=world.municipality, record_type="concern", verksamhet="any")
    changed = do_change_rule(
        acting_user=world.users["ada"],
        rule=rule,
        version=1,
        period_months=36,
        start_event=rule.start_event,
        disposal=rule.disposal,
        research_exemption=False,
        source=rule.source + " Beslut KF 2026-12-01 § 12.",
        confirmed_by_archivist=True,
        reason="Dokumenthanteringsplanen 2027",
    )
    assert changed.version == 2 and changed.period_months == 36 and changed.confirmed_by_archivist
    versions = list(rule.versions.order_by("number"))
    assert [(v.number, v.period_months, v.changed_by_id) for v in versions] == [
        (1, 60, None),
        (2, 36, world.users["ada"].pk),
    ]
    assert AccessLog.objects.filter(object_type="retention_rule", object_id=str(rule.pk), action="update").count() == 1
    with pytest.raises(StaleRule):
        do_change_rule(
            acting_user=world.users["ada"],
            rule=rule,
            version=1,
            period_months=12,
            start_event=rule.start_event,
            disposal=rule.disposal,
            research_exemption=False,
            source="x",
            confirmed_by_archivist=False,
            reason="old form",
        )
    rule.refresh_from_db()
    assert rule.period_months == 36 and rule.versions.count() == 2
