"""R11: a flipped byte in a heap page is a loud error, never bad data.

A throwaway cluster with data checksums (as production is initialised: `initdb --data-checksums`).
A table is written and checkpointed, the cluster is stopped, one byte inside the first heap page
of the table's file is flipped, the cluster is started: reading the table raises a checksum
error (and the server log names the relation's block), while another table reads fine.
"""

import psycopg
import pytest

from backa.operations import pgtools
from backa.operations.drills.record import record

pytestmark = pytest.mark.drill


def test_a_flipped_byte_in_a_heap_page_is_a_checksum_error(tmp_path):
    with pgtools.throwaway_cluster("backa-r11-") as cluster:
        with psycopg.connect(cluster.dsn(), autocommit=True) as conn:
            assert conn.execute("SHOW data_checksums").fetchone()[0] == "on"
            conn.execute(
                "CREATE TABLE victim AS SELECT g AS id, repeat('x', 50) AS note FROM generate_series(1, 1000) g"
            )
            conn.execute("CREATE TABLE bystander AS SELECT g AS id FROM generate_series(1, 100) g")
            conn.execute("CHECKPOINT")
            path = cluster.data / conn.execute("SELECT pg_relation_filepath('victim')").fetchone()[0]
        cluster.stop("fast")
        with open(path, "r+b") as heap:
            heap.seek(4000)  # inside page 0, in the tuple data
            byte = heap.read(1)
            heap.seek(4000)
            heap.write(bytes([byte[0] ^ 0xFF]))
        cluster.start()
        with psycopg.connect(cluster.dsn(), autocommit=True) as conn:
            with pytest.raises(psycopg.errors.DataCorrupted) as refused:
                conn.execute("SELECT count(*), max(note) FROM victim").fetchone()
            assert conn.execute("SELECT count(*) FROM bystander").fetchone()[0] == 100
        assert "checksum" in cluster.server_log()
        record("R11 checksum flip", error=type(refused.value).__name__, message=str(refused.value).splitlines()[0])
