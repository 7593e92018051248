LAST = "test_every_email_sent_in_the_run_is_free_of_personal_data"


def pytest_collection_modifyitems(session, config, items):
    """The e-mail scan must see every message the run sent, so it runs last."""
    last = [item for item in items if item.name == LAST]
    items[:] = [item for item in items if item.name != LAST] + last
