"""The replica drill's application side (test_replica_reads.py runs it in a subprocess).

DATABASE_URL is the primary, DATABASE_REPLICA_URL a streaming standby, STANDBY_DSN a superuser
connection to that standby (to pause and resume its replay). Prints one JSON object.
"""

import json
import os
import sys
import time


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backa.settings")
    import django

    django.setup()
    import psycopg
    from django.db import transaction

    from backa.children.models import Custody
    from backa.consent.access import sharing_scope
    from backa.consent.models import Consent
    from backa.consent.services import do_withdraw_consent
    from backa.consent.tests.helpers import given_consent, orgs
    from backa.lib.dbrouter import replica_reads
    from backa.testing import build_world

    with transaction.atomic():
        world = build_world()
    o = orgs(world)
    consent = given_consent(world, disclosing=o["school"], recipients=[o["ifo"]], categories=["notes"])

    def scope():
        with replica_reads(wait_seconds=2.0) as alias:
            return alias, sorted(str(pk) for pk in sharing_scope(o["ifo"], world.sigrid).consent_ids)

    result = {"consent": str(consent.pk)}
    result["before"] = scope()
    with psycopg.connect(os.environ["STANDBY_DSN"], autocommit=True) as standby:
        standby.execute("SELECT pg_wal_replay_pause()")
        while standby.execute("SELECT pg_get_wal_replay_pause_state()").fetchone()[0] != "paused":
            time.sleep(0.05)
        guardian = Custody.objects.filter(child=world.sigrid, has_custody=True).first().guardian
        do_withdraw_consent(acting_user=world.users["sara"], consent=consent, by_guardian=guardian)
        # The lag is real: the replica itself still shows the consent in force.
        stale = Consent.objects.using("replica").get(pk=consent.pk).withdrawn_at
        result["replica_row_withdrawn_at_while_paused"] = None if stale is None else stale.isoformat()
        started = time.monotonic()
        result["during_lag"] = scope()
        result["during_lag_seconds"] = round(time.monotonic() - started, 3)
        standby.execute("SELECT pg_wal_replay_resume()")
    result["after_catch_up"] = scope()
    print(json.dumps(result))


if __name__ == "__main__":
    sys.exit(main())
