import pytest
from django.conf import settings
from django.test import Client

from backa.testing import build_world, force_verified_login


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture
def client_for(world):
    """client_for('britta') -> a logged-in test client acting as that persona.

    language="en" chooses English the way a user does (the language cookie); the browser's
    Accept-Language is ignored by design.
    """

    def make(username, language=None, **kwargs):
        client = Client(**kwargs)
        force_verified_login(client, world.users[username])
        if language:
            client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        return client

    return make
