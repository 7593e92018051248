import pytest
from django.conf import settings
from django.test import Client

from backa.testing import build_world, force_verified_login


@pytest.fixture(autouse=True)
def default_language():
    """Every test starts in Swedish, the product's language. A request activates its language
    for the thread (LanguageMiddleware), so without this an English request in one test
    would leave English on for whichever test runs next in the same process."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


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
