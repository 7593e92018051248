"""The R12 drill's write load: the application's own database layer against the Patroni cluster.

Run as `python -m backa.operations.drills.failover_writer STOPFILE CLIENTS` with DATABASE_URL the
multi-host URL (target_session_attrs=read-write), as production configures it. Each client
thread loops: one transaction inserting one row (what a request does, ATOMIC_REQUESTS), then
prints `ok <id> <started> <committed>` (unix times) once the commit has returned (acknowledged), or `fail <unix time>`
after an error, closing the broken connection as Django does at the end of a failed request.
Stops when STOPFILE exists.
"""

import os
import sys
import threading
import time


def main(stop_file: str, clients: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backa.settings")
    import django

    django.setup()
    from django.db import DatabaseError, connection, transaction

    lock = threading.Lock()

    def say(line: str) -> None:
        with lock:
            sys.stdout.write(line + "\n")
            sys.stdout.flush()

    def client(number: int) -> None:
        sequence = 0
        while not os.path.exists(stop_file):
            row_id = number * 10_000_000 + sequence
            started = time.time()
            try:
                with transaction.atomic(), connection.cursor() as cursor:
                    cursor.execute("INSERT INTO r12_writes (id, client) VALUES (%s, %s)", [row_id, number])
                say(f"ok {row_id} {started:.3f} {time.time():.3f}")
                sequence += 1
            except DatabaseError:
                say(f"fail {time.time():.3f}")
                connection.close()
                sequence += 1  # the id may or may not have committed: never reuse it
                time.sleep(0.1)
            time.sleep(0.01)
        connection.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(1, clients + 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
