"""The replica router without a replica: everything stays on the primary, at no cost.
(With a real lagging standby: backa/operations/drills/test_replica_reads.py.)"""

import pytest

from backa.lib.dbrouter import ReplicaRouter, replica_reads

pytestmark = pytest.mark.django_db


def test_without_a_replica_reads_stay_on_the_primary_and_cost_no_query(django_assert_num_queries):
    from backa.children.models import Child

    with django_assert_num_queries(0), replica_reads() as alias:
        assert alias == "default"
        assert ReplicaRouter().db_for_read(Child) is None
    assert ReplicaRouter().db_for_write(Child) == "default"
    assert ReplicaRouter().allow_migrate("replica", "children") is False
