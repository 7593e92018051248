"""Reading the life-phase rules (LifePhaseConfig): which unit type and position hold the
barnkontakt role in each phase. Code never hard-codes the mapping; it asks here."""

from collections import defaultdict

from django.db.models import Q

from backa.roles.models import LifePhaseConfig


def rules_by_phase(municipality_id=None) -> dict[str, list[LifePhaseConfig]]:
    """{phase: [rule, ...] in priority order}; a municipality's own rows for a phase replace the defaults."""
    own, default = defaultdict(list), defaultdict(list)
    scope = Q(municipality__isnull=True) | (Q(municipality_id=municipality_id) if municipality_id else Q(pk__in=[]))
    for rule in LifePhaseConfig.objects.filter(scope).order_by("priority", "id"):
        (own if rule.municipality_id else default)[rule.phase].append(rule)
    phases = set(own) | set(default)
    return {phase: own.get(phase) or default.get(phase, []) for phase in phases}


def barnkontakt_kind_by_unit_type(municipality_id=None) -> dict[str, str]:
    """{unit type: position kind} as the rules give it; the first rule wins for a unit type."""
    result: dict[str, str] = {}
    for rules in rules_by_phase(municipality_id).values():
        for rule in rules:
            result.setdefault(rule.unit_type, rule.position_kind)
    return result
