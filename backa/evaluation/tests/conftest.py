"""Fixtures of the evaluation tests."""

import pytest
import time_machine

from backa.evaluation.tests.dataset import WRITTEN_FOR


@pytest.fixture
def on_dataset_day():
    """The clock on WRITTEN_FOR (ticking), whatever day the suite runs on (BACKA_TEST_TODAY)."""
    with time_machine.travel(WRITTEN_FOR, tick=True) as traveller:
        yield traveller
