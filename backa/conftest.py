import pytest
from django.test import Client

from backa.testing import build_world


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture
def client_for(world):
    """client_for('britta') -> a logged-in test client acting as that persona."""

    def make(username, **kwargs):
        client = Client(**kwargs)
        client.force_login(world.users[username])
        return client

    return make
