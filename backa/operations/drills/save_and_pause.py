"""R2 helper, run as a subprocess: save a plan change (goal + plan version + snapshot +
access-log row, one transaction) and, before COMMIT, wait on an advisory lock the drill
holds, so the drill can kill -9 this process at a known point in the middle of the save.

    python -m backa.operations.drills.save_and_pause PLAN_ID USER_ID LOCK_KEY|-
"""

import sys

import django


def main(plan_id, user_id, lock_key):
    django.setup()
    from django.db import connection, transaction

    from backa.accounts.models import User
    from backa.casefile.models import Plan
    from backa.casefile.plan import do_add_goal

    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            print(f"PID {cursor.fetchone()[0]}", flush=True)
        do_add_goal(
            acting_user=User.objects.get(pk=user_id),
            plan=Plan.objects.get(pk=plan_id),
            description="R2: sleep before school",
            area="halsa",
        )
        print("WRITTEN", flush=True)
        if lock_key != "-":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [int(lock_key)])  # the drill holds it
    print("COMMITTED", flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:4])
