"""Which other organisations' entries a viewer's organisation may see for one child.

Entries (notes, assessments, plan contributions, meeting minutes) belong to the
organisation that wrote them. Another organisation sees them only while a valid consent
or a recorded legal basis covers that disclosing organisation, that recipient and that
category. Nothing here is cached between calls: a withdrawal or an expiry bites on the
very next request.

`may_see()` answers one question; `SharingScope` answers it for many entries with two
queries, and can lock the consents it relies on so that a read and a withdrawal of the
same consent are serialised (the read comes first and is logged, or it is denied).
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.db import connection
from django.db.models import Q
from django.utils import timezone

from backa.consent.models import ActivitySharingRule, Consent, ConsentStatus, LegalBasis, category_q
from backa.organisations.models import Activity


def _moment(on) -> datetime:
    if on is None:
        return timezone.now()
    if isinstance(on, datetime):
        return on
    if isinstance(on, date):
        # A whole day asks about the state at its last moment: a withdrawal that day counts.
        return timezone.make_aware(datetime.combine(on, time.max))
    raise TypeError("on must be a date or a datetime")


def _pk(obj):
    return getattr(obj, "pk", obj)


def consents_in_force(child, recipient, moment) -> "Q":
    day = timezone.localdate(moment)
    return Q(
        child_id=_pk(child),
        recipients=_pk(recipient),
        status__in=[ConsentStatus.ACTIVE, ConsentStatus.WITHDRAWN],
        given_at__isnull=False,
        given_at__lte=moment,
        valid_from__lte=day,
        valid_to__gte=day,
    ) & (Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gt=moment))


def legal_bases_in_force(child, recipient, moment) -> "Q":
    day = timezone.localdate(moment)
    return Q(
        child_id=_pk(child),
        recipient_id=_pk(recipient),
        recorded_at__lte=moment,
        valid_from__lte=day,
        valid_to__gte=day,
    ) & (Q(ended_at__isnull=True) | Q(ended_at__gt=moment))


def may_see(viewer_org, entry_org, category: str, child, on=None) -> bool:
    """May someone acting for viewer_org see child's entry of category written by entry_org?

    Own organisation: always. Otherwise only under a consent or legal basis in force at
    `on` (a datetime, or a date meaning the end of that day; default now) that names
    entry_org as discloser, viewer_org as recipient and this category. No viewer
    organisation (a user without an active position) sees nothing of anyone's.
    """
    if viewer_org is None or entry_org is None:
        return False
    if _pk(viewer_org) == _pk(entry_org):
        return True
    moment = _moment(on)
    if Consent.objects.filter(
        consents_in_force(child, viewer_org, moment), category_q(category), disclosing_organisation_id=_pk(entry_org)
    ).exists():
        return True
    return LegalBasis.objects.filter(
        legal_bases_in_force(child, viewer_org, moment), category_q(category), disclosing_organisation_id=_pk(entry_org)
    ).exists()


@dataclass
class SharingScope:
    """Everything a viewer may see of one child's entries, at one moment.

    The secrecy unit is the activity (verksamhet, organisations.Activity): an entry is seen
    by its own activity; by another activity of the same board where the board's
    ActivitySharingRule lets that category across; and by any activity of an organisation
    that a consent or legal basis in force names as recipient of the entry's organisation's
    category (a consent naming the board itself as recipient opens its activities to each
    other). `allows_entry`/`activity_q` decide for entries; `allows`/`q` are the older
    per-organisation questions (disclosure records, the intake).
    """

    viewer_org_id: object
    pairs: set = field(default_factory=set)  # {(disclosing organisation id, category)}
    consent_ids: set = field(default_factory=set)
    viewer_activity_id: object = None
    rule_pairs: set = field(default_factory=set)  # {(disclosing activity id, category)}, same board
    viewer_activity_kind: str = ""
    _allowed: dict = field(default_factory=dict, repr=False)

    def allowed_activity_ids(self, category: str) -> frozenset:
        """The activities whose entries of `category` this viewer may see (computed once per scope)."""
        if category not in self._allowed:
            if self.viewer_activity_id is None:
                self._allowed[category] = frozenset()
            else:
                ids = {self.viewer_activity_id} | {a for a, c in self.rule_pairs if c == category}
                orgs = {o for o, c in self.pairs if c == category}
                if orgs:
                    ids |= set(Activity.objects.filter(organisation_id__in=orgs).values_list("id", flat=True))
                self._allowed[category] = frozenset(ids)
        return self._allowed[category]

    def allows_entry(self, activity, category: str) -> bool:
        """May this viewer see an entry of `category` written by `activity` (an Activity or its id)?"""
        activity_id = _pk(activity)
        return activity_id is not None and activity_id in self.allowed_activity_ids(category)

    def activity_q(self, category: str, field: str = "activity") -> Q:
        """A queryset filter: entries of `category` whose `field` activity this viewer may see."""
        allowed = self.allowed_activity_ids(category)
        if not allowed:
            return Q(pk__in=[])
        return Q(**{f"{field}_id__in": sorted(allowed, key=str)})

    def allows(self, entry_org, category: str) -> bool:
        if self.viewer_org_id is None or entry_org is None:
            return False
        return _pk(entry_org) == self.viewer_org_id or (_pk(entry_org), category) in self.pairs

    def q(self, organisation_field: str = "organisation", category_field: str = "category") -> Q:
        """A filter for a queryset of entries with an organisation and a category column."""
        if self.viewer_org_id is None:
            return Q(pk__in=[])
        condition = Q(**{f"{organisation_field}_id": self.viewer_org_id})
        for org_id, category in self.pairs:
            condition |= Q(**{f"{organisation_field}_id": org_id, category_field: category})
        return condition


def sharing_scope(viewer_org, child, on=None, *, lock: bool = False, viewer_activity=None) -> SharingScope:
    """What a viewer in viewer_org (writing for viewer_activity) may see of child's entries.

    Without viewer_activity the viewer sees no entry at all through `allows_entry`, only the
    per-organisation answers of `allows`.

    With lock=True (inside the transaction of the read) the consents relied on are held
    FOR SHARE until the read commits, so a concurrent withdrawal waits for the read; a
    read that arrives while a withdrawal holds the row waits, re-checks it, and loses it.
    """
    scope = SharingScope(
        viewer_org_id=_pk(viewer_org) if viewer_org is not None else None,
        viewer_activity_id=_pk(viewer_activity) if viewer_org is not None else None,
    )
    if viewer_org is None:
        return scope
    viewer_activity_id, viewer_org_id = _pk(viewer_activity), _pk(viewer_org)
    if viewer_activity_id is not None:
        scope.viewer_activity_kind = (
            Activity.objects.filter(pk=viewer_activity_id).values_list("kind", flat=True).first() or ""
        )
        for from_id, categories in ActivitySharingRule.objects.filter(
            to_activity_id=viewer_activity_id, from_activity__organisation_id=viewer_org_id
        ).values_list("from_activity_id", "categories"):
            scope.rule_pairs.update((from_id, c) for c in categories.split(",") if c)
    moment = _moment(on)
    consents = list(
        Consent.objects.filter(consents_in_force(child, viewer_org, moment))
        .values_list("id", "disclosing_organisation_id", "categories")
        .distinct()
    )
    if lock and consents and connection.vendor == "postgresql":
        consents = _lock_still_in_force(consents)
    for consent_id, org_id, categories in consents:
        scope.consent_ids.add(consent_id)
        scope.pairs.update((org_id, c) for c in categories.split(",") if c)
    for org_id, categories in LegalBasis.objects.filter(legal_bases_in_force(child, viewer_org, moment)).values_list(
        "disclosing_organisation_id", "categories"
    ):
        scope.pairs.update((org_id, c) for c in categories.split(",") if c)
    return scope


def _lock_still_in_force(consents):
    ids = [row[0] for row in consents]
    with connection.cursor() as cursor:
        # FOR SHARE re-evaluates the WHERE clause on a row a concurrent withdrawal just
        # changed, so a consent withdrawn while we waited drops out here.
        cursor.execute(
            f"SELECT id FROM {Consent._meta.db_table} WHERE id = ANY(%s) AND withdrawn_at IS NULL FOR SHARE",
            [ids],
        )
        kept = {row[0] for row in cursor.fetchall()}
    return [row for row in consents if row[0] in kept]
